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
 * A model from a URL (fetched in parallel with the wasm), else as given (undefined = built-in).
 * @param {StartOptions['model']} model
 * @returns {Promise<StartOptions['model']>}
 */
async function loadModel(model) {
  if (typeof model !== 'string') return model;
  try {
    const r = await fetch(model);
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return await r.text();
  } catch (e) {
    warn('could not load model ' + model + '; using the built-in model', e);
    return undefined;
  }
}

/**
 * The scorer for a model; the built-in one if it is absent or invalid.
 * @param {StartOptions['model']} model
 */
function scorerFor(model) {
  // NOTE: the core checks whatever it is given, listing every problem; undefined = built-in.
  const make = (/** @type {unknown} */ m) => new Scorer(/** @type {ModelDocument | string} */ (m));
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
  /** @type {Snapshot | null} */
  let last = null;

  /**
   * Emits a new snapshot and queues the summary that is due, if any.
   * @param {Snapshot} snap
   * @param {boolean} [remote]  the change came from another tab, which queues the summary itself
   */
  const publish = (snap, remote) => {
    const prev = last;
    last = snap;
    emitter.emit('snapshot', snap);
    if (prev && prev.stage !== snap.stage) emitter.emit('stage', { from: prev.stage, to: snap.stage, snapshot: snap });
    if (remote || consent !== 'granted' || !shared || !queue || !transport) return snap;
    const summary = shared.session.summary(Date.now(), { runtime: 'browser', includeEmail: true });
    if (summary && queue.add(summary.id, JSON.stringify(summary), Date.now())) {
      emitter.emit('qualified', { summary, snapshot: snap });
      transport.pump();
    }
    return snap;
  };

  /** @param {TrackerEvent} ev */
  const step = (ev) => {
    if (!shared) return null;
    try {
      return publish(shared.track(ev));
    } catch (e) {
      warn(ev.type + ' event rejected: ' + (e instanceof Error ? e.message : String(e)));
      return shared.session.snapshot(Date.now());
    }
  };

  /**
   * @param {Pick<TrackerEvent, 'type' | 'event' | 'properties' | 'traits'>} signal
   * @returns {Snapshot | null}
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
      if (shared) publish(shared.session.snapshot(Date.now()));
      transport?.pump();
    } else {
      if (!remote) store.set('consent', mode, true);
      // NOTE: also on a remote denial: this tab may have written from a stale view meanwhile.
      store.clear(['consent']);
      store.writable = false;
      shared?.persist(false);
    }
  };

  const ready = Promise.all([init(), loadModel(o.model)])
    .then(([, model]) => {
      shared = createShared(scorerFor(model), store, randomId);
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
      if (!last) publish(shared.session.snapshot(Date.now()));
      if (consent === 'granted') transport?.pump();
      return last;
    })
    .catch((e) => {
      early = null;
      warn('could not start; tracking is off', e);
      return null;
    });

  const cap = safe(startCapture)(o.capture, o.engagementInterval * 1000, record);
  const hide = () => {
    cap?.flush();
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
    else if (key === PREFIX + 'state' && shared?.sync()) publish(shared.session.snapshot(Date.now()), true);
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
      publish(shared.session.snapshot(Date.now()));
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
