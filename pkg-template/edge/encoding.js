// Byte ↔ text encodings shared by the cookie and the summary signature. Pure functions.

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

/**
 * @param {string} text @returns {Uint8Array | null} null unless `text` is canonical base64url:
 * base64 ignores the last character's spare bits, and text that differs from what we wrote
 * must not decode to the same bytes (a second spelling of one signed cookie).
 */
export function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return toBase64Url(out) === text ? out : null;
}

/** The concatenation of byte arrays. */
export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
