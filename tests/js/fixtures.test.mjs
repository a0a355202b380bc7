// Replays the shared fixtures (tests/fixtures/cases/*.json) through the built Node package,
// exactly as docs/contracts.md ("Shared fixtures") says every runtime does. Needs `make pkg`.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as leadpulse from '../../pkg/node.js';
import { replayCase } from './replay.mjs';

const casesDir = new URL('../fixtures/cases/', import.meta.url);
const files = existsSync(casesDir) ? readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort() : [];

function replay(fixture) {
  const { lines, problems } = replayCase(leadpulse, fixture);
  assert.deepEqual(problems, [], 'rejected events: right class, message and error.path, and no change');
  // JSON round trip: results must survive JSON.stringify, and compare as the native replay prints.
  return JSON.parse(JSON.stringify(lines));
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
