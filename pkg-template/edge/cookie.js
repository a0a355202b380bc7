// The signed, encrypted visitor-state cookie, version 2 (docs/edge.md has the whole story).
//
//   <name>=2.<visitor>.<sealed>.<signature>
//
// visitor    pseudonymous id (base64url, 8–64 chars) minted at the edge; in clear, so logs can
//            tell visitors apart (it is also the summaries' `visitor`)
// sealed     base64url(iv ‖ AES-256-CTR(<meta> "\n" <state bytes>)), see seal.js
//   meta     <expiry>.<counter>.<delivered>.<entry>, ASCII:
//     expiry     unix seconds, base36. Past it, or further ahead than the configured lifetime
//                allows (+ 10 min of clock skew), the cookie is not trusted: a cookie minted
//                to live 10 years reads as expired.
//     counter    writes of this cookie, base36, +1 on every write (anti-rollback aid: signed,
//                so only the edge moves it; see docs/edge.md for what it can and cannot stop)
//     delivered, entry   the delivery record, see outbox.js
//   state    `session.save()` decoded from base64url (≤ 2304 bytes; empty = none)
// signature  base64url HMAC-SHA256(cookie MAC key, "leadpulse-cookie-v2|<name>|<everything before it>")
//
// Both keys derive from LEADPULSE_COOKIE_SECRET (keys.js). Only a cookie this edge signed under
// this cookie name and within its lifetime is trusted; anything else (tampered, foreign,
// expired or too long-lived, version 1, malformed) reads as a fresh visitor.

import { concatBytes, fromBase64Url, toBase64Url } from './encoding.js';
import { hmacSign, hmacVerify } from './keys.js';
import { dropOldest, EMPTY_OUTBOX, formatOutbox, parseOutbox } from './outbox.js';
import { seal, unseal } from './seal.js';

const VERSION = '2';
const DOMAIN = 'leadpulse-cookie-v2';
const VISITOR = /^[A-Za-z0-9_-]{8,64}$/;
const STATE = /^[A-Za-z0-9_-]{0,3072}$/;
const SEALED = /^[A-Za-z0-9_-]{22,3400}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const META = /^([0-9a-z]{1,8})\.([0-9a-z]{1,7})\.([0-9a-f-]*)\.([0-9a-z-]*)$/;
const NEWLINE = 10;
/** Clock skew tolerated between edge locations when checking a cookie's expiry, seconds. */
const EXPIRY_SLACK_SECONDS = 600;
const MAX_COUNTER = 36 ** 7 - 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Longest `Set-Cookie` value written (browsers keep at least 4096 bytes per cookie). */
export const MAX_SET_COOKIE_BYTES = 4000;

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
 * @param {{ name: string, keys: { mac: CryptoKey, aes: CryptoKey }, nowMs: number, maxAgeSeconds: number }} how
 * @returns {Promise<{ visitor: string|null, state: string|null, outbox: object, counter: number, problem: string|null }>}
 *   `problem` is null for a valid cookie, 'missing' without one, else why it was not trusted.
 */
export async function readStateCookie(cookieHeader, { name, keys, nowMs, maxAgeSeconds }) {
  const fresh = (problem) => ({ visitor: null, state: null, outbox: EMPTY_OUTBOX, counter: 0, problem });
  const raw = getCookie(cookieHeader, name);
  if (raw === null || raw === '') return fresh('missing');
  if (raw.length > MAX_SET_COOKIE_BYTES) return fresh('oversized');
  const parts = raw.split('.');
  if (/^[0-9]+$/.test(parts[0]) && parts[0] !== VERSION) return fresh('version');
  if (parts.length !== 4 || parts[0] !== VERSION) return fresh('malformed');
  const [, visitor, sealedText, signatureText] = parts;
  if (!VISITOR.test(visitor) || !SEALED.test(sealedText) || !SIGNATURE.test(signatureText)) return fresh('malformed');
  const signature = fromBase64Url(signatureText);
  const sealed = fromBase64Url(sealedText);
  if (!signature) return fresh('signature');
  const payload = raw.slice(0, raw.length - signatureText.length - 1);
  if (!(await hmacVerify(keys.mac, signature, `${DOMAIN}|${name}|${payload}`))) return fresh('signature');
  // Signed by us from here on: what follows only guards against our own bugs and old writes.
  const plain = sealed && await unseal(keys.aes, sealed);
  const split = plain ? plain.indexOf(NEWLINE) : -1;
  const meta = split >= 0 ? META.exec(decoder.decode(plain.subarray(0, split))) : null;
  if (!meta) return fresh('malformed');
  const [, expiry, counter, delivered, entry] = meta;
  const expiresMs = parseInt(expiry, 36) * 1000;
  if (expiresMs <= nowMs || expiresMs > nowMs + (maxAgeSeconds + EXPIRY_SLACK_SECONDS) * 1000) return fresh('expired');
  const outbox = parseOutbox(delivered, entry);
  if (!outbox) return fresh('malformed');
  const state = toBase64Url(plain.subarray(split + 1));
  return { visitor, state, outbox, counter: parseInt(counter, 36), problem: null };
}

/**
 * Encrypts and signs the state and delivery record into a `Set-Cookie` header value
 * (HttpOnly; Secure; SameSite=Lax; Path=/). Forgets the oldest acknowledged ids if needed to
 * stay under MAX_SET_COOKIE_BYTES.
 * @returns {Promise<string|null>} null when the state cannot fit (the caller then keeps no state).
 */
export async function writeStateCookie({ name, keys, nowMs, maxAgeSeconds, visitor, state, outbox = EMPTY_OUTBOX, counter }) {
  const stateBytes = STATE.test(state) ? fromBase64Url(state) : null;
  if (!VISITOR.test(visitor) || !stateBytes) return null;
  const expiry = Math.floor(nowMs / 1000 + maxAgeSeconds).toString(36);
  const count = Math.min(Math.max(0, Math.floor(counter)), MAX_COUNTER).toString(36);
  for (let record = outbox; record; record = dropOldest(record)) {
    const meta = [expiry, count, ...formatOutbox(record)].join('.');
    const sealed = await seal(keys.aes, concatBytes(encoder.encode(meta), Uint8Array.of(NEWLINE), stateBytes));
    const payload = [VERSION, visitor, toBase64Url(sealed)].join('.');
    const signature = toBase64Url(await hmacSign(keys.mac, `${DOMAIN}|${name}|${payload}`));
    const header = `${name}=${payload}.${signature}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; Secure; SameSite=Lax`;
    if (header.length <= MAX_SET_COOKIE_BYTES) return header;
  }
  return null;
}

/** A `Set-Cookie` value that deletes the state cookie (used when consent is withdrawn). */
export function clearStateCookie(name) {
  return `${name}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
}
