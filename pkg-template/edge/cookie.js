// The signed (and encrypted) visitor-state cookie.
//
//   <name>=1.<visitor>.<expiry>.<forwarded>.<state>.<signature>
//
// visitor   pseudonymous id (base64url, 8–64 chars), minted at the edge
// expiry    unix seconds, base36; past it the cookie is ignored
// forwarded hex ids (without `lp_`) of summaries already sent, newest last, at most 4
// state     `session.save()` (≤ 3072 chars), encrypted: see seal.js (+22 chars); empty = none
// signature base64url HMAC-SHA256(secret, "leadpulse-state|<name>|<everything before it>")
//
// Only a cookie this edge signed with this secret, under this cookie name, and not expired is
// trusted; anything else (tampered, foreign, expired, malformed) reads as a fresh visitor.

import { fromBase64Url, hmac, hmacVerify, toBase64Url } from './hmac.js';
import { openState, sealState } from './seal.js';

const VERSION = '1';
const DOMAIN = 'leadpulse-state';
const VISITOR = /^[A-Za-z0-9_-]{8,64}$/;
const FORWARDED = /^(?:[0-9a-f]{16}(?:-[0-9a-f]{16}){0,3})?$/;
const STATE = /^[A-Za-z0-9_-]{0,3072}$/;
const SEALED = /^[A-Za-z0-9_-]{0,3100}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
/** Longest `Set-Cookie` value written (browsers keep at least 4096 bytes per cookie). */
export const MAX_SET_COOKIE_BYTES = 4000;
/** How many forwarded summary ids the cookie remembers. */
export const MAX_FORWARDED = 4;

/** The raw value of cookie `name` in a `Cookie` request header, or null. */
export function getCookie(header, name) {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Reads and verifies the state cookie.
 * @returns {Promise<{ visitor: string|null, state: string|null, forwarded: string[], problem: string|null }>}
 *   `problem` is null for a valid cookie, 'missing' without one, else why it was not trusted.
 */
export async function readStateCookie(cookieHeader, { name, secret, nowMs }) {
  const fresh = (problem) => ({ visitor: null, state: null, forwarded: [], problem });
  const raw = getCookie(cookieHeader, name);
  if (raw === null || raw === '') return fresh('missing');
  if (raw.length > MAX_SET_COOKIE_BYTES) return fresh('oversized');
  const parts = raw.split('.');
  if (parts.length !== 6 || parts[0] !== VERSION) return fresh('malformed');
  const [, visitor, expiry, forwarded, sealed, signature] = parts;
  if (!VISITOR.test(visitor) || !/^[0-9a-z]{1,10}$/.test(expiry) || !FORWARDED.test(forwarded)
    || !SEALED.test(sealed) || !SIGNATURE.test(signature)) {
    return fresh('malformed');
  }
  const sig = fromBase64Url(signature);
  // NOTE: only the canonical encoding: base64 ignores a last character's spare bits, and a
  // cookie that differs from the one we wrote must not verify.
  if (!sig || toBase64Url(sig) !== signature) return fresh('signature');
  const payload = raw.slice(0, raw.length - signature.length - 1);
  if (!(await hmacVerify(secret, sig, `${DOMAIN}|${name}|${payload}`))) return fresh('signature');
  if (parseInt(expiry, 36) * 1000 <= nowMs) return fresh('expired');
  const state = sealed ? await openState(secret, sealed) : '';
  if (state === null) return fresh('malformed');
  return { visitor, state, forwarded: forwarded ? forwarded.split('-') : [], problem: null };
}

/**
 * Encrypts and signs the state into a `Set-Cookie` header value (HttpOnly; Secure; SameSite=Lax; Path=/).
 * Drops remembered forwarded ids if needed to stay under MAX_SET_COOKIE_BYTES.
 * @returns {Promise<string|null>} null when the state cannot fit (the caller then keeps no state).
 */
export async function writeStateCookie({ name, secret, nowMs, maxAgeSeconds, visitor, state, forwarded }) {
  if (!VISITOR.test(visitor) || !STATE.test(state)) return null;
  const expiry = Math.floor(nowMs / 1000 + maxAgeSeconds).toString(36);
  let ids = forwarded.filter((id) => /^[0-9a-f]{16}$/.test(id)).slice(-MAX_FORWARDED);
  const sealed = state ? await sealState(secret, state) : '';
  if (sealed === null) return null;
  for (;;) {
    const payload = [VERSION, visitor, expiry, ids.join('-'), sealed].join('.');
    const signature = toBase64Url(await hmac(secret, `${DOMAIN}|${name}|${payload}`));
    const header = `${name}=${payload}.${signature}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; Secure; SameSite=Lax`;
    if (header.length <= MAX_SET_COOKIE_BYTES) return header;
    if (ids.length === 0) return null;
    ids = ids.slice(1);
  }
}

/** A `Set-Cookie` value that deletes the state cookie (used when consent is withdrawn). */
export function clearStateCookie(name) {
  return `${name}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
}
