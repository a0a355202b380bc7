// Sends a qualified-lead summary to the collector, signed:
//   X-LeadPulse-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>
// Runs after the response (ctx.waitUntil); retries network errors, 5xx and 429 a few times.
// The collector dedupes by summary id, so a retry that raced a slow success is harmless.

import { hmac, toHex } from './hmac.js';

const RETRY_DELAYS_MS = [250, 1000];

/**
 * Signs the summary's JSON text now (so a crypto error is the caller's) and starts sending it.
 * @param {{ id: string, body: string }} summary  its id and its exact JSON text (`session.handoff()`)
 * @returns {Promise<{ delivery: Promise<number> }>} `delivery` settles with the last HTTP status
 *   (0: network error) and never rejects; hand it to `ctx.waitUntil`.
 */
export async function signedDelivery({ id, body }, { endpoint, secret, fetcher }) {
  const signature = `sha256=${toHex(await hmac(secret, body))}`;
  const send = () => fetcher.fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-leadpulse-signature': signature },
    body,
  });
  return { delivery: deliver(send, id) };
}

async function deliver(send, id) {
  for (let attempt = 0; ; attempt += 1) {
    let status = 0;
    try {
      const response = await send();
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      status = 0;
      if (attempt >= RETRY_DELAYS_MS.length) console.warn(`leadpulse: summary ${id} not delivered: ${error}`);
    }
    if (status >= 200 && status < 300) return status;
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable || attempt >= RETRY_DELAYS_MS.length) {
      if (status) console.warn(`leadpulse: collector answered ${status} for summary ${id}`);
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
  }
}
