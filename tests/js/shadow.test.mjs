// A challenger model in shadow, through the tracker's tab logic (pkg/tracker/tabs.js) with the
// real engine (the Node package): the champion decides; the challenger's score and stage ride
// along in every summary; a broken challenger changes nothing. Needs `make pkg`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Scorer } from '../../pkg/node.js';
import { createStore } from '../../pkg-template/tracker/storage.js';
import { createShared } from '../../pkg-template/tracker/tabs.js';
import { MemoryStorage } from '../tracker/memory-storage.mjs';

const HANDOFF = { runtime: 'browser', includeEmail: true };

/** The built-in model with every rule worth double: a challenger that scores differently. */
function challenger() {
  const doc = JSON.parse(readFileSync(new URL('../../src/core/model/builtin.json', import.meta.url), 'utf8'));
  doc.name = 'challenger';
  for (const rule of doc.rules) if (typeof rule.points === 'number') rule.points *= 2;
  return new Scorer(doc);
}

let n = 0;
function tab(shadow) {
  const store = createStore(() => new MemoryStorage());
  store.writable = true;
  const shared = createShared(new Scorer(), store, () => `shadow-visitor-${++n}`, { shadow });
  shared.persist(true);
  return { shared, store };
}

const event = (fields) => ({ anonymousId: '', timestamp: Date.now(), messageId: `m${++n}`, context: { userAgent: 'Mozilla/5.0 Chrome/131.0' }, ...fields });
const handRaise = [
  event({ type: 'page', properties: { path: '/demo' } }),
  event({ type: 'identify', traits: { email: 'rae@bigco.example', title: 'VP of Sales', company: { name: 'BigCo', employee_count: 2500 } } }),
  event({ type: 'track', event: 'Demo Requested', properties: {} }),
];

test('the summary carries the challenger\'s score and stage; the champion decides', () => {
  const shadow = challenger();
  const { shared, store } = tab(shadow);
  let summary = null;
  for (const ev of handRaise) summary = shared.track(structuredClone(ev), HANDOFF).summary ?? summary;
  assert.ok(summary, 'the hand-raiser is handed off');
  const parsed = JSON.parse(summary);
  assert.equal(parsed.stage, 'sql');
  assert.equal(parsed.shadow.model, shadow.modelHash);
  assert.notEqual(parsed.shadow.model, parsed.model);
  assert.ok(parsed.shadow.score > parsed.score, `doubled points score higher: ${parsed.shadow.score} vs ${parsed.score}`);
  assert.ok(['visitor', 'lead', 'mql', 'sql'].includes(parsed.shadow.stage));
  assert.ok(store.get('shadow'), 'the challenger\'s state is saved beside the champion\'s');
});

test('without a challenger there is no shadow field, and a failing challenger is ignored', () => {
  const plain = tab(undefined);
  let summary = null;
  for (const ev of handRaise) summary = plain.shared.track(structuredClone(ev), HANDOFF).summary ?? summary;
  assert.equal(JSON.parse(summary).shadow, undefined);

  const broken = { modelHash: '0123456789abcdef', session() { throw new Error('broken challenger'); } };
  const withBroken = tab(broken);
  summary = null;
  for (const ev of handRaise) summary = withBroken.shared.track(structuredClone(ev), HANDOFF).summary ?? summary;
  assert.equal(JSON.parse(summary).stage, 'sql', 'the champion is not disturbed');
  assert.equal(JSON.parse(summary).shadow, undefined);
});

test('a challenger that joins after the visitor\'s first visit stays out of summaries (partial history)', () => {
  // The visitor's history is saved before any challenger runs.
  const ls = new MemoryStorage();
  const store = createStore(() => ls);
  store.writable = true;
  const before = createShared(new Scorer(), store, () => `late-${++n}`);
  before.persist(true);
  before.track(structuredClone(handRaise[0]));

  // A new page: the challenger is deployed now; the champion restores the saved history.
  const late = createShared(new Scorer(), store, () => `late-${++n}`, { shadow: challenger() });
  late.persist(true);
  let summary = null;
  for (const ev of handRaise.slice(1)) summary = late.track(structuredClone(ev), HANDOFF).summary ?? summary;
  assert.equal(JSON.parse(summary).stage, 'sql');
  assert.equal(JSON.parse(summary).shadow, undefined, 'partial: not compared');
  assert.match(store.get('shadow'), /^p:/);

  // A visitor both started with carries the shadow across pages (saved as whole).
  const fresh = new MemoryStorage();
  const freshStore = createStore(() => fresh);
  freshStore.writable = true;
  const shadow = challenger();
  const firstPage = createShared(new Scorer(), freshStore, () => `whole-${++n}`, { shadow });
  firstPage.persist(true);
  firstPage.track(structuredClone(handRaise[0]));
  assert.match(freshStore.get('shadow'), /^w:/);
  const nextPage = createShared(new Scorer(), freshStore, () => `whole-${++n}`, { shadow });
  nextPage.persist(true);
  summary = null;
  for (const ev of handRaise.slice(1)) summary = nextPage.track(structuredClone(ev), HANDOFF).summary ?? summary;
  assert.equal(JSON.parse(summary).shadow.model, shadow.modelHash);
});
