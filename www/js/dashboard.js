// Leads dashboard for sales: lists the leads (GET /api/leads), shows one in full, records what
// sales did (the steps each lead allows), lists the deliveries to sales tools not made yet, and
// keeps all of it current with the changes the collector pushes (GET /api/events), polling
// while that stream is down. Two views, leads and metrics (dashboard/views.js). Every call
// carries the API token the rep enters once (dashboard/session.js); a refused token asks again.
import { Unauthorized, api } from './dashboard/api.js';
import { mountDetail } from './dashboard/detail.js';
import { mountFeedback } from './dashboard/feedback.js';
import { esc } from './dashboard/format.js';
import { mountList } from './dashboard/list.js';
import { mountOutbox } from './dashboard/outbox.js';
import { poller } from './dashboard/poll.js';
import { mountSignIn } from './dashboard/sign-in.js';
import { eventStream } from './dashboard/stream.js';
import { mountViews } from './dashboard/views.js';

/** How often the leads are read while changes are not pushed; while they are, a safety net. */
const POLL_MS = 5000;
const PUSHED_POLL_MS = 60000;
/** Outbox changes come in bursts (each attempt): read once per burst. */
const OUTBOX_SETTLE_MS = 300;

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const filters = $('dash-filters');
const list = mountList({ rows: $('lead-rows'), empty: $('dash-empty'), filters });
let pushed = false; // the stream is live
let read = ''; // the list as last read, to tell the metrics when it changed

function status(ok, text) {
  $('dash-status').innerHTML = `<span class="live-dot${ok ? '' : ' down'}"></span>${esc(text)}`;
}
const updated = () => status(true, `${pushed ? 'Live' : 'Polling'} · updated ${new Date().toLocaleTimeString()}`);

const notice = (text) => { $('dash-notice').textContent = text; };

/** Leads changed (the rep's own step, a pushed change): the metrics read again (metrics.js). */
const changed = () => document.dispatchEvent(new CustomEvent('dashboard:changed'));

function failed(err) {
  if (err instanceof Unauthorized) {
    signIn.ask(err.message);
    return;
  }
  status(false, `Collector unreachable (${err.message}) — retrying`);
}

async function refresh() {
  const params = list.query();
  try {
    const data = await api(`/api/leads?${params}`);
    if (params.toString() !== list.query().toString()) return; // the filter changed meanwhile
    const leads = data.leads || [];
    const json = JSON.stringify(leads);
    if (read && json !== read) changed();
    read = json;
    list.replace(leads);
    updated();
    await detail.refresh();
    await outbox.refresh();
  } catch (err) {
    failed(err);
  }
}

const poll = poller(refresh, POLL_MS);

const act = mountFeedback({
  onDone(lead) {
    notice(`Lead ${lead.id} is now ${lead.status}.`);
    list.upsert(lead);
    changed();
    poll.now();
  },
  onError: notice,
  onUnauthorized: (message) => signIn.ask(message),
  onStale: () => poll.now(),
});

const detail = mountDetail({ onAct: act, onError: failed });

const outbox = mountOutbox({ onError: notice, onUnauthorized: (message) => signIn.ask(message) });
let outboxTimer = null;
const outboxSoon = () => {
  clearTimeout(outboxTimer);
  outboxTimer = setTimeout(() => outbox.refresh().catch(failed), OUTBOX_SETTLE_MS);
};

/** A lead as the collector pushed it: in its row (or gone, if the filters leave it out). */
function pushedLead(data) {
  let lead;
  try {
    lead = JSON.parse(data);
  } catch {
    poll.now();
    return;
  }
  list.upsert(lead);
  if (detail.shows(lead.id)) detail.refresh();
  updated();
  changed();
}

const stream = eventStream({
  onState(state) {
    const el = $('dash-status');
    el.dataset.stream = state;
    el.dataset.live = state === 'live' ? 'push' : 'poll';
    pushed = state === 'live';
    poll.every(pushed ? PUSHED_POLL_MS : POLL_MS);
    // Live again: read everything once, for what happened while it was not.
    if (pushed) poll.now();
  },
  onEvent({ event, data }) {
    if (event === 'lead') pushedLead(data);
    else if (event === 'outbox') outboxSoon();
    else if (event === 'resync') poll.now();
  },
  onUnauthorized: (message) => signIn.ask(message),
});

const views = mountViews({ onLead: (id) => detail.open(id) });

const signIn = mountSignIn({
  onSignedIn: () => {
    status(true, 'Loading…');
    poll.start();
    stream.start();
    views.show();
  },
  onSignedOut: () => {
    poll.stop();
    stream.stop();
    detail.close();
    list.clear();
    read = '';
    notice('');
    status(false, 'Signed out');
    document.dispatchEvent(new CustomEvent('dashboard:signed-out'));
  },
});

$('lead-rows').addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const stepButton = target && target.closest('[data-step]');
  const row = target && target.closest('[data-testid="lead-row"]');
  if (!row) return;
  const lead = list.find(row.dataset.id);
  if (!lead) return;
  if (stepButton) act(lead, stepButton.dataset.step);
  else if (!target.closest('a, input, select, textarea')) detail.open(lead.id);
});
filters.addEventListener('change', () => {
  list.clear();
  read = '';
  poll.now();
});
filters.addEventListener('submit', (e) => e.preventDefault());

signIn.start();
