import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { BEACON_LEASE_MS, createQueue } from '../../pkg-template/tracker/queue.js';
import { createStore } from '../../pkg-template/tracker/storage.js';
import { createTransport } from '../../pkg-template/tracker/transport.js';
import { captureWarnings, MemoryStorage } from './memory-storage.mjs';

mock.timers.enable({ apis: ['setTimeout'] });

/** A tab: its own transport over the shared storage; `answers` are the collector's statuses. */
function tab(ls, answers, clock = { t: 1000 }) {
  const store = createStore(() => ls);
  store.writable = true;
  const queue = createQueue(store, () => 0);
  const calls = [];
  const beacons = [];
  const transport = createTransport({
    endpoint: '/collect',
    queue,
    fetch: async (url, init) => {
      calls.push({ url, init });
      const a = answers.shift() ?? 201;
      if (a === 'offline') throw new TypeError('Failed to fetch');
      const [status, retry] = Array.isArray(a) ? a : [a, null];
      return { status, headers: { get: (h) => (h === 'retry-after' ? retry : null) } };
    },
    beacon: (url, blob) => {
      beacons.push({ url, blob });
      return true;
    },
    now: () => clock.t,
  });
  return { queue, transport, calls, beacons, clock };
}

test('POSTs JSON with keepalive; 201 finishes the entry', async () => {
  const t = tab(new MemoryStorage(), [201]);
  t.queue.add('lp_1', '{"id":"lp_1"}', 1000);
  await t.transport.pump();
  assert.equal(t.calls.length, 1);
  const { url, init } = t.calls[0];
  assert.equal(url, '/collect');
  assert.equal(init.method, 'POST');
  assert.equal(init.keepalive, true);
  assert.equal(init.headers['content-type'], 'application/json');
  assert.equal(init.body, '{"id":"lp_1"}');
  assert.deepEqual(t.queue.entries(), []);
  assert.equal(t.queue.add('lp_1', '{}', 2000), false, 'delivered ids are not queued again');
});

test('200 (duplicate id at the collector) also finishes', async () => {
  const t = tab(new MemoryStorage(), [200]);
  t.queue.add('lp_1', '{}', 1000);
  await t.transport.pump();
  assert.deepEqual(t.queue.entries(), []);
});

test('a final 4xx drops the entry with one warning', async () => {
  const t = tab(new MemoryStorage(), [413]);
  t.queue.add('lp_1', '{}', 1000);
  const warned = await captureWarnings(() => t.transport.pump());
  assert.deepEqual(t.queue.entries(), []);
  assert.equal(warned.length, 1);
  assert.match(warned[0], /HTTP 413/);
});

test('5xx, 408, 429 and network errors retry with backoff until delivered', async () => {
  const t = tab(new MemoryStorage(), [503, 'offline', 408, [429, '30'], 201]);
  t.queue.add('lp_1', '{}', 1000);
  await t.transport.pump();
  let e = t.queue.entries()[0];
  assert.deepEqual([e.n, e.at], [1, 1000 + 500]);
  for (const [n, at] of [[2, 1500 + 1000], [3, 2500 + 2000], [4, 4500 + 30000]]) {
    t.clock.t = e.at;
    await t.transport.pump();
    e = t.queue.entries()[0];
    assert.deepEqual([e.n, e.at], [n, at]);
  }
  t.clock.t = e.at - 1;
  await t.transport.pump();
  assert.equal(t.calls.length, 4, 'not due yet');
  t.clock.t = e.at;
  await t.transport.pump();
  assert.equal(t.calls.length, 5);
  assert.deepEqual(t.queue.entries(), []);
});

test('two tabs never send the same entry at once', async () => {
  const ls = new MemoryStorage();
  const a = tab(ls, [201]);
  const b = tab(ls, [201], a.clock);
  a.queue.add('lp_1', '{}', 1000);
  await Promise.all([a.transport.pump(), b.transport.pump()]);
  assert.equal(a.calls.length + b.calls.length, 1);
  assert.deepEqual(a.queue.entries(), []);
});

test('hidden page: waiting entries go by sendBeacon as text/plain and stay queued', async () => {
  const t = tab(new MemoryStorage(), [503]);
  t.queue.add('lp_1', '{"id":"lp_1"}', 1000);
  await t.transport.pump(); // fails: waits 500 ms
  t.transport.flush();
  assert.equal(t.beacons.length, 1);
  assert.equal(t.beacons[0].url, '/collect');
  assert.equal(t.beacons[0].blob.type, 'text/plain');
  assert.equal(await t.beacons[0].blob.text(), '{"id":"lp_1"}');
  assert.equal(t.queue.entries().length, 1, 'confirmed later by fetch');
  t.transport.flush(); // pagehide after visibilitychange
  assert.equal(t.beacons.length, 1, 'not beaconed twice');
  t.clock.t = t.queue.next();
  assert.equal(t.clock.t, 1000 + BEACON_LEASE_MS, 'a reload retries soon after a beacon');
  await t.transport.pump();
  assert.deepEqual(t.queue.entries(), []);
});

test('an entry being fetched is not beaconed again', async () => {
  const t = tab(new MemoryStorage(), []);
  t.queue.add('lp_1', '{}', 1000);
  t.queue.claim(1000); // a fetch in flight
  t.transport.flush();
  assert.equal(t.beacons.length, 0);
});

test('a refused beacon counts as a failed attempt', async () => {
  const t = tab(new MemoryStorage(), []);
  t.queue.add('lp_1', '{}', 1000);
  const transport = createTransport({ endpoint: '/c', queue: t.queue, fetch: async () => ({ status: 201, headers: { get: () => null } }), beacon: () => false, now: () => 1000 });
  transport.flush();
  const e = t.queue.entries()[0];
  assert.deepEqual([e.n, e.at, e.lease], [1, 1500, 0]);
});
