import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../../pkg-template/tracker/storage.js';
import { createShared } from '../../pkg-template/tracker/tabs.js';
import { captureWarnings, MemoryStorage } from './memory-storage.mjs';

// A stand-in for the wasm Scorer/Session: the state is the list of applied messageIds, so a
// double count shows as a duplicate and a lost event as a missing id.
class FakeSession {
  // Like the core: restoring state of another visitor than the one asked for is refused.
  constructor(visitor, saved) {
    this.visitor = visitor ?? '';
    this.seen = [];
    if (saved !== undefined) {
      try {
        const st = JSON.parse(saved);
        if (this.visitor && st.visitor !== this.visitor) this.restoreError = 'another visitor';
        else [this.visitor, this.seen] = [st.visitor, st.seen];
      } catch {
        this.restoreError = 'corrupt';
      }
    }
  }
  track(ev) {
    if (ev.type === 'bad') throw new TypeError('type');
    if (ev.anonymousId !== this.visitor) throw new RangeError('anonymousId');
    if (!this.seen.includes(ev.messageId)) this.seen.push(ev.messageId);
    return this.snapshot();
  }
  snapshot() {
    return { score: this.seen.length, stage: 'visitor' };
  }
  save() {
    return JSON.stringify({ visitor: this.visitor, seen: this.seen });
  }
}
const scorer = { session: (id, saved) => new FakeSession(id, saved) };

let n = 0;
const ev = (id) => ({ type: 'page', messageId: id, anonymousId: '', timestamp: 0, context: { userAgent: 'x' } });
/** A tab over shared storage; `granted` makes it persist. */
function tab(ls, granted) {
  const store = createStore(() => ls);
  store.writable = granted;
  const shared = createShared(scorer, store, () => 'visitor-' + ++n);
  if (granted) shared.persist(true);
  return { store, shared };
}

test('two granted tabs: each applies its own events once on top of the other tab\'s', () => {
  const ls = new MemoryStorage();
  const a = tab(ls, true);
  const b = tab(ls, true);
  assert.equal(b.shared.id, a.shared.id, 'one visitor id across tabs');
  a.shared.track(ev('a1'));
  b.shared.track(ev('b1'));
  a.shared.track(ev('a2'));
  b.shared.track(ev('b2'));
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')).seen, ['a1', 'b1', 'a2', 'b2']);
  assert.equal(a.shared.sync(), true, 'a sees b2 on the storage event');
  assert.equal(a.shared.sync(), false, 'and only once');
  assert.deepEqual(a.shared.session.seen, ['a1', 'b1', 'a2', 'b2']);
});

test('a reload restores the saved state and id instead of counting again', () => {
  const ls = new MemoryStorage();
  const a = tab(ls, true);
  a.shared.track(ev('p1'));
  const again = tab(ls, true);
  assert.equal(again.shared.id, a.shared.id);
  assert.deepEqual(again.shared.session.seen, ['p1']);
});

test('pending tabs write nothing; on grant a tab adopts the saved state and replays its own events', () => {
  const ls = new MemoryStorage();
  const a = tab(ls, false);
  const b = tab(ls, false);
  a.shared.track(ev('a1'));
  b.shared.track(ev('b1'));
  assert.equal(ls.writes, 0);
  // b grants first: its own session is saved
  b.store.writable = true;
  b.shared.persist(true);
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')).seen, ['b1']);
  // a learns of the grant: adopts b's id and state, then replays a1
  a.store.writable = true;
  a.shared.persist(true);
  assert.equal(a.shared.id, b.shared.id);
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')).seen, ['b1', 'a1']);
  assert.equal(b.shared.sync(), true);
  assert.deepEqual(b.shared.session.seen, ['b1', 'a1']);
});

test('corrupt saved state: one warning, a fresh start, overwritten on the next save', async () => {
  const ls = new MemoryStorage();
  ls.setItem('leadpulse:state', '%%%');
  ls.setItem('leadpulse:id', 'old');
  let a;
  const warned = await captureWarnings(() => {
    a = tab(ls, true);
    a.shared.track(ev('x'));
    a.shared.track(ev('y'));
  });
  assert.equal(warned.length, 1);
  assert.match(warned[0], /saved state discarded \(corrupt\)/);
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')).seen, ['x', 'y']);
});

test('a rejected event changes nothing and is not kept for replay', () => {
  const ls = new MemoryStorage();
  const a = tab(ls, false);
  assert.throws(() => a.shared.track({ ...ev('bad1'), type: 'bad' }), TypeError);
  a.shared.track(ev('ok'));
  a.store.writable = true;
  ls.setItem('leadpulse:state', JSON.stringify({ visitor: 'v-other', seen: ['other'] }));
  a.shared.persist(true);
  assert.equal(a.shared.id, 'v-other');
  assert.deepEqual(a.shared.session.seen, ['other', 'ok']);
});

