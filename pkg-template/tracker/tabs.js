import { warn } from './guard.js';

// Several tabs of one site share one visitor without double counting: "reload, then apply".
// While consent is granted, every step first reloads the state another tab saved since this
// tab last saw it (`leadpulse:state`, which names the visitor; `leadpulse:id` is kept beside
// it), applies this tab's own event once, then saves. localStorage is synchronous, so a step
// is a single task. Other tabs learn of a save from the `storage` event and call sync() to
// show the new snapshot. Before consent each tab scores alone in memory and keeps its own
// events; on grant it adopts what another tab may have saved and re-applies them on top
// (messageIds keep that idempotent).

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
 * @param {Scorer} scorer
 * @param {import('./storage.js').Store} store
 * @param {() => string} newId
 */
export function createShared(scorer, store, newId) {
  let id = newId();
  let session = scorer.session(id);
  let persist = false;
  /** The saved state this tab's session reflects. @type {string | null} */
  let last = null;
  /** This tab's events applied while not persisting. @type {TrackerEvent[]} */
  let log = [];

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
  };

  const save = () => {
    const s = session.save();
    if (s.length > STATE_MAX) return warn('state over ' + STATE_MAX + ' chars; not saved');
    if (s !== last && store.set('state', s)) last = s;
  };

  /**
   * Adopts the state another tab saved since this tab last saw it.
   * @returns {boolean} whether the session changed
   */
  function sync() {
    const saved = persist ? store.get('state') : null;
    if (saved === null || saved === last) return false;
    open(saved);
    return true;
  }

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
    const step = session.track(/** @type {LeadEvent} */ (ev), Date.now());
    const summary = handoff && step.summaryDue ? session.handoff(Date.now(), handoff) ?? null : null;
    if (persist) save();
    else if (log.push(ev) > LOG_MAX) log.shift();
    return { step, summary };
  }

  /**
   * Hands off the summary that is due now, if any (consent was just granted); saves.
   * @param {SummaryOptions} options
   * @returns {string | null}
   */
  function handoff(options) {
    sync();
    const summary = session.handoff(Date.now(), options) ?? null;
    if (summary && persist) save();
    return summary;
  }

  return {
    sync,
    track,
    handoff,
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
      if (!on) return;
      const saved = store.get('state');
      const sid = store.get('id');
      if (saved !== null || (sid && sid !== id)) {
        if (sid) id = sid;
        open(saved ?? undefined);
        for (const ev of log) {
          ev.anonymousId = id;
          try {
            session.track(/** @type {LeadEvent} */ (ev), Date.now());
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
      open();
      if (persist) {
        store.set('id', id);
        save();
      }
    },
  };
}

/** @typedef {ReturnType<typeof createShared>} Shared */
