// Replays the shared fixtures (tests/fixtures/cases/*.json) through the built Node package,
// exactly as docs/contracts.md ("Shared fixtures") says every runtime does. Needs `make pkg`.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as leadpulse from '../../pkg/node.js';

const casesDir = new URL('../fixtures/cases/', import.meta.url);
const files = existsSync(casesDir) ? readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort() : [];

// An event's own time (the case's `at` when it has none). Events expected to be rejected run
// at `at`, as in the native harness (tests/fixtures.rs): so a far-future event is refused.
function eventTime(event, at) {
  const t = event?.timestamp;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : at;
}

function replay(fixture) {
  const { Scorer } = leadpulse;
  const scorer = fixture.model === 'builtin' ? new Scorer() : new Scorer(fixture.model);
  const at = Date.parse(fixture.at);
  const rejected = new Map((fixture.rejected ?? []).map((r) => [r.index, r.path]));
  const sessions = new Map(); // visitor key → session, in order of first appearance
  fixture.events.forEach((event, index) => {
    const key = [event?.anonymousId, event?.userId].find((k) => typeof k === 'string');
    assert.ok(key !== undefined, `event ${index} has no visitor key`);
    if (!sessions.has(key)) sessions.set(key, scorer.session(key));
    const session = sessions.get(key);
    const path = rejected.get(index);
    const now = path === undefined ? eventTime(event, at) : at;
    if (path === undefined) {
      session.track(event, now);
      return;
    }
    const before = session.snapshot(now);
    assert.throws(() => session.track(event, now), (error) => {
      assert.ok(error instanceof TypeError || error instanceof RangeError,
        `event ${index}: expected a TypeError or RangeError, got ${error}`);
      assert.ok(String(error.message).includes(path),
        `event ${index}: the message "${error.message}" does not name ${path}`);
      assert.equal(error.path, path, `event ${index}: error.path`);
      return true;
    }, `event ${index} was accepted; expected a rejection at ${path}`);
    assert.deepEqual(session.snapshot(now), before, `rejected event ${index} changed the snapshot`);
  });
  // JSON round trip: results must survive JSON.stringify, and compare as the native replay prints.
  return JSON.parse(JSON.stringify([...sessions].map(([visitor, s]) => ({ visitor, ...s.snapshot(at) }))));
}

test('the fixture cases exist', () => {
  assert.ok(files.length > 0, `no fixture cases in ${casesDir.pathname}`);
  assert.equal(typeof leadpulse.Scorer, 'function', 'pkg/node.js exports no Scorer class');
});

for (const file of files) {
  const fixture = JSON.parse(readFileSync(new URL(file, casesDir), 'utf8'));
  test(`${file}: ${fixture.name}`, () => {
    assert.deepEqual(replay(fixture), fixture.expected);
  });
}
