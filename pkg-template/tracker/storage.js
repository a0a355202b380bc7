import { warn } from './guard.js';

export const PREFIX = 'leadpulse:';

/**
 * localStorage under the `leadpulse:` prefix. It never throws (private mode, full quota,
 * sandboxed frames) and refuses every write while `writable` is false, i.e. before consent is
 * granted; `force` is only for the consent choice itself.
 * @param {() => Storage | undefined} area  called lazily: the getter itself may throw
 */
export function createStore(area) {
  /** @type {Storage | undefined | null} */
  let ls = null;
  const get = () => {
    if (ls === null) {
      try {
        ls = area();
      } catch {
        ls = undefined;
      }
    }
    return ls;
  };
  const store = {
    writable: false,
    /** @param {string} key @returns {string | null} */
    get(key) {
      try {
        return get()?.getItem(PREFIX + key) ?? null;
      } catch {
        return null;
      }
    },
    /**
     * @param {string} key
     * @param {string} value
     * @param {boolean} [force]
     * @returns {boolean} stored
     */
    set(key, value, force) {
      const s = get();
      if (!s || !(store.writable || force)) return false;
      try {
        s.setItem(PREFIX + key, value);
        return true;
      } catch (e) {
        warn('could not write localStorage', e);
        return false;
      }
    },
    /** @param {string} key */
    del(key) {
      try {
        get()?.removeItem(PREFIX + key);
      } catch {
        // nothing to remove
      }
    },
    /**
     * Parsed JSON; bad JSON is discarded with one warning.
     * @param {string} key
     * @returns {unknown}
     */
    json(key) {
      const v = store.get(key);
      if (v === null) return null;
      try {
        return JSON.parse(v);
      } catch {
        warn('discarded corrupt localStorage entry ' + PREFIX + key);
        store.del(key);
        return null;
      }
    },
    /**
     * Our keys (without the prefix) that start with `start`.
     * @param {string} [start]
     * @returns {string[]}
     */
    keys(start = '') {
      /** @type {string[]} */
      const out = [];
      const s = get();
      try {
        for (let i = 0; s && i < s.length; i++) {
          const k = s.key(i);
          if (k && k.startsWith(PREFIX + start)) out.push(k.slice(PREFIX.length));
        }
      } catch {
        // storage went away
      }
      return out;
    },
    /**
     * Removes every `leadpulse:` key except those `keep` lists (or says to keep).
     * @param {string[] | ((key: string) => boolean)} keep
     */
    clear(keep) {
      const kept = typeof keep === 'function' ? keep : (/** @type {string} */ k) => keep.includes(k);
      for (const k of store.keys()) if (!kept(k)) store.del(k);
    },
  };
  return store;
}

/** @typedef {ReturnType<typeof createStore>} Store */
