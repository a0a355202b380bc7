// Confidentiality for the cookie's payload: the state holds the visitor's own traits (e.g. the
// e-mail typed into a form) and the delivery record, which should not sit in the browser,
// proxies' logs or crash dumps as readable base64. AES-256-CTR under the cookie's AES key
// (keys.js) with a random 128-bit initial counter block; integrity comes from the cookie's
// HMAC over the ciphertext (encrypt-then-MAC), checked before anything is decrypted.

import { concatBytes } from './encoding.js';

const IV_BYTES = 16;

/** @param {CryptoKey} key @param {Uint8Array} plain @returns {Promise<Uint8Array>} iv ‖ ciphertext */
export async function seal(key, plain) {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, key, plain);
  return concatBytes(iv, new Uint8Array(cipher));
}

/** The inverse of seal; null when `sealed` is too short to be one. */
export async function unseal(key, sealed) {
  if (sealed.length < IV_BYTES) return null;
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-CTR', counter: sealed.subarray(0, IV_BYTES), length: 64 }, key, sealed.subarray(IV_BYTES),
  );
  return new Uint8Array(plain);
}
