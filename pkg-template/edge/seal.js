// Confidentiality for the cookie's state: the state holds the visitor's own traits (e.g. the
// e-mail typed into a form), which should not sit in the browser, proxies' logs or crash
// dumps as readable base64. AES-256-CTR with a random 128-bit initial counter block; integrity
// comes from the cookie's HMAC over the ciphertext (encrypt-then-MAC), checked before decrypting.
// The key is derived from the secret: HMAC-SHA256(secret, "leadpulse-state-encryption-v1").

import { fromBase64Url, hmac, toBase64Url } from './hmac.js';

const IV_BYTES = 16;
const keys = new Map();

function stateKey(secret) {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 8) keys.clear();
    key = hmac(secret, 'leadpulse-state-encryption-v1')
      .then((raw) => crypto.subtle.importKey('raw', raw, { name: 'AES-CTR' }, false, ['encrypt', 'decrypt']));
    key.catch(() => keys.delete(secret));
    keys.set(secret, key);
  }
  return key;
}

/** base64url state text → base64url(iv ‖ ciphertext of the decoded state bytes). */
export async function sealState(secret, state) {
  const plain = fromBase64Url(state);
  if (!plain) return null;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, await stateKey(secret), plain);
  const out = new Uint8Array(IV_BYTES + cipher.byteLength);
  out.set(iv);
  out.set(new Uint8Array(cipher), IV_BYTES);
  return toBase64Url(out);
}

/** The inverse of sealState; null when `sealed` is not a sealed state. */
export async function openState(secret, sealed) {
  const bytes = fromBase64Url(sealed);
  if (!bytes || bytes.length < IV_BYTES) return null;
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-CTR', counter: bytes.subarray(0, IV_BYTES), length: 64 }, await stateKey(secret), bytes.subarray(IV_BYTES),
  );
  return toBase64Url(new Uint8Array(plain));
}
