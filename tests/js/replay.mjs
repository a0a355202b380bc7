// Replays a shared fixture case (tests/fixtures/cases/*.json, format in docs/contracts.md)
// through the JS API, in any runtime (no Node or Deno imports here).

// Used by tests/js/fixtures.test.mjs (Node) and tests/edge/deno.test.mjs (Deno); the same rules
// as the native harness (tests/core/fixtures.rs) and tests/web.rs: an event runs at its own time (the case's `at` when it has none usable); an event expected to
// be rejected runs at `at`, so a far-future event is refused.
function eventTime(event, at) {
  const t = event?.timestamp;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : at;
}

function visitorKey(event) {
  return [event?.anonymousId, event?.userId].find((key) => typeof key === 'string');
}

/**
 * @returns {{ lines: object[], problems: string[] }} one replay line per visitor (snapshot at
 * `case.at` with a leading `visitor`), and every mismatch with the case's `rejected` list.
 */
export function replayCase(api, fixture) {
  const scorer = fixture.model === 'builtin' || fixture.model === undefined
    ? new api.Scorer() : new api.Scorer(fixture.model);
  const rejected = new Map((fixture.rejected ?? []).map((r) => [r.index, r.path]));
  const problems = [];
  const sessions = new Map();
  const at = Date.parse(fixture.at);
  try {
    fixture.events.forEach((event, index) => {
      const key = visitorKey(event);
      if (key === undefined) throw new Error(`event ${index} has no visitor key`);
      if (!sessions.has(key)) sessions.set(key, scorer.session(key));
      const session = sessions.get(key);
      const path = rejected.get(index);
      const now = path === undefined ? eventTime(event, at) : at;
      if (path === undefined) {
        session.track(event, now);
        return;
      }
      const before = JSON.stringify(session.snapshot(now));
      try {
        session.track(event, now);
        problems.push(`event ${index} was accepted; expected a rejection at ${path}`);
      } catch (error) {
        if (!(error instanceof TypeError || error instanceof RangeError)) {
          problems.push(`event ${index}: expected a TypeError or RangeError, got ${error}`);
        } else if (!String(error.message).includes(path) || error.path !== path) {
          problems.push(`event ${index}: rejected at '${error.path}' ("${error.message}"), expected ${path}`);
        }
      }
      if (JSON.stringify(session.snapshot(now)) !== before) problems.push(`rejected event ${index} changed the snapshot`);
    });
    const lines = [...sessions].map(([visitor, session]) => ({ visitor, ...session.snapshot(at) }));
    return { lines, problems };
  } finally {
    for (const session of sessions.values()) session.free?.();
    scorer.free?.();
  }
}

/** Deep equality for JSON values; returns the first differing path, or null when equal. */
export function jsonDiff(actual, expected, path = '$') {
  if (Object.is(actual, expected)) return null;
  if (typeof actual !== typeof expected || actual === null || expected === null
    || Array.isArray(actual) !== Array.isArray(expected) || typeof actual !== 'object') {
    return `${path}: ${JSON.stringify(actual)} ≠ expected ${JSON.stringify(expected)}`;
  }
  if (Array.isArray(actual)) {
    if (actual.length !== expected.length) return `${path}: length ${actual.length} ≠ expected ${expected.length}`;
    for (let i = 0; i < actual.length; i += 1) {
      const diff = jsonDiff(actual[i], expected[i], `${path}[${i}]`);
      if (diff) return diff;
    }
    return null;
  }
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    const diff = jsonDiff(actual[key], expected[key], `${path}.${key}`);
    if (diff) return diff;
  }
  return null;
}
