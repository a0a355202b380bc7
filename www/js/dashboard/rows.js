// The leads table. Rows are keyed by lead id and replaced only when their content changed, so
// a refresh does not move focus or scroll; the "waiting" clocks tick in place.
import { disqualifier, esc, money, source, timeToAccept, when, who, words } from './format.js';
import { allowed, label } from './steps.js';

/** The buttons for the steps the lead allows (`lead.allowed`; shared with the detail view). */
export function actionButtons(lead) {
  return allowed(lead)
    .map(({ status }) => `<button class="btn btn-sm${status === 'accepted' ? '' : ' btn-ghost'}" type="button" data-step="${esc(status)}" data-lead="${esc(lead.id)}" data-testid="action-${esc(status)}">${esc(label(status).button)}</button>`)
    .join('');
}

/** Every question the visitor typed (`lead.questions`, oldest first), as list items. */
export const questionItems = (lead) => (lead.questions || []).map((q) => `<li>“${esc(q)}”</li>`).join('');

export const statusBadge = (lead) => `<span class="status-badge status-${esc(lead.status)}" data-testid="lead-status">${esc(lead.status)}</span>`;
/** A lead that came from a request alone: what the visitor typed, no score. */
export const basisBadge = (lead) => (lead.basis === 'request' ? ' <span class="basis-badge" title="Sent without analytics consent: what the visitor typed, no behavioural data" data-testid="lead-basis">request only</span>' : '');
export const trustBadge = (lead) => `<span class="trust-badge trust-${esc(lead.trust)}" title="${esc(lead.trustReason || '')}" data-testid="lead-trust">${esc(lead.trust)}</span>`;

/** A labelled cell; on phones the label shows beside the content (site.css, `data-label`). */
const cell = (label, html, testid) => `<td data-label="${label}"><div class="cell"${testid ? ` data-testid="${testid}"` : ''}>${html}</div></td>`;

function row(lead) {
  const s = lead.summary || {};
  const { name, details } = who(lead);
  const bant = s.frameworks && s.frameworks.BANT;
  const reasons = (s.reasons || []).slice(0, 4)
    .map((r) => `<span>${esc(words(r.rule))} ${r.points > 0 ? '+' : ''}${esc(r.points)}</span>`).join('');
  const flags = (s.disqualifiers || []).map((d) => `<span class="chip-bad">✕ ${esc(disqualifier(d))}</span>`).join('');
  const questions = questionItems(lead);
  const slots = Object.entries(s.slots || {}).map(([k, v]) => `${words(k)}: ${v}`).join(', ');
  return `
    <td class="who" data-label="Lead">
      <button class="linklike" type="button" data-open="${esc(lead.id)}" data-testid="lead-open"><b>${esc(name)}</b></button>
      <small>${esc(details.join(' · ') || lead.visitor)}</small>
      ${questions ? `<ul class="lead-questions" data-testid="lead-questions" aria-label="Questions the visitor typed">${questions}</ul>` : ''}
    </td>
    ${cell('Stage', `<span class="stage-badge stage-${esc(lead.stage)}">${esc(lead.stage)}</span><br><small data-testid="lead-route">${esc(words(s.route || (lead.request ? `${lead.request.form} form` : '—')))}</small>`)}
    ${cell('Score', lead.score == null ? '<span class="muted">not scored</span>' : `<b>${esc(lead.score)}</b> <span class="grade">${esc(s.grade)}</span><br><small>fit ${esc(s.fit)} · eng ${esc(s.engagement)}</small>`)}
    ${cell('Why', `<div class="reason-chips">${reasons}${flags}</div>`)}
    ${cell('BANT', `${bant ? `${esc(bant.coverage)}%` : '—'}<br><small>${esc(slots || '')}</small>`)}
    ${cell('Source', `${esc(source(lead))}<br><small>${esc(s.runtime || (lead.request && lead.request.runtime))} · ${esc(when(lead.receivedAt))}</small>`)}
    ${cell('Owner', esc(lead.owner || 'unassigned'), 'lead-owner')}
    ${cell('Status', `${statusBadge(lead)} ${trustBadge(lead)}${basisBadge(lead)}${lead.amount != null ? `<br><small>${esc(money(lead.amount))}</small>` : ''}`)}
    ${cell('Time to accept', '', 'lead-wait')}
    <td class="row-actions" data-testid="lead-actions">${actionButtons(lead)}</td>`;
}

/** Updates `tbody` to show `leads` in order, touching only the rows that changed. */
export function renderRows(tbody, leads, now = Date.now()) {
  const existing = new Map([...tbody.rows].map((tr) => [tr.dataset.id, tr]));
  leads.forEach((lead, i) => {
    const id = String(lead.id);
    const html = row(lead);
    let tr = existing.get(id);
    existing.delete(id);
    if (!tr || tr.dataset.html !== html) {
      const fresh = document.createElement('tr');
      fresh.dataset.testid = 'lead-row';
      fresh.dataset.id = id;
      fresh.dataset.html = html;
      fresh.innerHTML = html;
      if (tr) tr.replaceWith(fresh);
      tr = fresh;
    }
    tr.dataset.status = lead.status;
    if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
    tr.querySelector('[data-testid="lead-wait"]').textContent = timeToAccept(lead, now);
  });
  for (const gone of existing.values()) gone.remove();
}
