// What sales did with a visitor's lead, at the edge (docs/edge.md, "What sales did"): for a
// visitor whose cookie shows a hand-off the collector acknowledged, the edge asks the
// collector — `GET …/status?visitor=<id>`, signed with the signing secret over
// `status|<visitor>|<unix seconds>` — and checks the answer's own signature. The answer
// (`with_sales` with the owner's first name and booking page, `recycled`, `customer`, `none`;
// ../sales-status.js) is `lead.sales`, so
// the page can stop pitching a demo to a visitor a rep already has. Answers are kept per isolate
// for a few minutes (a visitor's pages do not each cost a round trip) and a slow collector
// never holds the page: past `waitMs` the request goes on without it.

import { readStatus } from '../sales-status.js';
import { toHex } from './encoding.js';
import { hmacSign, signingKey } from './keys.js';

const TTL_MS = 5 * 60 * 1000;
const MAX_CACHED = 1000;
const DEFAULT_WAIT_MS = 150;

/** visitor → { status, until } */
const cache = new Map();

/** The status URL beside the collector's endpoint (`…/collect` → `…/status`). */
export function statusUrl(endpoint, visitor) {
  const url = new URL(endpoint);
  url.pathname = url.pathname.replace(/\/collect\/?$/, '/status');
  if (!url.pathname.endsWith('/status')) url.pathname = url.pathname.replace(/[^/]*$/, 'status');
  url.search = new URLSearchParams({ visitor }).toString();
  return url.href;
}

/** Equal strings, compared without an early exit. */
function same(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The visitor's sales status, or null (none known, not asked, no answer in time, not genuine).
 * Never throws.
 * @param {{ visitor: string, endpoint: string, signingSecret: string, fetcher: { fetch: typeof fetch },
 *   waitMs?: number, waitUntil?: (p: Promise<unknown>) => void }} how
 */
export async function salesStatus(how) {
  // NOTE: the wall clock, not the scoring clock: freshness is between the edge and the collector.
  const now = Date.now();
  const hit = cache.get(how.visitor);
  if (hit && hit.until > now) return hit.status;
  const ask = (async () => {
    try {
      const key = await signingKey(how.signingSecret);
      const stamp = String(Math.floor(now / 1000));
      const signature = `sha256=${toHex(await hmacSign(key, `status|${how.visitor}|${stamp}`))}`;
      const response = await how.fetcher.fetch(statusUrl(how.endpoint, how.visitor), {
        headers: { 'x-leadpulse-timestamp': stamp, 'x-leadpulse-signature': signature },
      });
      const body = await response.text();
      if (response.status === 404) return remember(how.visitor, now, null);
      if (!response.ok) return null;
      const expected = `sha256=${toHex(await hmacSign(key, body))}`;
      if (!same(expected, response.headers.get('x-leadpulse-signature') ?? '')) return null;
      const status = readStatus(JSON.parse(body));
      return status ? remember(how.visitor, now, status) : null;
    } catch {
      return null;
    }
  })();
  how.waitUntil?.(ask);
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(hit?.status ?? null), how.waitMs ?? DEFAULT_WAIT_MS); });
  try {
    return await Promise.race([ask, late]);
  } finally {
    clearTimeout(timer);
  }
}

function remember(visitor, now, status) {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(visitor, { status, until: now + TTL_MS });
  return status;
}
