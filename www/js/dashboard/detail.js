// One lead in full (GET /api/leads/{id}): what sales needs before the call, every question the
// visitor typed, every revision the visitor's browser (or the edge) sent with what it changed,
// and the audit trail of who moved it where — times to the second.
import { api } from './api.js';
import { basis, disqualifier, esc, money, source, timeToAccept, whenExactly, who, words } from './format.js';
import { revisionTable } from './revisions.js';
import { actionButtons, questionItems, statusBadge, trustBadge } from './rows.js';

function view(page) {
  const { lead, revisions = [], requests = [], history = [] } = page;
  const s = lead.summary || {};
  const { details } = who(lead);
  const list = (items, empty, testid) => (items.length ? `<ul class="detail-list" data-testid="${testid}">${items.join('')}</ul>` : `<p class="muted" data-testid="${testid}">${empty}</p>`);
  const facts = [
    ['Status', `${statusBadge(lead)} ${trustBadge(lead)}`],
    ['Owner', esc(lead.owner || 'unassigned')],
    ['Stage', `<span class="stage-badge stage-${esc(lead.stage)}">${esc(lead.stage)}</span> via ${esc(words(s.route || '—'))}`],
    ['Score', lead.score == null ? 'not scored (no analytics consent)' : `${esc(lead.score)} · grade ${esc(s.grade)} (fit ${esc(s.fit)}, engagement ${esc(s.engagement)})`],
    ['Basis', `<span data-testid="detail-basis">${esc(basis(lead))}</span>`],
    ['Time to accept', esc(timeToAccept(lead))],
    ['Source', esc(source(lead))],
    ['Trust', esc(lead.trustReason || lead.trust)],
  ];
  if (lead.amount != null) facts.push(['Amount', esc(money(lead.amount))]);
  const trail = history.map((h) => `<li data-testid="history-entry" data-to="${esc(h.to)}">
      <span>${esc(whenExactly(h.at))}</span>
      <span><b>${esc(h.by)}</b>: ${h.from ? `${esc(h.from)} → ` : ''}<b>${esc(h.to)}</b>${h.amount != null ? ` · ${esc(money(h.amount))}` : ''}${h.reason ? ` — “${esc(h.reason)}”` : ''}</span></li>`).join('');
  return `
    <p class="muted">${esc(details.join(' · ') || lead.visitor)}</p>
    <dl class="detail-facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
    <div class="row-actions" data-testid="detail-actions">${actionButtons(lead) || '<span class="muted">No further step from this status.</span>'}</div>
    <h3>What they asked for</h3>
    ${list(requests.slice().reverse().map((r) => `<li data-testid="detail-request"><span><b>${esc(words(r.form))} form</b> · ${esc(whenExactly(r.receivedAt))} · ${esc(r.request.page)}${r.basis === 'request' ? ' · request only' : ''}</span>
      <span>${Object.entries(r.request.fields || {}).map(([k, v]) => `${esc(words(k))}: ${esc(v)}`).join('<br>')}</span></li>`), 'No form or chat request.', 'detail-requests')}
    <h3>Questions they typed</h3>
    ${(lead.questions || []).length ? `<ol class="detail-list" data-testid="detail-questions">${questionItems(lead)}</ol>` : '<p class="muted" data-testid="detail-questions">None.</p>'}
    <h3>Disqualifiers</h3>
    ${list((s.disqualifiers || []).map((d) => `<li class="bad">${esc(disqualifier(d))}</li>`), 'None.', 'detail-disqualifiers')}
    <h3>Why they qualified</h3>
    ${list((s.reasons || []).map((r) => `<li><span>${esc(words(r.rule))}</span><span>${r.points > 0 ? '+' : ''}${esc(r.points)}</span></li>`), 'No reasons.', 'detail-reasons')}
    <h3>Answers</h3>
    ${list(Object.entries(s.slots || {}).map(([k, v]) => `<li><span>${esc(words(k))}</span><span>${esc(v)}</span></li>`), 'No answers yet.', 'detail-slots')}
    <h3>Revisions</h3>
    ${revisionTable(revisions)}
    <h3>History</h3>
    <ol class="detail-history" data-testid="detail-history">${trail}</ol>`;
}

/** @param {{ onAct: (lead, step) => void, onError: (err) => void }} hooks */
export function mountDetail(hooks) {
  const dialog = document.querySelector('[data-testid="lead-detail"]');
  const body = dialog.querySelector('[data-testid="detail-body"]');
  const title = dialog.querySelector('[data-testid="detail-title"]');
  let id = null;
  let shown = ''; // the JSON on screen: re-render only when it changes
  let lead = null;

  const load = async () => {
    if (id == null) return;
    const want = id;
    let page;
    try {
      page = await api(`/api/leads/${encodeURIComponent(want)}`);
    } catch (err) {
      hooks.onError(err);
      return;
    }
    if (want !== id) return; // another lead was opened meanwhile
    const json = JSON.stringify(page);
    if (json === shown) return;
    shown = json;
    lead = page.lead;
    title.textContent = who(lead).name;
    body.innerHTML = view(page);
    dialog.dataset.status = lead.status;
  };

  body.addEventListener('click', (e) => {
    const button = e.target instanceof Element && e.target.closest('[data-step]');
    if (button && lead) hooks.onAct(lead, button.dataset.step);
  });
  dialog.querySelector('[data-testid="detail-close"]').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { id = null; shown = ''; lead = null; });

  return {
    async open(leadId) {
      id = leadId;
      shown = '';
      lead = null;
      title.textContent = 'Lead';
      body.innerHTML = '<p class="muted">Loading…</p>';
      if (!dialog.open) dialog.showModal();
      await load();
    },
    /** Reloads the lead on screen, if any (polling, or after an action). */
    refresh: load,
    /** Whether lead `leadId` is the one on screen. */
    shows: (leadId) => id != null && String(id) === String(leadId),
    close() { if (dialog.open) dialog.close(); },
  };
}
