import { warn } from './guard.js';
import { BEACON_LEASE_MS, retryAfter, verdict } from './queue.js';

// Delivery without loss (DESIGN.md): each queued summary is POSTed with fetch(keepalive);
// when the page is hidden or left, what is still waiting goes by sendBeacon. An entry leaves
// the queue only on a 2xx or a final 4xx; anything else is retried with backoff, across
// reloads. A beaconed entry stays queued (the beacon's fate is unknown) and is confirmed by a
// later fetch, which the idempotent collector answers 200.

/**
 * @typedef {object} TransportDeps
 * @property {string} endpoint
 * @property {import('./queue.js').Queue} queue
 * @property {(url: string, init: RequestInit) => Promise<{ status: number, headers: { get(name: string): string | null } }>} fetch
 * @property {((url: string, data: Blob) => boolean) | undefined} beacon
 * @property {() => number} now
 */

/** @param {TransportDeps} d */
export function createTransport({ endpoint, queue, fetch, beacon, now }) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const schedule = () => {
    clearTimeout(timer);
    const at = queue.next();
    if (at !== null) timer = setTimeout(run, Math.max(0, at - now()) + 20);
  };

  /** @param {import('./queue.js').Entry} e */
  const send = async (e) => {
    let status = 0;
    let wait = 0;
    try {
      const r = await fetch(endpoint, {
        method: 'POST',
        keepalive: true,
        credentials: 'omit',
        headers: { 'content-type': 'application/json' },
        body: e.body,
      });
      status = r.status;
      wait = retryAfter(r.headers.get('retry-after'), now());
    } catch {
      // network error: retried
    }
    const v = verdict(status);
    if (v === 'retry') queue.retry(e.id, now(), wait);
    else {
      if (v === 'drop') warn('collector refused a summary (HTTP ' + status + '); dropped');
      queue.finish(e.id);
    }
  };

  /** Sends every due entry; resolves when all have answered. */
  async function pump() {
    await Promise.all(queue.claim(now()).map(send));
    schedule();
  }
  const run = () => pump().catch((e) => warn('internal error (ignored)', e));

  /**
   * Page hidden or left: hand every waiting entry to sendBeacon. A beaconed entry keeps a
   * short lease, so other tabs unloading at the same moment skip it; a fetch confirms it later.
   */
  function flush() {
    if (!beacon) return;
    for (const e of queue.claim(now(), true, BEACON_LEASE_MS)) {
      let ok = false;
      try {
        ok = beacon(endpoint, new Blob([e.body], { type: 'text/plain' }));
      } catch {
        // a failed attempt
      }
      if (!ok) queue.retry(e.id, now());
    }
    schedule();
  }

  return { pump: run, flush };
}
