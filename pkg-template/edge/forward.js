// Sends one qualified-lead summary to the collector, signed:
//   X-LeadPulse-Signature: sha256=<hex HMAC-SHA256(signing secret, raw body)>
//
// The request that sends it waits a bounded time (`waitMs`) for the answer, so that a 2xx seen
// in time is recorded in the cookie it sets; the attempt (with a few quick retries of network
// errors, 408/425/429 and 5xx) goes on in `ctx.waitUntil` after that. Whatever this request
// does not see acknowledged stays pending in the cookie and is re-sent by a later request
// (outbox.js): the collector dedupes by summary id, so a re-send is harmless.

import { toHex } from './encoding.js';
import { hmacSign } from './keys.js';

const DEFAULT_RETRY_DELAYS_MS = [250, 1000];
const MAX_REASON_CHARS = 300;

/** A summary the collector refused with a final status: logged once, never re-sent. */
export class DeliveryRefusedError extends Error {
  constructor(id, { status, error, path }) {
    const why = [error, path ? `at ${path}` : null].filter(Boolean).join(' ');
    super(`the collector refused summary ${id} with ${status}${why ? ` (${why})` : ''}; `
      + 'it is not re-sent (the visitor\'s next revision will be)');
    this.name = 'DeliveryRefusedError';
    this.summaryId = id;
    this.status = status;
    this.reason = error ?? null;
    this.path = path ?? null;
  }
}

/** Whether a status is worth trying again later: no answer, timeouts, rate limits, server errors. */
export function retryable(status) {
  return status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Signs `summary.body` and sends it; resolves within about `waitMs` with what was seen:
 *   { state: 'delivered', status }                    a 2xx
 *   { state: 'refused', status, error, path }          a final answer (4xx but 408/425/429, 3xx)
 *   { state: 'pending', status, error }                no answer yet (status null), or only
 *                                                      retryable ones (0 = network error)
 * `error` / `path` are the collector's JSON `error` and `path` (or the network error).
 * Never rejects once signed; `onRefused` is called (once) for a refusal, in time or later.
 * @param {{ id: string, body: string }} summary
 * @param {{ endpoint: string, key: CryptoKey, fetcher: { fetch(url: string, init: RequestInit): Promise<Response> },
 *   waitMs: number, retryDelaysMs?: readonly number[], waitUntil?: (p: Promise<unknown>) => void,
 *   onRefused?: (outcome: object) => void }} how
 */
export async function send(summary, how) {
  const signature = `sha256=${toHex(await hmacSign(how.key, summary.body))}`;
  const attempt = () => how.fetcher.fetch(how.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-leadpulse-signature': signature },
    body: summary.body,
  });
  const progress = { status: null, error: null };
  const delivery = deliver(attempt, how.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS, progress).then((outcome) => {
    if (outcome.state === 'refused') how.onRefused?.(outcome);
    return outcome;
  });
  how.waitUntil?.(delivery);
  const settled = await within(delivery, how.waitMs);
  return settled ?? { state: 'pending', status: progress.status, error: progress.error, path: null };
}

/** Attempts until a 2xx, a final answer, or the retries run out. Never rejects. */
async function deliver(attempt, delays, progress) {
  for (let n = 0; ; n += 1) {
    let response = null;
    try {
      response = await attempt();
      progress.status = response.status;
      progress.error = null;
    } catch (error) {
      progress.status = 0;
      progress.error = String(error?.message ?? error).slice(0, MAX_REASON_CHARS);
    }
    const status = progress.status;
    if (status >= 200 && status < 300) {
      await response.body?.cancel();
      return { state: 'delivered', status, error: null, path: null };
    }
    if (!retryable(status)) return { state: 'refused', status, ...(await reason(response)) };
    await response?.body?.cancel();
    if (n >= delays.length) return { state: 'pending', status, error: progress.error, path: null };
    await new Promise((resolve) => setTimeout(resolve, delays[n]));
  }
}

/** The collector's `{ error, path }` from a refusal's JSON body (bounded), else nulls. */
async function reason(response) {
  try {
    const body = JSON.parse((await response.text()).slice(0, 4096));
    const text = (value) => (typeof value === 'string' ? value.slice(0, MAX_REASON_CHARS) : null);
    return { error: text(body?.error), path: text(body?.path) };
  } catch {
    return { error: null, path: null };
  }
}

/** `promise`'s value if it settles within `ms`, else null (the promise goes on regardless). */
async function within(promise, ms) {
  if (!(ms > 0)) return null;
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
