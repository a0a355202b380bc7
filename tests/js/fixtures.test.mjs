// Replays the shared fixtures (tests/fixtures/cases/*.json) through the built Node package,
// exactly as docs/contracts.md ("Shared fixtures") says every runtime does, and through the
// browser build (what the tracker runs: compiled models only; a case's inline model in its
// `compiled` form). Needs `make pkg`.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as leadpulse from '../../pkg/node.js';
import * as browser from '../../pkg/leadpulse_core.js';
import { replayCase } from './replay.mjs';

browser.initSync({ module: readFileSync(new URL('../../pkg/leadpulse_core_bg.wasm', import.meta.url)) });

const casesDir = new URL('../fixtures/cases/', import.meta.url);
const files = existsSync(casesDir) ? readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort() : [];

function replay(fixture, api = leadpulse) {
  const { lines, problems } = replayCase(api, fixture);
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
  test(`${file}: the browser build gives the same answers`, () => {
    const model = typeof fixture.model === 'object' ? fixture.compiled : fixture.model;
    assert.equal(typeof model, 'string', 'an inline model travels compiled too (tests/core/fixtures.rs)');
    assert.deepEqual(replay({ ...fixture, model }, browser), fixture.expected);
  });
}
