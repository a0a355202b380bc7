// An in-memory stand-in for window.localStorage (the Storage interface), shared by "tabs".
// Real-browser behaviour is covered by the e2e tests in Chromium.
export class MemoryStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.map = new Map();
    this.writes = 0;
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.writes++;
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
}

/** Collects console.warn calls while `fn` runs. */
export async function captureWarnings(fn) {
  const seen = [];
  const orig = console.warn;
  console.warn = (...a) => seen.push(a.map(String).join(' '));
  try {
    await fn();
  } finally {
    console.warn = orig;
  }
  return seen;
}
