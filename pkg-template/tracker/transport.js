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
 * @property {((url: string, data: BodyInit) => boolean) | undefined} beacon
 * @property {() => number} now
 * @property {(id: string, outcome: 'done' | 'drop' | 'retry', status: number) => void} [onResult]
 *   told what each fetch attempt came to (a request's form shows it)
 * @property {(answer: unknown) => void} [onAccepted]  the collector's JSON answer to a 2xx (it
 *   carries the status token: sales.js)
 * @property {(body: string) => { type: string, body: BodyInit }} [encode]  how an entry goes on
 *   the wire (default: the JSON text as is)
 * @property {RequestCredentials} [credentials]  default `omit`: the collector needs no cookie
 */

/** @param {string} body */
const asJson = (body) => ({ type: 'application/json', body });

/** @param {TransportDeps} d */
export function createTransport({ endpoint, queue, fetch, beacon, now, onResult, onAccepted, encode = asJson, credentials = 'omit' }) {
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
      const wire = encode(e.body);
      const r = await fetch(endpoint, {
        method: 'POST',
        keepalive: true,
        credentials,
        headers: { 'content-type': wire.type },
        body: wire.body,
      });
      status = r.status;
      wait = retryAfter(r.headers.get('retry-after'), now());
      if (onAccepted && status >= 200 && status < 300 && 'json' in r) {
        onAccepted(await /** @type {{ json(): Promise<unknown> }} */ (r).json().catch(() => null));
      }
    } catch {
      // network error: retried
    }
    const v = verdict(status);
    if (v === 'retry') queue.retry(e.id, now(), wait);
    else {
      if (v === 'drop') warn('the collector refused what was sent (HTTP ' + status + '); dropped');
      queue.finish(e.id);
    }
    onResult?.(e.id, v, status);
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
        const wire = encode(e.body);
        ok = beacon(endpoint, wire.type === 'application/json' ? new Blob([e.body], { type: 'text/plain' }) : /** @type {Blob} */ (wire.body));
      } catch {
        // a failed attempt
      }
      if (!ok) queue.retry(e.id, now());
    }
    schedule();
  }

  return { pump: run, flush };
}
