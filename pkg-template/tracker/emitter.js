import { safe } from './guard.js';

/**
 * A minimal typed event emitter. A listener that throws is reported once and does not stop
 * the others.
 * @template {object} M  event name → payload
 */
export function createEmitter() {
  /** @type {Map<keyof M, Set<(payload: never) => void>>} */
  const subs = new Map();
  return {
    /**
     * @template {keyof M} K
     * @param {K} name
     * @param {(payload: M[K]) => void} cb
     * @returns {() => void} unsubscribe
     */
    on(name, cb) {
      let set = subs.get(name);
      if (!set) subs.set(name, (set = new Set()));
      const s = set;
      s.add(cb);
      return () => {
        s.delete(cb);
      };
    },
    /**
     * Whether anyone listens: a payload that is costly to build is built only then.
     * @param {keyof M} name
     */
    has(name) {
      return (subs.get(name)?.size ?? 0) > 0;
    },
    /**
     * @template {keyof M} K
     * @param {K} name
     * @param {M[K]} payload
     */
    emit(name, payload) {
      for (const cb of [...(subs.get(name) || [])]) safe(/** @type {(p: M[K]) => void} */ (cb))(payload);
    },
  };
}
