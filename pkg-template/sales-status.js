// The collector's answer to "what did sales do with this visitor's lead?" (docs/collector.md,
// "What the site learns"), read the same way by the tracker and the edge: a state, and while
// the lead is with sales the owner's first name and, when the team published one, their
// booking page. Anything else in the answer is dropped; a malformed answer is no answer.

/** @typedef {{ firstName: string, bookingUrl?: string }} SalesOwner */
/** @typedef {{ sales: 'none' | 'with_sales' | 'recycled' | 'customer', owner: SalesOwner | null }} SalesStatus */

export const SALES_STATES = ['none', 'with_sales', 'recycled', 'customer'];

const MAX_NAME = 64;
const MAX_URL = 2048;

/**
 * A booking page the site may link to: an absolute http(s) URL, else nothing (a `javascript:`
 * URL in a link would run in the host page).
 * @param {unknown} url
 */
function bookingUrl(url) {
  if (typeof url !== 'string' || url.length > MAX_URL) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A status answer as the tracker and the edge pass it on, or null when it is not one.
 * @param {unknown} body
 * @returns {SalesStatus | null}
 */
export function readStatus(body) {
  const b = /** @type {{ sales?: unknown, owner?: { firstName?: unknown, bookingUrl?: unknown } | null } | null} */ (body);
  if (!b || typeof b.sales !== 'string' || !SALES_STATES.includes(b.sales)) return null;
  const name = b.owner && typeof b.owner.firstName === 'string' ? b.owner.firstName.slice(0, MAX_NAME) : '';
  /** @type {SalesOwner | null} */
  let owner = null;
  if (name) {
    owner = { firstName: name };
    const url = bookingUrl(b.owner?.bookingUrl);
    if (url) owner.bookingUrl = url;
  }
  return { sales: /** @type {SalesStatus['sales']} */ (b.sales), owner };
}
