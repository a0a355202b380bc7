// The outbox (GET /api/outbox): deliveries to the sales team's webhooks, Slack and CRMs that
// are not made yet — waiting for their next attempt, or dead (the receiver refused them for good, or
// they ran out of attempts) with a Retry button that puts one back in its receiver's queue
// (POST /api/outbox/{id}/retry).
import { Unauthorized, api } from './api.js';
import { esc, when } from './format.js';

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

const CRMS = { hubspot: 'HubSpot (CRM)', salesforce: 'Salesforce (CRM)' };

/**
 * A receiver's URL without its path's secrets (Slack URLs carry their token in the path); a
 * CRM by its name (its last error carries the CRM's own message).
 */
function receiver(url) {
  if (Object.hasOwn(CRMS, url)) return CRMS[url];
  try {
    const u = new URL(url);
    return u.hostname === 'hooks.slack.com' ? `${u.host} (Slack)` : `${u.host}${u.pathname}`;
  } catch {
    return String(url);
  }
}

function row(d) {
  const dead = d.state === 'dead';
  const next = dead ? `dead since ${when(d.deadAt)}` : `next attempt ${when(d.nextAttemptAt)}`;
  return `<tr data-testid="outbox-row" data-id="${esc(d.id)}" data-state="${esc(d.state)}">
    <td><span class="status-badge ${dead ? 'status-lost' : 'status-new'}" data-testid="outbox-state">${esc(d.state)}</span></td>
    <td>${esc(receiver(d.receiver))}<br><small>${esc(d.kind)}</small></td>
    <td><code>${esc(d.summaryId)}</code></td>
    <td data-testid="outbox-attempts">${esc(d.attempts)}</td>
    <td><small data-testid="outbox-error">${esc(d.lastError || '')}</small><br><small>${esc(next)}</small></td>
    <td class="row-actions">${dead ? `<button class="btn btn-sm" type="button" data-retry="${esc(d.id)}" data-testid="outbox-retry">Retry</button>` : ''}</td>
  </tr>`;
}

/** Mounts the outbox view; `refresh()` re-reads it (the dashboard's poll calls it). */
export function mountOutbox({ onError, onUnauthorized }) {
  const body = $('outbox-rows');
  const empty = $('outbox-empty');

  async function refresh() {
    const data = await api('/api/outbox');
    const all = [...(data.dead || []), ...(data.waiting || [])];
    const html = all.map(row).join('');
    if (body.dataset.html !== html) {
      body.dataset.html = html;
      body.innerHTML = html;
    }
    empty.hidden = all.length > 0;
    $('outbox-count').textContent = `${(data.dead || []).length} dead · ${(data.waiting || []).length} waiting`;
  }

  body.addEventListener('click', async (e) => {
    const button = e.target instanceof Element ? e.target.closest('[data-retry]') : null;
    if (!button) return;
    button.disabled = true;
    try {
      await api(`/api/outbox/${encodeURIComponent(button.dataset.retry)}/retry`, { method: 'POST' });
      await refresh();
    } catch (err) {
      if (err instanceof Unauthorized) onUnauthorized(err.message);
      else onError(err.message);
      button.disabled = false;
    }
  });

  return { refresh };
}
