import { warn } from './guard.js';

// Several tabs of one site share one visitor without double counting or losing events:
// "reload, then apply". While consent is granted, every step first reloads the state another
// tab saved since this tab last saw it (`leadpulse:state`, which names the visitor;
// `leadpulse:id` is kept beside it), applies this tab's own event once, then saves. Other tabs
// learn of a save from the `storage` event and call sync() to show the new snapshot. Before
// consent each tab scores alone in memory and keeps its own events; on grant it adopts what
// another tab may have saved and re-applies them on top (messageIds keep that idempotent).
//
// NOTE: tabs run in different processes, and each process reads localStorage from its own
// copy, updated asynchronously: two tabs can both read state S and both write S + their own
// event, and one event is lost. Where the Web Locks API exists, the write is therefore a
// merge under the lock `leadpulse:state`: re-read the saved state, re-apply this tab's events
// not yet saved, hand off what is due on the merged state, save. Hand-offs are decided there
// only, so two tabs never hand off the same revision with different contents. Without Web
// Locks (old browsers) a step saves at once, as before.

/** The Web Locks lock that serialises the tabs' writes. */
export const LOCK = 'leadpulse:state';
/** Hard cap of the persisted state (chars), as documented by session.save(). */
export const STATE_MAX = 3072;
/** How many pre-consent events a tab keeps for that merge. */
export const LOG_MAX = 200;

/**
 * @typedef {import('../leadpulse_core.js').Scorer} Scorer
 * @typedef {import('../leadpulse_core.js').Session} Session
 * @typedef {import('../leadpulse_core.js').LeadEvent} LeadEvent
 * @typedef {import('../leadpulse_core.js').Step} Step
 * @typedef {import('../leadpulse_core.js').SummaryOptions} SummaryOptions
 * @typedef {import('../leadpulse.js').JsonObject} JsonObject
 * @typedef {{
 *   type: LeadEvent['type'], anonymousId: string, timestamp: number, messageId: string,
 *   context: { userAgent: string, webdriver?: boolean },
 *   event?: string, properties?: JsonObject, traits?: JsonObject
 * }} TrackerEvent  an event as the tracker builds it
 */

/**
 * @typedef {{ request(name: string, callback: () => void): Promise<unknown> }} Locks
 *   the part of `navigator.locks` used here
 * @typedef {{
 *   locks?: Locks, handoff?: () => SummaryOptions | undefined, onSummary?: (summary: string) => void,
 *   shadow?: Scorer
 * }} SharedOptions
 *   `handoff`: the summary options while summaries may be sent; `onSummary`: a summary handed
 *   off by a merge (with Web Locks, hand-offs happen there); `shadow`: a challenger model,
 *   scored silently on the same events, its score and stage carried in every summary
 */

/**
 * @param {Scorer} scorer
 * @param {import('./storage.js').Store} store
 * @param {() => string} newId
 * @param {SharedOptions} [options]
 */
