// Waits for the LeadPulse tracker (a separate module script) to expose `window.leadpulse`
// and finish loading its model (`ready` resolves with the first snapshot, or null on failure).
let pending = null;

export function whenTracker(timeoutMs = 10000) {
  if (!pending) {
    pending = new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        const lp = window.leadpulse;
        if (lp && lp.ready) {
          Promise.resolve(lp.ready).then((first) => {
            if (first) resolve(lp);
            else reject(new Error('scoring engine could not start'));
          }, reject);
        } else if (Date.now() - started > timeoutMs) {
          reject(new Error('tracker did not load'));
        } else {
          setTimeout(poll, 20);
        }
      };
      poll();
    });
  }
  return pending;
}

/** Tracker calls never throw into the page; this keeps the widgets equally safe. */
export function safely(fn, fallback = null) {
  try {
    return fn();
  } catch (err) {
    console.warn('[northwind]', err);
    return fallback;
  }
}
