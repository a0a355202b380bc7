// The delivery record the cookie carries: which summaries the collector acknowledged, and the
// latest hand-off until it does. Pure functions; the caller passes the time and randomness.
//
//   delivered  hex ids (the summary id without `lp_`) acknowledged with a 2xx, newest last, ≤ 4
//   entry      the latest hand-off while not acknowledged, or null:
//              pending  { id, state: 'pending', attempts, nextAt, status }: re-sent by the
//                       visitor's first request at or after `nextAt` (epoch ms), with backoff;
//              refused  { id, state: 'refused', status }: a final answer (a 4xx other than
//                       401/403/408/425/429, which stay pending); kept to be visible, never
//                       re-sent (the next revision replaces it).
//
// Text form, inside the sealed cookie payload (cookie.js):
//   delivered  id-id-…                         ('' when none)
//   entry      <id>-p<attempts>-<nextAt>-<status>  pending (base36 count and unix seconds;
//                                                  status decimal, '' = no answer yet)
//              <id>-r<status>                      refused
//              ''                                  none

const HEX = /^[0-9a-f]{16}$/;
const DELIVERED = /^(?:[0-9a-f]{16}(?:-[0-9a-f]{16}){0,3})?$/;
const ENTRY = /^(?:([0-9a-f]{16})-(?:p([0-9a-z]{1,3})-([0-9a-z]{1,8})-([0-9]{0,3})|r([0-9]{3})))?$/;

/** How many acknowledged ids are remembered. */
export const MAX_DELIVERED = 4;
/** Highest attempt count kept (then it stays there: the backoff is at its cap long before). */
const MAX_ATTEMPTS = 999;
/** Delay before the re-send after the n-th failed request (n = 1, 2, …; the last repeats), s. */
const BACKOFF_SECONDS = [10, 60, 300, 1800, 7200, 21600];

export const EMPTY_OUTBOX = Object.freeze({ delivered: Object.freeze([]), entry: null });

/** The record from its two text fields; null when either is malformed. */
export function parseOutbox(delivered, entry) {
  if (!DELIVERED.test(delivered)) return null;
  const m = ENTRY.exec(entry);
  if (!m) return null;
  const ids = delivered ? delivered.split('-') : [];
  if (!m[1]) return { delivered: ids, entry: null };
  if (m[5] !== undefined) return { delivered: ids, entry: { id: m[1], state: 'refused', status: Number(m[5]) } };
  return {
    delivered: ids,
    entry: {
      id: m[1], state: 'pending', attempts: parseInt(m[2], 36),
      nextAt: parseInt(m[3], 36) * 1000, status: m[4] === '' ? null : Number(m[4]),
    },
  };
}

/** The two text fields of a record. */
export function formatOutbox({ delivered, entry }) {
  let text = '';
  if (entry?.state === 'refused') text = `${entry.id}-r${entry.status}`;
  if (entry?.state === 'pending') {
    text = `${entry.id}-p${entry.attempts.toString(36)}-${Math.ceil(entry.nextAt / 1000).toString(36)}-${entry.status ?? ''}`;
  }
  return [delivered.join('-'), text];
}

/** The record without its oldest acknowledged id (to make a cookie fit); null when none is left. */
export function dropOldest(outbox) {
  return outbox.delivered.length ? { ...outbox, delivered: outbox.delivered.slice(1) } : null;
}

/** The pending entry when its re-send is due at `nowMs`, else null. */
export function dueEntry(outbox, nowMs) {
  const { entry } = outbox;
  return entry?.state === 'pending' && entry.nextAt <= nowMs ? entry : null;
}

/** Whether `hex` was acknowledged already. */
export function wasDelivered(outbox, hex) {
  return outbox.delivered.includes(hex);
}

/**
 * The record once `hex` is acknowledged: remembered, and no entry left. (Only the latest
 * hand-off is ever sent, so an entry for another id is an older revision it replaced.)
 */
export function acknowledged(outbox, hex) {
  const delivered = [...outbox.delivered.filter((id) => id !== hex), hex].slice(-MAX_DELIVERED);
  return { delivered, entry: null };
}

/**
 * The record after this request's attempt to send `hex`: acknowledged, refused, or pending
 * with one more failed attempt and the next one backed off (± 20 %, so visitors who qualified
 * together during an outage do not all come back at once).
 * @param {{ state: 'delivered'|'refused'|'pending', status: number|null }} outcome
 * @param {number} attemptsBefore failed requests for this id before this one
 * @param {number} random a number in [0, 1)
 */
export function afterAttempt(outbox, hex, outcome, { nowMs, attemptsBefore, random }) {
  if (!HEX.test(hex)) return outbox;
  if (outcome.state === 'delivered') return acknowledged(outbox, hex);
  if (outcome.state === 'refused') {
    return { delivered: outbox.delivered, entry: { id: hex, state: 'refused', status: outcome.status } };
  }
  const attempts = Math.min(attemptsBefore + 1, MAX_ATTEMPTS);
  const base = BACKOFF_SECONDS[Math.min(attempts, BACKOFF_SECONDS.length) - 1];
  // NOTE: whole seconds, as the cookie keeps it, so this request reports what later ones read.
  const nextAt = Math.ceil(nowMs / 1000 + base * (0.8 + 0.4 * random)) * 1000;
  return { delivered: outbox.delivered, entry: { id: hex, state: 'pending', attempts, nextAt, status: outcome.status } };
}

/**
 * `lead.delivery`: the latest hand-off's delivery as this request leaves the record, or null
 * when there was none. `seen` is this request's part: the id it dealt with, whether it sent it,
 * the outcome it saw in time (`status`, the collector's `error` / `path`), or a `note`.
 */
export function deliveryView(outbox, seen) {
  const { entry } = outbox;
  const hex = seen?.hex ?? entry?.id ?? outbox.delivered.at(-1);
  if (!hex) return null;
  const own = entry?.id === hex ? entry : null;
  const pending = own?.state === 'pending' ? own : null;
  return {
    id: `lp_${hex}`,
    state: own ? own.state : outbox.delivered.includes(hex) ? 'delivered' : 'pending',
    sent: seen?.sent ?? false,
    status: seen?.outcome ? seen.outcome.status : own?.status ?? null,
    attempts: pending?.attempts ?? 0,
    nextAttemptAt: pending?.nextAt ?? null,
    error: seen?.outcome?.error ?? seen?.note ?? null,
    path: seen?.outcome?.path ?? null,
  };
}
