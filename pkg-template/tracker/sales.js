import { readStatus } from '../sales-status.js';
import { warn } from './guard.js';

// What sales did with this visitor's lead (docs/tracker.md, "What sales did"): the collector
// answers every summary it stores with a status token; with analytics consent the tracker keeps
// it (`leadpulse:sales-token`) and asks `…/status/<token>` when the page starts and when a new
// token arrives, and again when the tab is shown after a minute or more. The answer is minimal — `with_sales` (the owner's first name and booking
// page), `recycled`, `customer`, `none` (../sales-status.js) — and lets the site stop pitching
// a demo to someone a rep already has.

/** @typedef {import('../sales-status.js').SalesStatus} SalesStatus */

/**
 * The status URL beside the collector's endpoint: `…/collect` → `…/status/<token>`.
 * @param {string} endpoint
 * @param {string} token
 */
export function statusUrl(endpoint, token) {
  const base = new URL(endpoint, location.href);
  base.pathname = base.pathname.replace(/\/collect\/?$/, '/') || '/';
  if (!base.pathname.endsWith('/')) base.pathname = base.pathname.replace(/[^/]*$/, '');
  return new URL(`status/${encodeURIComponent(token)}`, base).href;
}

/** The least time between two questions a returning visitor's tab asks. */
export const REFRESH_MS = 60_000;

/**
 * @param {{
 *   store: import('./storage.js').Store,
 *   endpoint: string,
 *   fetch: (url: string, init: RequestInit) => Promise<Response>,
 *   onStatus: (status: SalesStatus) => void,
 *   now?: () => number,
 * }} d
 */
export function createSales(d) {
  const now = d.now ?? Date.now;
  /** @type {SalesStatus | null} */
  let last = null;
  let askedAt = -Infinity;
  const ask = async () => {
    const token = d.store.get('sales-token');
    if (!token) return;
    askedAt = now();
    try {
      const r = await d.fetch(statusUrl(d.endpoint, token), { credentials: 'omit', cache: 'no-store' });
      if (r.status === 404) {
        // NOTE: the collector does not know it (another collector, a lead removed): forget it.
        d.store.del('sales-token');
        return;
      }
      const status = r.ok ? readStatus(await r.json()) : null;
      if (status && JSON.stringify(status) !== JSON.stringify(last)) {
        last = status;
        d.onStatus(status);
      }
    } catch (e) {
      warn('could not learn what sales did (ignored)', e);
    }
  };
  return {
    /** The last status learned, or null. */
    current: () => last,
    /** Asks the collector (only with a token, i.e. after a hand-off with consent). */
    ask,
    /**
     * Asks again when the visitor comes back to the tab (the rep may have called meanwhile),
     * at most once per REFRESH_MS: a tab switched to and fro costs no request each time.
     */
    refresh() {
      if (now() - askedAt >= REFRESH_MS) void ask();
    },
    /**
     * The collector's answer to something it stored: keeps a new token (with consent only:
     * the store refuses writes otherwise) and asks at once.
     * @param {unknown} answer
     */
    accepted(answer) {
      const token = /** @type {{ status?: unknown } | null} */ (answer)?.status;
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(token)) return;
      if (d.store.get('sales-token') === token) return;
      if (d.store.set('sales-token', token)) void ask();
    },
  };
}