test('reset: a new id and an empty history, seen by the other tab', () => {
  const ls = new MemoryStorage();
  const a = tab(ls, true);
  const b = tab(ls, true);
  a.shared.track(ev('1'));
  const before = a.shared.id;
  a.shared.reset();
  assert.notEqual(a.shared.id, before);
  assert.equal(ls.getItem('leadpulse:id'), a.shared.id);
  assert.equal(b.shared.sync(), true);
  assert.equal(b.shared.id, a.shared.id);
  assert.deepEqual(b.shared.session.seen, []);
});

test('persist(false) stops writing; state over 3072 chars is not saved', async () => {
  const ls = new MemoryStorage();
  const a = tab(ls, true);
  a.shared.persist(false);
  const w = ls.writes;
  a.shared.track(ev('z'));
  assert.equal(ls.writes, w);
  const big = tab(new MemoryStorage(), true);
  const warned = await captureWarnings(() => big.shared.track(ev('x'.repeat(4000))));
  assert.equal(warned.length, 1);
  assert.match(warned[0], /not saved/);
});

test('on grant with an id stored but no state, the stored id is kept and own events replayed', () => {
  const ls = new MemoryStorage();
  ls.setItem('leadpulse:id', 'kept');
  const a = tab(ls, false);
  a.shared.track(ev('e1'));
  a.store.writable = true;
  a.shared.persist(true);
  assert.equal(a.shared.id, 'kept');
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')), { visitor: 'kept', seen: ['e1'] });
});

test('state names its visitor: a tab that missed the id change still opens it', () => {
  const ls = new MemoryStorage();
  const a = tab(ls, true);
  ls.setItem('leadpulse:state', JSON.stringify({ visitor: 'someone-else', seen: ['x'] }));
  assert.equal(a.shared.sync(), true);
  assert.equal(a.shared.id, 'someone-else');
  a.shared.track(ev('y'));
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')).seen, ['x', 'y']);
});

/**
 * localStorage as another process sees it: its own copy, refreshed only when told (in a
 * browser, asynchronously). Writes go through to the shared storage at once.
 */
class StaleView {
  constructor(shared) {
    this.shared = shared;
    this.copy = new Map(shared.map);
  }
  refresh() {
    this.copy = new Map(this.shared.map);
  }
  get length() { return this.copy.size; }
  key(i) { return [...this.copy.keys()][i] ?? null; }
  getItem(k) { return this.copy.has(k) ? this.copy.get(k) : null; }
  setItem(k, v) { this.shared.setItem(k, v); this.copy.set(k, String(v)); }
  removeItem(k) { this.shared.removeItem(k); this.copy.delete(k); }
  clear() { this.shared.clear(); this.copy.clear(); }
}

/** Web Locks as the tabs see them: callbacks run one at a time, later, each seeing all writes made before it. */
function fakeLocks(views) {
  const waiting = [];
  return {
    locks: { request: (name, callback) => { waiting.push(callback); return Promise.resolve(); } },
    run() {
      while (waiting.length) {
        for (const v of views) v.refresh();
        waiting.shift()();
      }
    },
  };
}

test('two tabs reading stale copies lose an event without locks, and none with Web Locks', () => {
  const race = (withLocks) => {
    const ls = new MemoryStorage();
    const views = [new StaleView(ls), new StaleView(ls)];
    const lock = fakeLocks(views);
    const summaries = [];
    const make = (view) => {
      const store = createStore(() => view);
      store.writable = true;
      const shared = createShared(scorer, store, () => 'visitor-' + ++n, withLocks ? { locks: lock.locks, onSummary: (s) => summaries.push(s) } : {});
      shared.persist(true);
      return shared;
    };
    const a = make(views[0]);
    for (const v of views) v.refresh();
    const b = make(views[1]);
    for (const v of views) v.refresh();
    // Both tabs hold the same saved state; each applies an event before seeing the other's write.
    a.track(ev('from-a'));
    b.track(ev('from-b'));
    lock.run();
    return JSON.parse(ls.getItem('leadpulse:state')).seen;
  };
  assert.deepEqual(race(false).sort(), ['from-b'], 'the race this guards against: a\'s event is gone');
  assert.deepEqual(race(true).sort(), ['from-a', 'from-b'], 'merged under the lock');
});

test('with Web Locks, an unsaved event is saved on flush (pagehide) without waiting for the lock', () => {
  const ls = new MemoryStorage();
  const store = createStore(() => ls);
  store.writable = true;
  const shared = createShared(scorer, store, () => 'visitor-' + ++n, { locks: { request: () => new Promise(() => {}) } });
  shared.persist(true);
  shared.track(ev('late'));
  assert.equal(JSON.parse(ls.getItem('leadpulse:state')).seen.includes('late'), false, 'waiting for the lock');
  shared.flush();
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:state')).seen, ['late']);
});
