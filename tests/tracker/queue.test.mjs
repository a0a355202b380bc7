import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoff, createQueue, LEASE_MS, MAX_MS, QUEUE_MAX, retryAfter, SENT_MAX, verdict } from '../../pkg-template/tracker/queue.js';
import { createStore } from '../../pkg-template/tracker/storage.js';
import { MemoryStorage } from './memory-storage.mjs';

const open = (ls = new MemoryStorage(), writable = true, random = () => 0.5) => {
  const store = createStore(() => ls);
  store.writable = writable;
  return { ls, store, queue: createQueue(store, random) };
};

test('backoff doubles from 1 s with jitter in the upper half, capped at 5 min', () => {
  const low = () => 0;
  const high = () => 0.999999;
  const steps = [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000];
  steps.forEach((step, i) => {
    assert.equal(backoff(i + 1, low), step / 2, `failure ${i + 1}, low`);
    assert.equal(backoff(i + 1, high), step, `failure ${i + 1}, high`);
  });
  assert.equal(backoff(1000, high), MAX_MS);
  assert.equal(backoff(0, low), 500, 'failures < 1 count as the first');
});

test('verdict: 2xx done, final 4xx dropped, 408/429/5xx/network retried', () => {
  for (const s of [200, 201, 204]) assert.equal(verdict(s), 'done');
  for (const s of [400, 401, 403, 404, 413, 422]) assert.equal(verdict(s), 'drop');
  for (const s of [0, 408, 429, 500, 502, 503, 301]) assert.equal(verdict(s), 'retry');
});

test('Retry-After in seconds or as a date', () => {
  const now = Date.parse('2026-11-20T12:00:00Z');
  assert.equal(retryAfter('7', now), 7000);
  assert.equal(retryAfter('Fri, 20 Nov 2026 12:00:30 GMT', now), 30000);
  assert.equal(retryAfter(null, now), 0);
  assert.equal(retryAfter('soon', now), 0);
  assert.equal(retryAfter('999999', now), 3600000, 'capped at an hour');
});

test('a summary id is queued once, and never again after it finished', () => {
  const { queue, ls } = open();
  assert.equal(queue.add('lp_a', '{"id":"lp_a"}', 1000), true);
  assert.equal(queue.add('lp_a', '{"id":"lp_a"}', 2000), false, 'already queued');
  assert.equal(queue.entries().length, 1);
  queue.finish('lp_a');
  assert.deepEqual(queue.entries(), []);
  assert.equal(ls.getItem('leadpulse:q:lp_a'), null);
  assert.deepEqual(JSON.parse(ls.getItem('leadpulse:sent')), ['lp_a']);
  assert.equal(queue.add('lp_a', '{"id":"lp_a"}', 3000), false, 'already delivered');
});

test('the queue keeps at most 20 entries (oldest dropped) and 50 finished ids', () => {
  const { queue, ls } = open();
  for (let i = 0; i < QUEUE_MAX + 5; i++) queue.add('lp_' + i, '{}', i);
  const ids = queue.entries().map((e) => e.id);
  assert.equal(ids.length, QUEUE_MAX);
  assert.equal(ids[0], 'lp_5');
  for (let i = 0; i < SENT_MAX + 10; i++) queue.finish('done_' + i);
  const sent = JSON.parse(ls.getItem('leadpulse:sent'));
  assert.equal(sent.length, SENT_MAX);
  assert.equal(sent.at(-1), 'done_' + (SENT_MAX + 9));
  assert.equal(queue.add('done_' + (SENT_MAX + 9), '{}', 0), false);
});

test('claim leases due entries to one tab; retry backs off and releases', () => {
  const ls = new MemoryStorage();
  const a = open(ls).queue;
  const b = open(ls).queue; // a second tab on the same storage
  a.add('lp_1', '{}', 1000);
  a.add('lp_2', '{}', 1000);
  assert.deepEqual(a.claim(1000).map((e) => e.id), ['lp_1', 'lp_2']);
  assert.deepEqual(b.claim(1001), [], 'leased by the other tab');
  assert.deepEqual(b.claim(1001, true), [], 'not even for a beacon');
  assert.equal(a.next(), 1000 + LEASE_MS);
  a.retry('lp_1', 2000);
  const e = a.entries().find((x) => x.id === 'lp_1');
  assert.equal(e.n, 1);
  assert.equal(e.at, 2000 + 750, 'random 0.5 → 3/4 of the 1 s step');
  assert.equal(e.lease, 0);
  assert.deepEqual(b.claim(2001), [], 'not due yet');
  assert.deepEqual(b.claim(2750).map((x) => x.id), ['lp_1']);
  a.retry('lp_1', 3000, 60000);
  assert.equal(a.entries().find((x) => x.id === 'lp_1').at, 63000, 'Retry-After wins over a shorter backoff');
});

test('the queue survives a reload: state lives in storage only', () => {
  const ls = new MemoryStorage();
  open(ls).queue.add('lp_1', '{"x":1}', 5);
  const reloaded = open(ls).queue;
  assert.deepEqual(reloaded.entries(), [{ id: 'lp_1', body: '{"x":1}', t: 5, n: 0, at: 5, lease: 0 }]);
});

test('nothing is written while storage is not writable (consent not granted)', () => {
  const { queue, ls } = open(new MemoryStorage(), false);
  assert.equal(queue.add('lp_1', '{}', 0), false);
  assert.equal(ls.writes, 0);
});

test('corrupt entries are discarded', () => {
  const ls = new MemoryStorage();
  ls.setItem('leadpulse:q:lp_x', '{not json');
  ls.setItem('leadpulse:q:lp_y', '{"body":1}');
  ls.setItem('leadpulse:sent', '"nope"');
  const { queue } = open(ls);
  assert.deepEqual(queue.entries(), []);
  assert.equal(ls.getItem('leadpulse:q:lp_x'), null);
  assert.equal(ls.getItem('leadpulse:q:lp_y'), null);
  assert.equal(queue.add('lp_1', '{}', 0), true);
});

test('one key per entry: tabs adding different summaries never overwrite each other', () => {
  const ls = new MemoryStorage();
  open(ls).queue.add('lp_a', '{}', 1);
  open(ls).queue.add('lp_b', '{}', 2);
  assert.deepEqual(open(ls).queue.entries().map((e) => e.id), ['lp_a', 'lp_b']);
  assert.ok(ls.getItem('leadpulse:q:lp_a') && ls.getItem('leadpulse:q:lp_b'));
});

test('a retry never brings back an entry finished or cleared meanwhile', () => {
  const ls = new MemoryStorage();
  const { queue } = open(ls);
  queue.add('lp_1', '{}', 0);
  queue.claim(0);
  ls.removeItem('leadpulse:q:lp_1'); // e.g. consent withdrawn in another tab
  queue.retry('lp_1', 10);
  assert.deepEqual(queue.entries(), []);
});
