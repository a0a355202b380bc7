// What sales did: the status URL beside the endpoint, and only well-formed answers passed on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.location ??= { href: 'https://www.acme.example/pricing' };
const { createSales, REFRESH_MS, statusUrl } = await import('../../pkg-template/tracker/sales.js');
const { readStatus } = await import('../../pkg-template/sales-status.js');

test('the status URL sits beside the collector endpoint', () => {
  assert.equal(statusUrl('https://leads.example.com/collect', 'tok_1'), 'https://leads.example.com/status/tok_1');
  assert.equal(statusUrl('/collect', 'abc'), 'https://www.acme.example/status/abc');
  assert.equal(statusUrl('https://x.example/lp/collect', 'abc'), 'https://x.example/lp/status/abc');
  assert.equal(statusUrl('https://x.example/ingest', 'abc'), 'https://x.example/status/abc');
});

test('only a known status, a first name and an http(s) booking page are passed on', () => {
  assert.deepEqual(readStatus({ sales: 'with_sales', owner: { firstName: 'Ana', email: 'ana@x' } }), { sales: 'with_sales', owner: { firstName: 'Ana' } });
  assert.deepEqual(readStatus({ sales: 'recycled', owner: null }), { sales: 'recycled', owner: null });
  for (const bad of [null, {}, { sales: 'vip' }, { sales: 3 }, 'with_sales']) assert.equal(readStatus(bad), null, JSON.stringify(bad));
});

test('a booking page is kept only as an absolute http(s) URL: a link to anything else could run in the page', () => {
  const withUrl = (bookingUrl) => readStatus({ sales: 'with_sales', owner: { firstName: 'Ana', bookingUrl } });
  assert.deepEqual(withUrl('https://cal.example.com/ana'), { sales: 'with_sales', owner: { firstName: 'Ana', bookingUrl: 'https://cal.example.com/ana' } });
  for (const bad of ['javascript:alert(1)', 'data:text/html,hi', '/relative', 'https://x.example/' + 'a'.repeat(2100), 42, null]) {
    assert.deepEqual(withUrl(bad), { sales: 'with_sales', owner: { firstName: 'Ana' } }, String(bad).slice(0, 40));
  }
  assert.deepEqual(readStatus({ sales: 'with_sales', owner: { bookingUrl: 'https://cal.example.com/ana' } }), { sales: 'with_sales', owner: null }, 'no name, no owner');
});

test('a returning tab asks again at most once a minute, and only with a token', async () => {
  const kept = new Map();
  const store = { get: (k) => kept.get(k) ?? null, set: (k, v) => (kept.set(k, v), true), del: (k) => kept.delete(k) };
  let clock = 1_000_000;
  const asked = [];
  const seen = [];
  const answers = [{ sales: 'with_sales', owner: { firstName: 'Ana' } }, { sales: 'recycled', owner: null }];
  const sales = createSales({
    store,
    endpoint: 'https://leads.example.com/collect',
    now: () => clock,
    fetch: async (url) => {
      asked.push(url);
      const body = answers[Math.min(asked.length - 1, answers.length - 1)];
      return { ok: true, status: 200, json: async () => body };
    },
    onStatus: (s) => seen.push(s.sales),
  });
  sales.refresh();
  assert.deepEqual(asked, [], 'no token: nothing to ask');
  sales.accepted({ status: 'tok_0123456789abcdef' });
  await new Promise((r) => setImmediate(r));
  assert.equal(asked.length, 1);
  clock += REFRESH_MS - 1;
  sales.refresh();
  assert.equal(asked.length, 1, 'back within the minute: not asked again');
  clock += 1;
  sales.refresh();
  await new Promise((r) => setImmediate(r));
  assert.equal(asked.length, 2);
  assert.deepEqual(seen, ['with_sales', 'recycled'], 'the change reaches the page');
});
