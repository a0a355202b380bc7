// Nothing the tracker does may throw into the host page: every entry point, listener and
// timer goes through `safe`, and every problem is reported once with `warn`.

/** @type {Set<string>} */
const warned = new Set();

/**
 * Prints `leadpulse: <msg>` with console.warn, once per distinct message.
 * @param {string} msg
 * @param {unknown} [cause]
 */
export function warn(msg, cause) {
  if (warned.has(msg)) return;
  warned.add(msg);
  try {
    if (cause === undefined) console.warn('leadpulse: ' + msg);
    else console.warn('leadpulse: ' + msg, cause);
  } catch {
    // no console: nothing more to do
  }
}

/**
 * Wraps `fn` so that it never throws: an error becomes one console.warn and `fallback`.
 * @template {unknown[]} A
 * @template R
 * @param {(...args: A) => R} fn
 * @param {R} [fallback]
 * @returns {(...args: A) => R}
 */
export function safe(fn, fallback) {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      warn('internal error (ignored)', e);
      return /** @type {R} */ (fallback);
    }
  };
}
