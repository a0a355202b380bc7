// Leads dashboard for sales: lists the leads (GET /api/leads), shows one in full, records
// what sales did (accept / reject / opportunity / won / lost), and lists the deliveries to
// sales tools not made yet, with a Retry for dead ones (dashboard/outbox.js). Every call
// carries the API token the rep enters once (dashboard/session.js); a refused token asks again.
import { Unauthorized, api } from './dashboard/api.js';
import { mountDetail } from './dashboard/detail.js';
import { mountFeedback } from './dashboard/feedback.js';
import { mountOutbox } from './dashboard/outbox.js';
import { poller } from './dashboard/poll.js';
import { renderRows } from './dashboard/rows.js';
import { mountSignIn } from './dashboard/sign-in.js';
import { esc } from './dashboard/format.js';

const REFRESH_MS = 5000;
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const filters = $('dash-filters');
let leads = [];

function status(ok, text) {
  $('dash-status').innerHTML = `<span class="live-dot${ok ? '' : ' down'}"></span>${esc(text)}`;
}

const notice = (text) => { $('dash-notice').textContent = text; };

function query() {
  const params = new URLSearchParams({ limit: '200' });
  if (filters.elements.status.value) params.set('status', filters.elements.status.value);
  if (filters.elements.rejected.checked) params.set('rejected', 'true');
  return params;
}

function show(list) {
  leads = list;
  renderRows($('lead-rows'), leads);
  $('dash-empty').hidden = leads.length > 0;
}

function failed(err) {
  if (err instanceof Unauthorized) {
    signIn.ask(err.message);
    return;
  }
  status(false, `Collector unreachable (${err.message}) — retrying`);
}

async function refresh() {
  const params = query();
  try {
    const data = await api(`/api/leads?${params}`);
    if (params.toString() !== query().toString()) return; // the filter changed meanwhile
    show(data.leads || []);
    status(true, `Live · updated ${new Date().toLocaleTimeString()}`);
    await detail.refresh();
    await outbox.refresh();
  } catch (err) {
    failed(err);
  }
}

const poll = poller(refresh, REFRESH_MS);

const act = mountFeedback({
  onDone(lead) {
    notice(`Lead ${lead.id} is now ${lead.status}.`);
    const i = leads.findIndex((l) => l.id === lead.id);
    if (i >= 0) show(leads.map((l, j) => (j === i ? lead : l)));
    poll.now();
  },
  onError: notice,
  onUnauthorized: (message) => signIn.ask(message),
  onStale: () => poll.now(),
});

const detail = mountDetail({ onAct: act, onError: failed });

const outbox = mountOutbox({ onError: notice, onUnauthorized: (message) => signIn.ask(message) });

const signIn = mountSignIn({
  onSignedIn: () => {
    status(true, 'Loading…');
    poll.start();
    openFromLink();
  },
  onSignedOut: () => {
    poll.stop();
    detail.close();
    show([]);
    notice('');
    status(false, 'Signed out');
  },
});

/** Webhook and Slack messages link to `/dashboard#lead-<id>`: open that lead. */
function openFromLink() {
  const linked = /^#lead-(\d+)$/.exec(location.hash);
  if (linked) detail.open(Number(linked[1]));
}
window.addEventListener('hashchange', openFromLink);

$('lead-rows').addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const stepButton = target && target.closest('[data-step]');
  const row = target && target.closest('[data-testid="lead-row"]');
  if (!row) return;
  const lead = leads.find((l) => String(l.id) === row.dataset.id);
  if (!lead) return;
  if (stepButton) act(lead, stepButton.dataset.step);
  else if (!target.closest('a, input, select, textarea')) detail.open(lead.id);
});
filters.addEventListener('change', () => {
  show([]);
  $('dash-empty').hidden = true; // until the answer for the new filter says so
  poll.now();
});
filters.addEventListener('submit', (e) => e.preventDefault());

signIn.start();
