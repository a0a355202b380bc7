// The signed, encrypted visitor-state cookie, version 2, and the shadow model's cookie beside
// it (docs/edge.md has the whole story).
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
// The shadow (challenger) model's state, when one runs, in a second cookie (the first has no
// room for a second state):
//
//   <name>-shadow=s1.<visitor>.<sealed>.<signature>
//
//   meta       <expiry>.<counter>.<history>: expiry as above; counter = the main cookie's
//              counter written in the same response (the pair must match to be read);
//              history `w` (the shadow has scored every request of the visitor) or `p` (it
//              started later)
//   signature  HMAC-SHA256(the same MAC key, "leadpulse-shadow-v1|<shadow name>|…"): its own
//              domain and version, so neither cookie verifies as the other
//
// Both keys derive from LEADPULSE_COOKIE_SECRET (keys.js). Only a cookie this edge signed under
// this cookie name and within its lifetime is trusted; anything else (tampered, foreign,
// expired or too long-lived, version 1, malformed) reads as a fresh visitor.

import { concatBytes, fromBase64Url, toBase64Url } from './encoding.js';
import { hmacSign, hmacVerify } from './keys.js';
import { dropOldest, EMPTY_OUTBOX, formatOutbox, parseOutbox } from './outbox.js';
import { seal, unseal } from './seal.js';

/** The two kinds of cookie: version tag, what other versions of it look like, MAC domain. */
const MAIN = { version: '2', versions: /^[0-9]+$/, domain: 'leadpulse-cookie-v2' };
const SHADOW = { version: 's1', versions: /^s[0-9]+$/, domain: 'leadpulse-shadow-v1' };
const VISITOR = /^[A-Za-z0-9_-]{8,64}$/;
const STATE = /^[A-Za-z0-9_-]{0,3072}$/;
const SEALED = /^[A-Za-z0-9_-]{22,3400}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const META = /^([0-9a-z]{1,8})\.([0-9a-z]{1,7})\.([0-9a-f-]*)\.([0-9a-z-]*)$/;
const SHADOW_META = /^([0-9a-z]{1,8})\.([0-9a-z]{1,7})\.([wp])$/;
const NEWLINE = 10;
/** Clock skew tolerated between edge locations when checking a cookie's expiry, seconds. */
const EXPIRY_SLACK_SECONDS = 600;
const MAX_COUNTER = 36 ** 7 - 1;
const ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=Lax';
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

/** The shadow model's cookie name for the state cookie `name`. */
export function shadowCookieName(name) {
  return `${name}-shadow`;
}

/**
 * Verifies, decrypts and checks the expiry of a cookie of `kind` (MAIN or SHADOW).
 * @returns {Promise<{ problem: string } | { problem: null, visitor: string, meta: string[], body: Uint8Array }>}
 *   `meta` = the match of the kind's meta pattern (expiry first, already checked).
 */
async function openCookie(kind, pattern, cookieHeader, { name, keys, nowMs, maxAgeSeconds }) {
  const raw = getCookie(cookieHeader, name);
  if (raw === null || raw === '') return { problem: 'missing' };
  if (raw.length > MAX_SET_COOKIE_BYTES) return { problem: 'oversized' };
  const parts = raw.split('.');
  if (kind.versions.test(parts[0]) && parts[0] !== kind.version) return { problem: 'version' };
  if (parts.length !== 4 || parts[0] !== kind.version) return { problem: 'malformed' };
  const [, visitor, sealedText, signatureText] = parts;
  if (!VISITOR.test(visitor) || !SEALED.test(sealedText) || !SIGNATURE.test(signatureText)) return { problem: 'malformed' };
  const signature = fromBase64Url(signatureText);
  const sealed = fromBase64Url(sealedText);
  if (!signature) return { problem: 'signature' };
  const payload = raw.slice(0, raw.length - signatureText.length - 1);
  if (!(await hmacVerify(keys.mac, signature, `${kind.domain}|${name}|${payload}`))) return { problem: 'signature' };
  // Signed by us from here on: what follows only guards against our own bugs and old writes.
  const plain = sealed && await unseal(keys.aes, sealed);
  const split = plain ? plain.indexOf(NEWLINE) : -1;
  const meta = split >= 0 ? pattern.exec(decoder.decode(plain.subarray(0, split))) : null;
  if (!meta) return { problem: 'malformed' };
  const expiresMs = parseInt(meta[1], 36) * 1000;
  if (expiresMs <= nowMs || expiresMs > nowMs + (maxAgeSeconds + EXPIRY_SLACK_SECONDS) * 1000) return { problem: 'expired' };
  return { problem: null, visitor, meta, body: plain.subarray(split + 1) };
}

