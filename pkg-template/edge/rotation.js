// Rotating the cookie secret (docs/edge.md, "Rotating secrets"). While
// LEADPULSE_PREVIOUS_COOKIE_SECRET is set, a cookie the current secret's keys do not verify is
// tried under the previous secret's keys. One that verifies there is read as any other — the
// same visitor id, state, write counter and delivery record, pending hand-off included — so a
// new cookie secret resets no visitor; and, as every cookie of a scored request, it is written
// back in the response under the current keys only. The previous secret's keys are derived
// (once per isolate, keys.js) only when a cookie needs them.

import { cookieKeys } from './keys.js';

/**
 * `read(cookieHeader, how)` — readStateCookie or readShadowCookie — under the current keys,
 * then, for a cookie they do not verify, under those of `previousSecret` (if any).
 * @template {{ problem: string | null }} R
 * @param {(cookieHeader: string | null, how: object) => Promise<R>} read
 * @returns {Promise<R & { previous?: boolean }>} `previous`: the previous secret's keys verified it.
 */
export async function readRotating(read, cookieHeader, how, previousSecret) {
  const current = await read(cookieHeader, how);
  if (current.problem !== 'signature' || !previousSecret) return current;
  const older = await read(cookieHeader, { ...how, keys: await cookieKeys(previousSecret) });
  // NOTE: signed under neither secret: the current keys' answer stands. Signed under the
  // previous one but expired or malformed: that answer, it says more.
  if (older.problem === 'signature') return current;
  return { ...older, previous: older.problem === null };
}