export function createShared(scorer, store, newId, options = {}) {
  const { locks, handoff: sending = () => undefined, onSummary = () => {} } = options;
  let id = newId();
  let session = scorer.session(id);
  const shadow = options.shadow ? createShadow(options.shadow, store) : null;
  let persist = false;
  /** The saved state this tab's session reflects. @type {string | null} */
  let last = null;
  /** This tab's events applied while not persisting. @type {TrackerEvent[]} */
  let log = [];
  /** This tab's events applied but not yet merged into the saved state. @type {TrackerEvent[]} */
  let unsaved = [];
  let merging = false;

  /**
   * Replaces the session: from saved state (its visitor becomes this tab's id), else fresh.
   * @param {string} [saved]
   */
  const open = (saved) => {
    let s = scorer.session(saved === undefined ? id : undefined, saved);
    if (s.restoreError) {
      warn('saved state discarded (' + s.restoreError + '); starting fresh');
      s.free?.();
      s = scorer.session(id);
    }
    session.free?.();
    session = s;
    id = s.visitor || id;
    last = s.restoreError || saved === undefined ? null : saved;
    shadow?.open(id, last === null ? undefined : store.get('shadow') ?? undefined, last !== null);
  };

  const save = () => {
    // NOTE: the shadow first, so a tab that reacts to the `state` key finds the matching one.
    shadow?.save();
    const s = session.save();
    if (s.length > STATE_MAX) return warn('state over ' + STATE_MAX + ' chars; not saved');
    if (s !== last && store.set('state', s)) last = s;
  };

  /** `options` with the shadow's view of the visitor added, when a shadow runs. */
  const withShadow = (/** @type {SummaryOptions} */ o) => {
    const view = shadow?.view();
    return view ? { ...o, shadow: view } : o;
  };

  /** Applies an event to the champion, and silently to the shadow. */
  const apply = (/** @type {TrackerEvent} */ ev) => {
    const step = session.track(/** @type {LeadEvent} */ (ev), Date.now());
    shadow?.track(ev);
    return step;
  };

  /** Re-applies this tab's unsaved events (after the session was reopened). */
  const reapply = () => {
    for (const ev of unsaved) {
      ev.anonymousId = id;
      try {
        apply(ev);
      } catch {
        // rejected the first time too
      }
    }
  };

  /**
   * Adopts the state another tab saved since this tab last saw it.
   * @returns {boolean} whether the session changed
   */
  function sync() {
    const saved = persist ? store.get('state') : null;
    if (saved === null || saved === last) return false;
    open(saved);
    reapply();
    return true;
  }

  /** Under the lock: the latest saved state + this tab's unsaved events, hand-off, save. */
  const merge = () => {
    merging = false;
    if (!persist || unsaved.length === 0) return;
    sync();
    unsaved = [];
    const options = sending();
    const summary = options ? session.handoff(Date.now(), withShadow(options)) ?? null : null;
    save();
    if (summary) onSummary(summary);
  };

  const scheduleMerge = () => {
    if (merging || !locks) return;
    merging = true;
    locks.request(LOCK, merge).catch((/** @type {unknown} */ e) => {
      merging = false;
      warn('could not take the tabs lock; saving directly', e);
      merge();
    });
  };

  /**
   * Applies one event (throws what session.track throws: the event changed nothing). With
   * `handoff` options, a summary that became due is handed off in the same step, before the
   * state is saved: the saved state and the queue agree on what was handed off.
   * @param {TrackerEvent} ev
   * @param {SummaryOptions} [handoff]
   * @returns {{ step: Step, summary: string | null }}
   */
  function track(ev, handoff) {
    sync();
    ev.anonymousId = id;
    const step = apply(ev);
    if (persist && locks) {
      // The summary, if due, comes from the merge (onSummary), on the merged state.
      unsaved.push(ev);
      scheduleMerge();
      return { step, summary: null };
    }
    const summary = handoff && step.summaryDue ? session.handoff(Date.now(), withShadow(handoff)) ?? null : null;
    if (persist) save();
    else if (log.push(ev) > LOG_MAX) log.shift();
    return { step, summary };
  }

  /** Saves what a pending merge would (the page is going away; no time to wait for the lock). */
  function flush() {
    if (persist && unsaved.length) merge();
  }

  /**
   * Hands off the summary that is due now, if any (consent was just granted); saves.
   * @param {SummaryOptions} options
   * @returns {string | null}
   */
  function handoff(options) {
    sync();
    const summary = session.handoff(Date.now(), withShadow(options)) ?? null;
    if (summary && persist) save();
    return summary;
  }

  return {
    sync,
    track,
    handoff,
    flush,
    get session() {
      return session;
    },
    get id() {
      return id;
    },
    /**
     * Consent granted (true) or withdrawn (false). On grant, adopt the id and state another tab
     * saved, if any, and replay this tab's own events onto it; else save this tab's.
     * @param {boolean} on
     */
    persist(on) {
      if (on === persist) return;
      persist = on;
      if (!on) {
        unsaved = []; // withdrawn: nothing more is written
        return;
      }
      const saved = store.get('state');
      const sid = store.get('id');
      if (saved !== null || (sid && sid !== id)) {
        if (sid) id = sid;
        open(saved ?? undefined);
        for (const ev of log) {
          ev.anonymousId = id;
          try {
            apply(ev);
          } catch {
            // rejected the first time too
          }
        }
      }
      log = [];
      store.set('id', id);
      save();
    },
    /** A new anonymous visitor with no history (saved at once when persisting). */
    reset() {
      id = newId();
      log = [];
      unsaved = [];
      open();
      if (persist) {
        store.set('id', id);
        save();
      }
    },
  };
}

/** @typedef {ReturnType<typeof createShared>} Shared */

/**
 * The challenger: a second session on the same events, never shown, never deciding anything;
 * its state is saved beside the champion's (`leadpulse:shadow`, `w:` or `p:` + state: whether
 * it had seen the visitor's whole history). Its errors are swallowed: a broken challenger must
 * not disturb the site. Whether its view may go into summaries is the engine's rule
 * (`scorer.shadowSession`, `session.shadowView`); the edge calls the same (docs/edge.md).
 * @param {Scorer} scorer
 * @param {import('./storage.js').Store} store
 */
function createShadow(scorer, store) {
  /** @type {Session | null} */
  let session = null;
  const quiet = (/** @type {() => void} */ fn) => {
    try {
      fn();
    } catch {
      // the shadow only observes
    }
  };
  return {
    /**
     * Follows the champion being reopened, from the saved shadow state when there is one.
     * @param {string} visitor @param {string | undefined} saved @param {boolean} championRestored
     */
    open(visitor, saved, championRestored) {
      quiet(() => {
        session?.free?.();
        session = null;
        const mark = saved?.slice(0, 2);
        const state = championRestored && saved && (mark === 'w:' || mark === 'p:') ? saved.slice(2) : undefined;
        session = scorer.shadowSession(visitor, state, mark === 'w:', championRestored);
      });
    },
    /** @param {TrackerEvent} ev */
    track(ev) {
      quiet(() => {
        // NOTE: first opened here when the tab's champion started fresh (open() follows every
        // later reopening), so both start from nothing.
        session ??= scorer.shadowSession(ev.anonymousId, undefined, false, false);
        session.track(/** @type {LeadEvent} */ (ev), Date.now());
      });
    },
    save() {
      quiet(() => {
        const s = session?.save();
        if (s && s.length <= STATE_MAX) store.set('shadow', (session?.wholeHistory ? 'w:' : 'p:') + s);
      });
    },
    /** @returns {{ model: string, score: number, stage: import('../leadpulse_core.js').Stage } | undefined} */
    view() {
      try {
        return session?.shadowView(Date.now()) ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}