/** `name=<kind's value>` for `meta` and `body`, sealed and signed, with the attributes. */
async function closeCookie(kind, { name, keys, maxAgeSeconds, visitor, meta, body }) {
  const sealed = await seal(keys.aes, concatBytes(encoder.encode(meta), Uint8Array.of(NEWLINE), body));
  const payload = [kind.version, visitor, toBase64Url(sealed)].join('.');
  const signature = toBase64Url(await hmacSign(keys.mac, `${kind.domain}|${name}|${payload}`));
  return `${name}=${payload}.${signature}; Max-Age=${maxAgeSeconds}; ${ATTRIBUTES}`;
}

const expiryOf = (nowMs, maxAgeSeconds) => Math.floor(nowMs / 1000 + maxAgeSeconds).toString(36);
const counterText = (counter) => Math.min(Math.max(0, Math.floor(counter)), MAX_COUNTER).toString(36);

/**
 * Reads and verifies the state cookie.
 * @param {{ name: string, keys: { mac: CryptoKey, aes: CryptoKey }, nowMs: number, maxAgeSeconds: number }} how
 * @returns {Promise<{ visitor: string|null, state: string|null, outbox: object, counter: number, problem: string|null }>}
 *   `problem` is null for a valid cookie, 'missing' without one, else why it was not trusted.
 */
export async function readStateCookie(cookieHeader, how) {
  const fresh = (problem) => ({ visitor: null, state: null, outbox: EMPTY_OUTBOX, counter: 0, problem });
  const opened = await openCookie(MAIN, META, cookieHeader, how);
  if (opened.problem) return fresh(opened.problem);
  const [, , counter, delivered, entry] = opened.meta;
  const outbox = parseOutbox(delivered, entry);
  if (!outbox) return fresh('malformed');
  return { visitor: opened.visitor, state: toBase64Url(opened.body), outbox, counter: parseInt(counter, 36), problem: null };
}

/**
 * Encrypts and signs the state and delivery record into a `Set-Cookie` header value
 * (HttpOnly; Secure; SameSite=Lax; Path=/). Forgets the oldest acknowledged ids if needed to
 * stay under MAX_SET_COOKIE_BYTES.
 * @returns {Promise<string|null>} null when the state cannot fit (the caller then keeps no state).
 */
export async function writeStateCookie({ name, keys, nowMs, maxAgeSeconds, visitor, state, outbox = EMPTY_OUTBOX, counter }) {
  const body = STATE.test(state) ? fromBase64Url(state) : null;
  if (!VISITOR.test(visitor) || !body) return null;
  const expiry = expiryOf(nowMs, maxAgeSeconds);
  const count = counterText(counter);
  for (let record = outbox; record; record = dropOldest(record)) {
    const meta = [expiry, count, ...formatOutbox(record)].join('.');
    const header = await closeCookie(MAIN, { name, keys, maxAgeSeconds, visitor, meta, body });
    if (header.length <= MAX_SET_COOKIE_BYTES) return header;
  }
  return null;
}

/**
 * Reads the shadow model's cookie (`name` is the shadow cookie's own name).
 * @returns {Promise<{ visitor: string|null, state: string|null, counter: number, whole: boolean, problem: string|null }>}
 *   `whole`: the state has seen every scored request of the visitor (history `w`).
 */
export async function readShadowCookie(cookieHeader, how) {
  const opened = await openCookie(SHADOW, SHADOW_META, cookieHeader, how);
  if (opened.problem) return { visitor: null, state: null, counter: 0, whole: false, problem: opened.problem };
  const [, , counter, history] = opened.meta;
  return { visitor: opened.visitor, state: toBase64Url(opened.body), counter: parseInt(counter, 36), whole: history === 'w', problem: null };
}

/**
 * The shadow model's state as a `Set-Cookie` value (same attributes and keys as the state
 * cookie), paired with the state cookie written beside it by `counter`.
 * @returns {Promise<string|null>} null when it cannot fit under MAX_SET_COOKIE_BYTES.
 */
export async function writeShadowCookie({ name, keys, nowMs, maxAgeSeconds, visitor, state, counter, whole }) {
  const body = STATE.test(state) ? fromBase64Url(state) : null;
  if (!VISITOR.test(visitor) || !body) return null;
  const meta = [expiryOf(nowMs, maxAgeSeconds), counterText(counter), whole ? 'w' : 'p'].join('.');
  const header = await closeCookie(SHADOW, { name, keys, maxAgeSeconds, visitor, meta, body });
  return header.length <= MAX_SET_COOKIE_BYTES ? header : null;
}

/** A `Set-Cookie` value that deletes cookie `name` (consent withdrawn; a shadow state dropped). */
export function clearStateCookie(name) {
  return `${name}=; Max-Age=0; ${ATTRIBUTES}`;
}
