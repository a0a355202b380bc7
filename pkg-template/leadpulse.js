// LeadPulse browser tracker: scores the visitor in the tab with the wasm core and forwards
// only a qualified-lead summary, only with consent. Public API: leadpulse.d.ts.
import init, { Scorer } from './leadpulse_core.js';
import { buildRequest, formEvent, nested, problem, requestId, traits } from './request.js';
import { startCapture } from './tracker/capture.js';
import { browserOptOut, resolveConsent } from './tracker/consent.js';
import { createEmitter } from './tracker/emitter.js';
import { loadModel, scorerFor, shadowScorer, startWasm } from './tracker/engine.js';
import { showState, startForms } from './tracker/forms.js';
import { safe, warn } from './tracker/guard.js';
import { randomId } from './tracker/ids.js';
import { fromAttributes, withDefaults } from './tracker/options.js';
import { createQueue } from './tracker/queue.js';
import { createRequests } from './tracker/requests.js';
import { createSales } from './tracker/sales.js';
import { createStore, PREFIX } from './tracker/storage.js';
import { createShared } from './tracker/tabs.js';
import { createTransport } from './tracker/transport.js';

/**
 * @typedef {import('./leadpulse.js').Tracker} Tracker
 * @typedef {import('./leadpulse.js').TrackerEvents} TrackerEvents
 * @typedef {import('./leadpulse.js').StartOptions} StartOptions
 * @typedef {import('./leadpulse.js').Snapshot} Snapshot
 * @typedef {import('./leadpulse.js').Step} Step
 * @typedef {import('./leadpulse.js').Stage} Stage
 * @typedef {import('./leadpulse_core.js').SummaryOptions} SummaryOptions
 * @typedef {import('./tracker/tabs.js').TrackerEvent} TrackerEvent
 * @typedef {import('./leadpulse.js').ModelDocument} ModelDocument
 * @typedef {import('./leadpulse.js').ConsentState} ConsentState
 * @typedef {import('./leadpulse.js').JsonObject} JsonObject
 */

/** @type {Tracker | undefined} */
let tracker;

/**
 * Starts the tracker (once; later calls return the same tracker).
 * @param {StartOptions} [options]
 * @returns {Tracker}
 */
export function start(options) {
  if (!tracker) tracker = create(withDefaults(options || {}));
  return tracker;
}

/** Summaries from the tracker: the e-mail goes only with consent, which sending implies. */
/** @type {SummaryOptions} */
const HANDOFF = { runtime: 'browser', includeEmail: true };

/** Whether the edge scores this page (it marks the HTML: docs/edge.md, "The tracker on an edge-scored site"). */
const edgeScored = () => document.querySelector('meta[name="leadpulse"][content="edge"]') !== null;

/**
 * @param {import('./tracker/options.js').Options} o
 * @returns {Tracker}
 */
