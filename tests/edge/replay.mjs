// Replays a shared fixture case (tests/fixtures/cases/*.json, format in docs/contracts.md)
// through the JS API, in any runtime (no Node or Deno imports here).

function eventTime(event) {
  const t = event?.timestamp;
  return typeof t === 'number' ? t : Date.parse(t);
}

function visitorKey(event) {
  return event?.anonymousId ?? event?.userId ?? '';
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
  try {
    fixture.events.forEach((event, index) => {
      const key = visitorKey(event);
      if (!sessions.has(key)) sessions.set(key, scorer.session());
      const session = sessions.get(key);
      const before = JSON.stringify(session.snapshot(Date.parse(fixture.at)));
      try {
        session.track(event, eventTime(event));
        if (rejected.has(index)) problems.push(`event ${index} was accepted; expected rejection at ${rejected.get(index)}`);
      } catch (error) {
        if (!rejected.has(index)) problems.push(`event ${index} rejected: ${error?.message ?? error}`);
        else if (error?.path !== rejected.get(index)) {
          problems.push(`event ${index} rejected at '${error?.path}', expected '${rejected.get(index)}'`);
        }
        const after = JSON.stringify(session.snapshot(Date.parse(fixture.at)));
        if (after !== before) problems.push(`rejected event ${index} changed the snapshot`);
      }
    });
    const at = Date.parse(fixture.at);
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
