// What sales did: the status URL beside the endpoint, and only well-formed answers passed on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.location ??= { href: 'https://www.acme.example/pricing' };
const { statusUrl } = await import('../../pkg-template/tracker/sales.js');
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
