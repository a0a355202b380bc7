// LeadPulse browser tracker: scores the visitor in the tab with the wasm core and forwards
// only a qualified-lead summary, only with consent. Public API: leadpulse.d.ts.
import init, { Scorer } from './leadpulse_core.js';
import { startCapture } from './tracker/capture.js';
import { browserOptOut, resolveConsent } from './tracker/consent.js';
import { createEmitter } from './tracker/emitter.js';
import { safe, warn } from './tracker/guard.js';
import { randomId } from './tracker/ids.js';
import { fromAttributes, withDefaults } from './tracker/options.js';
import { createQueue } from './tracker/queue.js';
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

/**
 * A compiled model from a URL (fetched in parallel with the wasm), else as given
 * (compiled text or bytes; undefined = built-in).
 * @param {StartOptions['model']} model
 * @returns {Promise<StartOptions['model']>}
 */
async function loadModel(model) {
  if (typeof model !== 'string' || model.startsWith(COMPILED)) return model;
  try {
    const r = await fetch(model);
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return await r.text();
  } catch (e) {
    warn('could not load model ' + model + '; using the built-in model', e);
    return undefined;
  }
}

/** How a compiled model's text begins (base64url of its magic). */
const COMPILED = 'TFBN';
/** Summaries from the tracker: the e-mail goes only with consent, which sending implies. */
/** @type {SummaryOptions} */
const HANDOFF = { runtime: 'browser', includeEmail: true };

/**
 * The scorer for a model; the built-in one if it is absent or invalid.
 * @param {StartOptions['model']} model
 */
function scorerFor(model) {
  // NOTE: the core checks whatever it is given and says why it refuses it (a model document
  // needs compiling: `leadpulse compile`); undefined = built-in.
  const make = (/** @type {unknown} */ m) => new Scorer(/** @type {string | Uint8Array} */ (m));
  if (model !== undefined) {
    try {
      return make(model);
    } catch (e) {
      warn('invalid model; using the built-in model', e);
    }
  }
  return make(undefined);
}

/**
 * The challenger's scorer, or none when its model is invalid (the site runs on without it).
 * @param {StartOptions['model']} model
 */
function shadowScorer(model) {
  try {
    return new Scorer(/** @type {string | Uint8Array} */ (model));
  } catch (e) {
    warn('invalid shadow model; running without it', e);
    return undefined;
  }
}

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
      store.clear(['consent']);
      store.writable = false;
      shared?.persist(false);
    }
  };

  const ready = Promise.all([init(), loadModel(o.model), o.shadow === undefined ? undefined : loadModel(o.shadow)])
    .then(([, model, shadow]) => {
      shared = createShared(scorerFor(model), store, randomId, {
        shadow: shadow === undefined ? undefined : shadowScorer(shadow),
        locks: nav.locks,
        handoff: () => (consent === 'granted' && queue ? HANDOFF : undefined),
        onSummary: (summary) => publish(/** @type {Stage} */ (JSON.parse(summary).stage), summary),
      });
      if (o.endpoint) {
        queue = createQueue(store, Math.random);
        transport = createTransport({
          endpoint: o.endpoint,
          queue,
          fetch: (url, req) => fetch(url, req),
          beacon: nav.sendBeacon ? (url, data) => nav.sendBeacon(url, data) : undefined,
          now: Date.now,
        });
      }
      if (consent === 'granted') shared.persist(true);
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
      early = null;
      warn('could not start; tracking is off', e);
      return null;
    });

  const cap = safe(startCapture)(o.capture, o.engagementInterval * 1000, record);
  const hide = () => {
    cap?.flush();
    shared?.flush();
    if (consent === 'granted') transport?.flush();
  };
  const listen = (/** @type {EventTarget} */ t, /** @type {string} */ type, /** @type {(e: Event) => void} */ fn) =>
    t.addEventListener(type, safe(fn));
  listen(window, 'pagehide', hide);
  listen(document, 'visibilitychange', () => document.visibilityState === 'hidden' && hide());
  listen(window, 'online', () => consent === 'granted' && transport?.pump());
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
      if (typeof cb === 'function' && ['snapshot', 'stage', 'qualified'].includes(name)) return emitter.on(name, cb);
      warn('on() takes "snapshot", "stage" or "qualified" and a function');
      return () => {};
    }, () => {}),
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
