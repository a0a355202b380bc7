/**
 * A random id: crypto.randomUUID, or 32 hex digits where that is missing (it needs a secure
 * context).
 * @returns {string}
 */
export function randomId() {
  try {
    return crypto.randomUUID();
  } catch {
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }
}
