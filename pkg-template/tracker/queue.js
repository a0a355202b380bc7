import { warn } from './guard.js';

// The summary queue, shared by every tab through localStorage: one key per summary
// (`leadpulse:q:<id>`), so tabs adding or finishing different summaries never overwrite each
// other, plus the ids already finished (`leadpulse:sent`: delivered or refused for good), so
// a summary is never queued twice. Every operation re-reads storage.

/** Retry delays: base and cap (ms). */
export const BASE_MS = 1000;
export const MAX_MS = 300000;
/** At most this many summaries wait; past it the oldest is dropped. */
export const QUEUE_MAX = 20;
/** How many finished ids are remembered. */
export const SENT_MAX = 50;
/** How long a tab owns an entry it is sending (ms): other tabs leave it alone meanwhile. */
export const LEASE_MS = 30000;
/** After a beacon: long enough that the other tabs' unload handlers skip the entry, short
 * enough that a reload confirms it with a fetch (the collector dedupes by id) without waiting. */
export const BEACON_LEASE_MS = 3000;

/**
 * One waiting summary: queued at `t`, `n` failed attempts so far, not to be sent before `at`,
 * owned by a sending tab until `lease` (epoch ms).
 * @typedef {{ id: string, body: string, t: number, n: number, at: number, lease: number }} Entry
 */

/**
 * Delay before the next attempt after `failures` failed ones: exponential from 1 s, capped at
 * 5 min, with "equal jitter" (a random point in the upper half of the step).
 * @param {number} failures  ≥ 1
 * @param {() => number} random  in [0, 1)
 */
export function backoff(failures, random) {
  const step = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(Math.max(failures, 1) - 1, 20));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * What a collector response means for the entry.
 * @param {number} status  HTTP status, 0 for a network error
 * @returns {'done' | 'drop' | 'retry'}
 */
export function verdict(status) {
  if (status >= 200 && status < 300) return 'done';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'drop';
  return 'retry';
}

/**
 * `Retry-After` in ms (seconds or an HTTP date), 0 when absent or unreadable; at most 1 h.
 * @param {string | null} header
 * @param {number} now
 */
export function retryAfter(header, now) {
  if (!header) return 0;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now;
  return ms > 0 ? Math.min(ms, 3600000) : 0;
}

/**
 * @param {import('./storage.js').Store} store
 * @param {() => number} random
 * @param {{ entry: string, sent: string | null }} [keys]  the key prefix of entries and the key
 *   of the finished ids (summaries: `q:` and `sent`, so a summary is never queued twice;
 *   requests: `rq:` and none — each has a fresh random id, and nothing stays once it is sent)
 */
export function createQueue(store, random, keys = { entry: 'q:', sent: 'sent' }) {
  const key = (/** @type {string} */ id) => keys.entry + id;
  /** @param {string} id @returns {Entry | null} */
  const read = (id) => {
    const e = /** @type {{ [k: string]: unknown } | null} */ (store.json(key(id)));
    const { body, at, t, n, lease } = e || {};
    if (typeof body === 'string' && typeof at === 'number') {
      return { id, body, at, t: Number(t) || 0, n: Number(n) || 0, lease: Number(lease) || 0 };
    }
    if (e) store.del(key(id));
    return null;
  };
  /** @param {Entry} e */
  const write = (e) => {
    const { id, ...rest } = e;
    return store.set(key(id), JSON.stringify(rest));
  };
  /** @returns {Entry[]} oldest first */
  const entries = () =>
    store
      .keys(keys.entry)
      .map((k) => read(k.slice(keys.entry.length)))
      .filter((e) => e !== null)
      .sort((a, b) => a.t - b.t);
  /** @returns {string[]} */
  const sent = () => {
    const s = keys.sent === null ? null : store.json(keys.sent);
    return Array.isArray(s) ? s.filter((x) => typeof x === 'string') : [];
  };

  return {
    entries,
    /**
     * Queues a summary unless its id is queued or finished already.
     * @param {string} id
     * @param {string} body  the JSON sent, byte for byte, on every attempt
     * @param {number} now
     * @returns {boolean} queued
     */
    add(id, body, now) {
      if (store.get(key(id)) !== null || sent().includes(id)) return false;
      if (!write({ id, body, t: now, n: 0, at: now, lease: 0 })) return false;
      const q = entries();
      if (q.length > QUEUE_MAX) {
        for (const e of q.slice(0, q.length - QUEUE_MAX)) store.del(key(e.id));
        warn('queue full: dropped the oldest');
      }
      return true;
    },
    /**
     * Claims the entries that are due (all unleased ones if `all`), leasing them to this tab.
     * @param {number} now
     * @param {boolean} [all]
     * @param {number} [leaseMs]
     * @returns {Entry[]}
     */
    claim(now, all, leaseMs = LEASE_MS) {
      const out = entries().filter((e) => !(e.lease > now) && (all || e.at <= now));
      for (const e of out) {
        e.lease = now + leaseMs;
        write(e);
      }
      return out;
    },
    /**
     * The entry was delivered (or refused for good): forget it, remember its id.
     * @param {string} id
     */
    finish(id) {
      store.del(key(id));
      if (keys.sent === null) return;
      const s = sent().filter((x) => x !== id);
      s.push(id);
      store.set(keys.sent, JSON.stringify(s.slice(-SENT_MAX)));
    },
    /**
     * Another attempt is needed: back off (at least `minDelay` ms) and release the lease.
     * An entry that is gone meanwhile (finished elsewhere, consent withdrawn) stays gone.
     * @param {string} id
     * @param {number} now
     * @param {number} [minDelay]
     */
    retry(id, now, minDelay = 0) {
      const e = read(id);
      if (!e) return;
      e.n++;
      e.at = now + Math.max(backoff(e.n, random), minDelay);
      e.lease = 0;
      write(e);
    },
    /** When the next entry becomes sendable (epoch ms), or null if none waits. */
    next() {
      const t = entries().map((e) => Math.max(e.at, e.lease));
      return t.length ? Math.min(...t) : null;
    },
  };
}

/** @typedef {ReturnType<typeof createQueue>} Queue */