function create(o) {
  const nav = navigator;
  const store = createStore(() => localStorage);
  const emitter = /** @type {ReturnType<typeof createEmitter<TrackerEvents>>} */ (createEmitter());
  const optOut = browserOptOut(nav);
  const locked = optOut && o.respectDoNotTrack;
  let consent = resolveConsent({ optOut, respectDoNotTrack: o.respectDoNotTrack, stored: store.get('consent'), initial: o.consent });
  store.writable = consent === 'granted';
  /** @type {TrackerEvent['context']} */
  const context = { userAgent: nav.userAgent };
  if (nav.webdriver && !o.ignoreWebdriver) context.webdriver = true;

  /** Events recorded before the engine is ready. @type {TrackerEvent[] | null} */
  let early = [];
  /** @type {import('./tracker/tabs.js').Shared | undefined} */
  let shared;
  /** @type {import('./tracker/queue.js').Queue | undefined} */
  let queue;
  /** @type {ReturnType<typeof createTransport> | undefined} */
  let transport;
  /** The stage last published. @type {Stage | null} */
  let stage = null;

  /**
   * Tells the listeners what changed, and queues a summary that was handed off. A snapshot
   * is built only for a listener that gets one.
   * @param {Stage} to  the visitor's stage now
   * @param {string | null} [summary]  the JSON text of a summary just handed off
   */
  const publish = (to, summary) => {
    /** @type {Snapshot | null} */
    let snap = null;
    const snapshot = () => (snap ??= shared ? shared.session.snapshot(Date.now()) : null);
    const from = stage;
    stage = to;
    if (emitter.has('snapshot')) emitter.emit('snapshot', /** @type {Snapshot} */ (snapshot()));
    if (from && from !== to) emitter.emit('stage', { from, to, snapshot: /** @type {Snapshot} */ (snapshot()) });
    if (!summary || !queue || !transport) return;
    const parsed = /** @type {import('./leadpulse.js').Summary} */ (JSON.parse(summary));
    if (queue.add(parsed.id, summary, Date.now())) {
      emitter.emit('qualified', { summary: parsed, snapshot: /** @type {Snapshot} */ (snapshot()) });
      transport.pump();
    }
  };

  /** Hands off the summary due now, if consent allows sending one. */
  const handoffNow = () => {
    if (consent === 'granted' && shared && queue) publish(stage ?? 'visitor', shared.handoff(HANDOFF));
  };

  /**
   * The engine trapped (a bug, or memory exhausted): its wasm instance cannot be trusted again,
   * and every later call would fail ("recursive use of an object"). Scoring stops for this
   * page, said once; the saved state (last good save) and queued summaries are kept, and the
   * transport still delivers what is queued. Inputs are bounded before they reach the engine,
   * so no input should get here.
   * @param {unknown} e
   */
  const engineFailed = (e) => {
    const trapped = e instanceof WebAssembly.RuntimeError || (e instanceof Error && /recursive use of an object/.test(e.message));
    if (!trapped) return false;
    shared = undefined;
    warn('the scoring engine stopped after an internal error; scoring is off until the page reloads (saved state and queued summaries are kept)', e);
    return true;
  };

  /** @param {TrackerEvent} ev */
  const step = (ev) => {
    if (!shared) return null;
    try {
      const sending = consent === 'granted' && queue ? HANDOFF : undefined;
      const { step: result, summary } = shared.track(ev, sending);
      publish(result.stage, summary);
      return result;
    } catch (e) {
      if (!engineFailed(e)) warn(ev.type + ' event rejected: ' + (e instanceof Error ? e.message : String(e)));
      return null;
    }
  };

  /**
   * @param {Pick<TrackerEvent, 'type' | 'event' | 'properties' | 'traits'>} signal
   * @returns {Step | null}
   */
  const record = (signal) => {
    /** @type {TrackerEvent} */
    const ev = { ...signal, anonymousId: '', timestamp: Date.now(), messageId: randomId(), context };
    if (early) early.push(ev);
    return early ? null : step(ev);
  };

  /**
   * @param {'granted' | 'denied'} mode
   * @param {boolean} remote  chosen in another tab (already stored there)
   */
  const choose = (mode, remote) => {
    if (locked || mode === consent) return;
    consent = mode;
    if (mode === 'granted') {
      store.writable = true;
      shared?.persist(true);
      // NOTE: after id and state, so a tab reacting to this key finds them (see tabs.js).
      if (!remote) store.set('consent', mode);
      if (remote) publish(shared ? shared.session.snapshot(Date.now()).stage : 'visitor');
      else handoffNow();
      transport?.pump();
    } else {
      if (!remote) store.set('consent', mode, true);
      // NOTE: also on a remote denial: this tab may have written from a stale view meanwhile.
      // NOTE: a request the visitor sent stays queued: it is theirs, not analytics.
      store.clear((key) => key === 'consent' || key.startsWith('rq:'));
      store.writable = false;
      shared?.persist(false);
    }
  };

  const cap = safe(startCapture)(o.capture, o.engagementInterval * 1000, record);

  // On a page the edge scores, the edge hands off (signed) and takes the forms: the tracker
  // scores in the page for personalisation only (docs/edge.md).
  const edge = o.edge ?? edgeScored();
  /** Requests (a visitor asking to be contacted): they go whatever the analytics consent. */
  const requestsStore = createStore(() => localStorage);
  requestsStore.writable = true;
  /** What sales did with this visitor's lead, learned with the token the collector gives. */
  const sales = o.endpoint && !edge
    ? createSales({ store, endpoint: o.endpoint, fetch: (url, req) => fetch(url, req), onStatus: (status) => emitter.emit('sales', status) })
    : undefined;
  const requests = o.endpoint || edge
    ? createRequests({
      store: requestsStore,
      endpoint: edge ? location.pathname : o.endpoint,
      edge,
      fetch: (url, req) => fetch(url, req),
      beacon: nav.sendBeacon ? (url, data) => nav.sendBeacon(url, data) : undefined,
      now: Date.now,
      random: Math.random,
      onState: (request, state) => emitter.emit('request', { request, state }),
      onAccepted: (answer) => sales?.accepted(answer),
    })
    : undefined;

  const ready = Promise.all([startWasm(init, o.wasm), loadModel(o.model)])
    .then(async ([, model]) => {
      const scorer = scorerFor(Scorer, model, typeof o.model === 'string' ? 'at ' + o.model : 'given to start()');
      shared = createShared(scorer, store, randomId, {
        shadow: await shadowScorer(Scorer, o.shadow),
        locks: nav.locks,
        handoff: () => (consent === 'granted' && queue ? HANDOFF : undefined),
        onSummary: (summary) => publish(/** @type {Stage} */ (JSON.parse(summary).stage), summary),
      });
      if (o.endpoint && !edge) {
        queue = createQueue(store, Math.random);
        transport = createTransport({
          endpoint: o.endpoint,
          queue,
          fetch: (url, req) => fetch(url, req),
          beacon: nav.sendBeacon ? (url, data) => nav.sendBeacon(url, data) : undefined,
          now: Date.now,
          onAccepted: (answer) => sales?.accepted(answer),
        });
      }
      if (consent === 'granted') shared.persist(true);
      if (consent === 'granted') void sales?.ask();
      const evs = early || [];
      early = null;
      for (const ev of evs) step(ev);
      const first = shared.session.snapshot(Date.now());
      if (stage === null) publish(first.stage);
      handoffNow();
      if (consent === 'granted') transport?.pump();
      return first;
    })
    .catch((e) => {
      // NOTE: never another model in silence: tracking stays off, and the site hears why
      // (`ready` rejects, an `error` event, one warning).
      early = null;
      shared = undefined;
      cap?.stop();
      const error = e instanceof Error ? e : new Error(String(e));
      warn('could not start; tracking is off: ' + error.message);
      emitter.emit('error', error);
      throw error;
    });
  // NOTE: a site that never awaits `ready` gets no "unhandled rejection" from it.
  ready.catch(() => {});

  /**
   * Sends a request (a form, an e-mail given in the chat) and records it in the engine: what
   * the visitor typed, with their visitor id only under analytics consent.
   * @param {string} form
   * @param {Record<string, string>} fields
   * @param {string | null} [event]  the form's own `data-leadpulse-event`
   * @returns {import('./tracker/requests.js').Request | string}  the request, or why it was not sent
   */
  const ask = (form, fields, event) => {
    const visitor = consent === 'granted' && shared ? shared.session.visitor : null;
    const request = buildRequest({ id: requestId((bytes) => crypto.getRandomValues(bytes)), form, visitor, page: location.pathname, at: Date.now(), fields, runtime: 'browser' });
    const why = problem(request);
    if (why) return why;
    const bot = context.webdriver || Boolean(shared && shared.session.snapshot(Date.now()).bot);
    // NOTE: sent before the events are recorded, so it leaves before the summary they may hand
    // off: the collector then joins the two into one message to sales.
    if (!bot) requests?.send(request);
    const known = traits(fields);
    if (Object.keys(known).length) record({ type: 'identify', traits: nested(known) });
    const { event: name, properties } = formEvent(request.form, event);
    record({ type: 'track', event: name, properties });
    if (bot) return 'a bot is not heard';
    return requests ? request : 'no endpoint: nowhere to send the request';
  };
  /** @type {Map<string, HTMLFormElement>} the forms waiting for their request's outcome */
  const pendingForms = new Map();
  emitter.on('request', ({ request, state }) => {
    const form = pendingForms.get(request.id);
    if (!form) return;
    if (state !== 'queued') pendingForms.delete(request.id);
    showState(form, state);
  });
  // NOTE: on an edge-scored page a form posts itself to the edge, which answers it (signed).
  if (requests && !edge) {
    safe(startForms)((form, typed) => {
      const sent = ask(typed.form, typed.fields, form.getAttribute('data-leadpulse-event'));
      if (typeof sent === 'string') {
        warn('form not sent: ' + sent);
        showState(form, 'refused');
        return;
      }
      pendingForms.set(sent.id, form);
      showState(form, 'sending');
    });
  }
  requests?.pump();

  const hide = () => {
    cap?.flush();
    shared?.flush();
    if (consent === 'granted') transport?.flush();
    requests?.flush();
  };
  const listen = (/** @type {EventTarget} */ t, /** @type {string} */ type, /** @type {(e: Event) => void} */ fn) =>
    t.addEventListener(type, safe(fn));
  listen(window, 'pagehide', hide);
  listen(document, 'visibilitychange', () => {
    if (document.visibilityState === 'hidden') hide();
    else if (consent === 'granted' && shared) sales?.refresh();
  });
  listen(window, 'online', () => {
    if (consent === 'granted') transport?.pump();
    requests?.pump();
  });
  listen(window, 'storage', (e) => {
    const { key, newValue } = /** @type {StorageEvent} */ (e);
    if (key === PREFIX + 'consent' && (newValue === 'granted' || newValue === 'denied')) choose(newValue, true);
    else if (key === PREFIX + 'state' && shared?.sync()) publish(shared.session.snapshot(Date.now()).stage);
  });

  return {
    ready,
    track: safe((name, properties) => record({ type: 'track', event: name, properties: properties || {} }), null),
    identify: safe((traits) => record({ type: 'identify', traits }), null),
    answer: safe((slot, value) => record({ type: 'answer', properties: { slot, value } }), null),
    snapshot: safe(() => (shared ? shared.session.snapshot(Date.now()) : null), null),
    nextQuestion: safe(() => (shared ? shared.session.nextQuestion() : null), null),
    consent: safe((choice) => {
      if (choice === 'granted' || choice === 'denied') {
        if (locked && choice === 'granted') warn('consent("granted") ignored: the browser sends Do Not Track or Global Privacy Control (respectDoNotTrack: false overrides)');
        choose(choice, false);
      } else if (choice !== undefined) warn('consent() takes "granted" or "denied"');
      return consent;
    }, consent),
    on: safe((name, cb) => {
      if (typeof cb === 'function' && ['snapshot', 'stage', 'qualified', 'request', 'sales', 'error'].includes(name)) return emitter.on(name, cb);
      warn('on() takes "snapshot", "stage", "qualified", "request", "sales" or "error" and a function');
      return () => {};
    }, () => {}),
    sales: safe(() => sales?.current() ?? null, null),
    request: safe((form, fields) => {
      const clean = Object.fromEntries(Object.entries(fields || {}).filter(([, v]) => typeof v === 'string' && v.trim()));
      const sent = ask(String(form || 'contact'), /** @type {Record<string, string>} */ (clean));
      if (typeof sent === 'string') warn('request not sent: ' + sent);
      return typeof sent === 'string' ? null : sent;
    }, null),
    reset: safe(() => {
      if (early) early.length = 0;
      if (!shared) return;
      shared.reset();
      stage = null;
      publish(shared.session.snapshot(Date.now()).stage);
    }),
  };
}

// Script-tag build: auto-start when this module was loaded by a
// <script type="module" src=".../leadpulse.js" data-…> tag, and expose window.leadpulse.
if (typeof document !== 'undefined') {
  safe(() => {
    const el = [...document.querySelectorAll('script[type=module][src]')].find(
      (s) => s instanceof HTMLScriptElement && s.src === import.meta.url && s.getAttributeNames().some((n) => n.startsWith('data-')),
    );
    if (el) window.leadpulse = start(fromAttributes((n) => el.getAttribute(n)));
  })();
}
