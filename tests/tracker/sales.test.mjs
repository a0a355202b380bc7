// What sales did: the status URL beside the endpoint, and only well-formed answers passed on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.location ??= { href: 'https://www.acme.example/pricing' };
const { readStatus, statusUrl } = await import('../../pkg-template/tracker/sales.js');

test('the status URL sits beside the collector endpoint', () => {
  assert.equal(statusUrl('https://leads.example.com/collect', 'tok_1'), 'https://leads.example.com/status/tok_1');
  assert.equal(statusUrl('/collect', 'abc'), 'https://www.acme.example/status/abc');
  assert.equal(statusUrl('https://x.example/lp/collect', 'abc'), 'https://x.example/lp/status/abc');
  assert.equal(statusUrl('https://x.example/ingest', 'abc'), 'https://x.example/status/abc');
});

test('only a known status, and at most a first name, is passed on', () => {
  assert.deepEqual(readStatus({ sales: 'with_sales', owner: { firstName: 'Ana', email: 'ana@x' } }), { sales: 'with_sales', owner: { firstName: 'Ana' } });
  assert.deepEqual(readStatus({ sales: 'recycled', owner: null }), { sales: 'recycled', owner: null });
  for (const bad of [null, {}, { sales: 'vip' }, { sales: 3 }, 'with_sales']) assert.equal(readStatus(bad), null, JSON.stringify(bad));
});
