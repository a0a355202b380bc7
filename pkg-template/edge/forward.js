// Sends one qualified-lead summary to the collector, signed:
//   X-LeadPulse-Signature: sha256=<hex HMAC-SHA256(signing secret, raw body)>
//
// The request that sends it waits a bounded time (`waitMs`) for the answer, so that a 2xx seen
// in time is recorded in the cookie it sets; the attempt (with a few quick retries of network
// errors, 408/425/429 and 5xx) goes on in `ctx.waitUntil` after that. Whatever this request
// does not see acknowledged stays pending in the cookie and is re-sent by a later request
// (outbox.js): the collector dedupes by summary id, so a re-send is harmless.
//
// 401 and 403 say the collector did not take the signature: during a rotation of the signing
// secret the two sides hold different secrets for a while. Not retried quickly (the same
// signature would be refused again) nor given up: pending, and every re-send is signed anew
// with the secret the edge holds then.

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

/**
 * The collector did not accept the signature of a summary (401 / 403): reported, and the
 * summary stays pending, re-sent (re-signed) by the visitor's later requests with backoff.
 */
export class DeliveryUnauthorizedError extends Error {
  constructor(id, { status, error }) {
    super(`the collector answered ${status} to summary ${id}${error ? ` (${error})` : ''}; it stays pending and is `
      + 're-sent with backoff, signed with the signing secret the edge holds then. During a rotation this ends once '
      + "the collector accepts the edge's LEADPULSE_SIGNING_SECRET; otherwise it is not the collector's --signing-secret");
    this.name = 'DeliveryUnauthorizedError';
    this.summaryId = id;
    this.status = status;
    this.reason = error ?? null;
  }
}

/** Whether a status is worth trying again at once: no answer, timeouts, rate limits, server errors. */
export function retryable(status) {
  return status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Whether the collector refused the signature (see the top of this file): re-sent later, re-signed. */
export function unauthorized(status) {
  return status === 401 || status === 403;
}

/**
 * Signs `summary.body` and sends it; resolves within about `waitMs` with what was seen:
 *   { state: 'delivered', status }                    a 2xx
 *   { state: 'refused', status, error, path }          a final answer (4xx but 401/403/408/425/429, 3xx)
 *   { state: 'pending', status, error }                no answer yet (status null), only
 *                                                      retryable ones (0 = network error), or
 *                                                      401/403 (the signature not accepted)
 * `error` / `path` are the collector's JSON `error` and `path` (or the network error).
 * Never rejects once signed; `onRefused` is called (once) for a refusal and `onUnauthorized`
 * for a 401/403, in time or later.
 * @param {{ id: string, body: string }} summary
 * @param {{ endpoint: string, key: CryptoKey, fetcher: { fetch(url: string, init: RequestInit): Promise<Response> },
 *   waitMs: number, retryDelaysMs?: readonly number[], waitUntil?: (p: Promise<unknown>) => void,
 *   onRefused?: (outcome: object) => void, onUnauthorized?: (outcome: object) => void }} how
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
    if (outcome.state === 'pending' && unauthorized(outcome.status)) how.onUnauthorized?.(outcome);
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
    if (unauthorized(status)) return { state: 'pending', status, ...(await reason(response)) };
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
