// Waits for the LeadPulse tracker (a separate module script) to expose `window.leadpulse`;
// `whenTracker` also waits until it started (`ready` resolves with the first snapshot, and
// rejects with the reason when it could not start: tracking is then off).
let loaded = null;

/** The tracker once its module has run (whether or not it could start). */
export function whenLoaded(timeoutMs = 10000) {
  if (!loaded) {
    loaded = new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        if (window.leadpulse && window.leadpulse.ready) resolve(window.leadpulse);
        else if (Date.now() - started > timeoutMs) reject(new Error('tracker did not load'));
        else setTimeout(poll, 20);
      };
      poll();
    });
  }
  return loaded;
}

/** The tracker once it started. */
export async function whenTracker(timeoutMs = 10000) {
  const lp = await whenLoaded(timeoutMs);
  await lp.ready;
  return lp;
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
