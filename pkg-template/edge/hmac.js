// HMAC-SHA256 through WebCrypto (`crypto.subtle`), the same in workerd, Deno and Node.
// Keys are imported once per secret and cached; nothing runs at module top level.

const encoder = new TextEncoder();
const keys = new Map();
const MAX_CACHED_KEYS = 8;

/** Shortest secret accepted: shorter secrets make the cookie signature guessable. */
export const MIN_SECRET_LENGTH = 16;

/** @param {string} secret @returns {Promise<CryptoKey>} */
export function hmacKey(secret) {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    return Promise.reject(
      new TypeError(`LeadPulse secret must be a string of at least ${MIN_SECRET_LENGTH} characters`),
    );
  }
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    key = crypto.subtle.importKey(
      'raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'],
    );
    // NOTE: a rejected import must not stay cached.
    key.catch(() => keys.delete(secret));
    keys.set(secret, key);
  }
  return key;
}

/** HMAC-SHA256 of `data` (string or bytes). @returns {Promise<Uint8Array>} */
export async function hmac(secret, data) {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), bytes));
}

/** Constant-time check of a signature over `data` (WebCrypto's verify). */
export async function hmacVerify(secret, signature, data) {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return crypto.subtle.verify('HMAC', await hmacKey(secret), signature, bytes);
}

/** @param {Uint8Array} bytes @returns {string} lowercase hex */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** @param {Uint8Array} bytes @returns {string} base64url without padding */
export function toBase64Url(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {string} text @returns {Uint8Array | null} null when `text` is not base64url */
export function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
}
