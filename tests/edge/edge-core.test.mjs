// Unit tests of the edge API (pkg/edge/*.js) on Node's Request/Response/WebCrypto, over the
// real wasm (pkg/node.js). The end-to-end tests in real workerd are in edge.test.mjs.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { Scorer } from '../../pkg/node.js';
import { attachCookie, createEdge, defaultConsent } from '../../pkg/edge/core.js';
import { readStateCookie, writeStateCookie } from '../../pkg/edge/cookie.js';
import { skipReason } from '../../pkg/edge/events.js';

const SECRET = 'unit-test-secret-0123456789abcdef';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36';
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const edge = createEdge(() => ({ Scorer }));

const get = (path, headers = {}) => new Request(`https://site.test${path}`, { headers: { 'user-agent': UA, ...headers } });
const opts = (extra = {}) => ({ secret: SECRET, now: () => NOW, onError: () => {}, ...extra });
const cookiePair = (lead) => lead.setCookie.split(';')[0];

function collector(statuses) {
  const calls = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      const status = statuses[Math.min(calls.length - 1, statuses.length - 1)];
      return new Response('{}', { status });
    },
  };
}

async function qualify(extra = {}) {
  const pending = [];
  const ctx = { waitUntil: (p) => pending.push(p) };
  let lead = await edge.scoreRequest(get('/pricing'), {}, ctx, opts(extra));
  for (const path of ['/pricing', '/integrations']) {
    lead = await edge.scoreRequest(get(path, { cookie: cookiePair(lead) }), {}, ctx, opts(extra));
  }
  const events = () => [
    { type: 'track', event: 'Demo Requested', properties: { path: '/demo' } },
    { type: 'identify', traits: { email: 'a@acme.test', title: 'VP Sales', company: { name: 'Acme', employee_count: 500 } } },
  ];
  lead = await edge.scoreRequest(get('/demo', { cookie: cookiePair(lead) }), {}, ctx, opts({ ...extra, events }));
  await Promise.all(pending);
  return { lead, ctx, pending };
}

describe('signed state cookie', () => {
  test('round trip, attributes, size', async () => {
    const first = await edge.scoreRequest(get('/pricing'), {}, undefined, opts());
    assert.equal(first.cookie, 'missing');
    assert.match(first.setCookie, /^__Host-lp=1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const second = await edge.scoreRequest(get('/pricing', { cookie: `other=1; ${cookiePair(first)}` }), {}, undefined, opts());
    assert.equal(second.cookie, 'valid');
    assert.equal(second.visitor, first.visitor);
    assert.ok(second.snapshot.score > first.snapshot.score);
  });

  test('tampered, foreign (secret or cookie name), expired and malformed cookies start fresh', async () => {
    const header = (await writeStateCookie({ name: 'lp', secret: SECRET, nowMs: NOW, maxAgeSeconds: 60, visitor: 'visitor-0001', state: '', forwarded: [] })).split(';')[0];
    const value = header.slice(3);
    const read = (cookie, nowMs = NOW, name = 'lp', secret = SECRET) => readStateCookie(cookie, { name, secret, nowMs });
    assert.equal((await read(header)).visitor, 'visitor-0001');
    assert.equal((await read(header.replace('visitor-0001', 'visitor-0002'))).problem, 'signature');
    assert.equal((await read(header, NOW, 'lp', 'another-secret-0123456789abcdef')).problem, 'signature');
    assert.equal((await read(`other=${value}`, NOW, 'other')).problem, 'signature');
    assert.equal((await read(header, NOW + 61_000)).problem, 'expired');
    // The last base64url character of a 32-byte MAC has 2 spare bits: a variant must not verify.
    const last = header.at(-1);
    const variant = header.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last) ^ 1];
    assert.equal((await read(variant)).problem, 'signature');
    assert.equal((await read('lp=1.a.b')).problem, 'malformed');
    assert.equal((await read('lp=2.visitor-0001.x..AA.' + 'A'.repeat(43))).problem, 'malformed');
    assert.equal((await read('')).problem, 'missing');
  });

  test('the cookie signature is HMAC-SHA256 over the documented payload', async () => {
    const header = (await writeStateCookie({ name: 'lp', secret: SECRET, nowMs: NOW, maxAgeSeconds: 60, visitor: 'visitor-0001', state: 'AAAA', forwarded: ['0123456789abcdef'] })).split(';')[0];
    const value = header.slice(3);
    const payload = value.slice(0, value.lastIndexOf('.'));
    const expected = createHmac('sha256', SECRET).update(`leadpulse-state|lp|${payload}`).digest('base64url');
    assert.equal(value.slice(value.lastIndexOf('.') + 1), expected);
  });

  test('a state too large for a cookie drops remembered ids first, then is not persisted', async () => {
    const write = (state, forwarded) => writeStateCookie({ name: 'lp', secret: SECRET, nowMs: NOW, maxAgeSeconds: 60, visitor: 'visitor-0001', state, forwarded });
    const ids = ['0000000000000001', '0000000000000002', '0000000000000003'];
    const big = await write('A'.repeat(3072), ids);
    assert.ok(big.length <= 4000);
    assert.equal(await write('A'.repeat(3073), []), null);
  });
});

describe('scoreRequest', () => {
  test('qualifies, forwards the signed summary once, through ctx.waitUntil', async () => {
    const sink = collector([201]);
    const { lead, ctx } = await qualify({ endpoint: 'https://collector.test/collect', collector: sink });
    assert.equal(lead.snapshot.stage, 'sql');
    assert.match(lead.forwarded, /^lp_[0-9a-f]{16}$/);
    assert.equal(sink.calls.length, 1);
    const { url, init } = sink.calls[0];
    assert.equal(url, 'https://collector.test/collect');
    const mac = createHmac('sha256', SECRET).update(init.body).digest('hex');
    assert.equal(init.headers['x-leadpulse-signature'], `sha256=${mac}`);
    const summary = JSON.parse(init.body);
    assert.equal(summary.runtime, 'edge');
    assert.equal(summary.id, lead.forwarded);
    assert.equal(summary.visitor, lead.visitor);
    const sealed = cookiePair(lead).split('.')[4];
    assert.ok(!Buffer.from(sealed, 'base64url').includes('a@acme.test'), 'the state is encrypted');
    assert.ok(summary.traits.email === 'a@acme.test', 'while the summary has the e-mail');
    const again = await edge.scoreRequest(get('/pricing', { cookie: cookiePair(lead) }), {}, ctx, opts({ endpoint: 'https://collector.test/collect', collector: sink }));
    assert.equal(again.forwarded, null);
    assert.equal(sink.calls.length, 1);
  });

  test('delivery retries 5xx and stops at a final 4xx', async () => {
    const flaky = collector([503, 201]);
    await qualify({ endpoint: 'https://c.test/collect', collector: flaky });
    assert.equal(flaky.calls.length, 2);
    const refused = collector([400]);
    await qualify({ endpoint: 'https://c.test/collect', collector: refused });
    assert.equal(refused.calls.length, 1);
  });

  test('the response does not wait for the delivery (ctx.waitUntil gets it)', async () => {
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    const slow = { fetch: async () => { await gate; return new Response('{}', { status: 201 }); } };
    const waited = [];
    const ctx = { waitUntil: (p) => waited.push(p) };
    let lead = await edge.scoreRequest(get('/pricing'), {}, ctx, opts());
    for (const path of ['/pricing', '/integrations']) lead = await edge.scoreRequest(get(path, { cookie: cookiePair(lead) }), {}, ctx, opts());
    const events = () => [{ type: 'track', event: 'Demo Requested' }, { type: 'identify', traits: { title: 'VP Sales', company: { employee_count: 500 } } }];
    lead = await edge.scoreRequest(get('/demo', { cookie: cookiePair(lead) }), {}, ctx,
      opts({ events, endpoint: 'https://c.test/collect', collector: slow }));
    assert.ok(lead.forwarded, 'scored and forwarded while the collector has not answered');
    assert.equal(waited.length, 1);
    release();
    assert.equal(await waited[0], 201);
  });

  test('without an endpoint nothing is forwarded', async () => {
    const { lead } = await qualify();
    assert.equal(lead.snapshot.stage, 'sql');
    assert.equal(lead.forwarded, null);
  });

  test('skips assets, other methods, prefetches and fetch() calls', () => {
    const skip = (request) => skipReason(request, new URL(request.url));
    assert.equal(skip(get('/site.css')), 'asset');
    assert.equal(skip(get('/pkg/leadpulse_core_bg.wasm')), 'asset');
    assert.equal(skip(new Request('https://site.test/pricing', { method: 'HEAD' })), 'method');
    assert.equal(skip(new Request('https://site.test/pricing', { method: 'PUT' })), 'method');
    assert.equal(skip(get('/pricing', { 'sec-purpose': 'prefetch' })), 'prefetch');
    assert.equal(skip(get('/collect', { 'sec-fetch-dest': 'empty' })), 'subresource');
    assert.equal(skip(get('/pricing', { 'sec-fetch-dest': 'document' })), null);
    assert.equal(skip(get('/pricing')), null);
  });

  test('a bot is not scored; POST without hook events is not scored', async () => {
    const bot = get('/pricing', { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' });
    assert.equal(await edge.scoreRequest(bot, {}, undefined, opts()), null);
    const post = new Request('https://site.test/newsletter', { method: 'POST', body: 'x', headers: { 'user-agent': UA } });
    assert.equal(await edge.scoreRequest(post, {}, undefined, opts()), null);
  });

  test('any failure passes through: no secret, short secret, broken model', async () => {
    const errors = [];
    const onError = (e) => errors.push(e);
    assert.equal(await edge.scoreRequest(get('/pricing'), {}, undefined, { now: () => NOW, onError }), null);
    assert.equal(await edge.scoreRequest(get('/pricing'), { LEADPULSE_SECRET: 'short' }, undefined, { onError }), null);
    assert.equal(await edge.scoreRequest(get('/pricing'), { LEADPULSE_SECRET: SECRET, LEADPULSE_MODEL: '{"rules": 42}' }, undefined, { onError }), null);
    assert.equal(errors.length, 3);
  });

  test('secret and model from env; the model may be JSON text', async () => {
    const env = { LEADPULSE_SECRET: SECRET, LEADPULSE_MODEL: '' };
    const lead = await edge.scoreRequest(get('/pricing'), env, undefined, { now: () => NOW });
    assert.equal(lead.snapshot.stage, 'visitor');
  });

  test('consent: DNT/GPC deny (existing cookie cleared), pending persists nothing', async () => {
    const first = await edge.scoreRequest(get('/pricing'), {}, undefined, opts());
    const denied = await edge.scoreRequest(get('/pricing', { dnt: '1', cookie: cookiePair(first) }), {}, undefined, opts());
    assert.equal(denied.consent, 'denied');
    assert.match(denied.setCookie, /^__Host-lp=; Max-Age=0;/);
    assert.notEqual(denied.visitor, first.visitor);
    const pending = await edge.scoreRequest(get('/pricing'), {}, undefined, opts({ consent: () => 'pending' }));
    assert.equal(pending.setCookie, null);
    assert.equal(defaultConsent(get('/', { 'sec-gpc': '1' })), 'denied');
    assert.equal(defaultConsent(get('/')), 'granted');
  });

  test('hook events cannot choose the visitor or the time; a bad hook event is dropped', async () => {
    const events = () => [
      { type: 'identify', anonymousId: 'someone-else', userId: 'u1', timestamp: 0, traits: { title: 'VP Sales' } },
      { type: 'no-such-type' },
    ];
    const lead = await edge.scoreRequest(get('/pricing'), {}, undefined, opts({ events }));
    assert.ok(lead.snapshot.fit > 0, 'identify counted for this visitor');
    assert.equal(lead.snapshot.firstSeen, new Date(NOW).toISOString());
  });

  test('only an external referrer is passed, reduced to its origin', async () => {
    const seen = [];
    const spy = createEdge(() => ({
      Scorer: class extends Scorer {
        session(visitor, state) {
          const session = super.session(visitor, state);
          const track = session.track.bind(session);
          session.track = (event, now) => { seen.push(event); return track(event, now); };
          return session;
        }
      },
    }));
    await spy.scoreRequest(get('/pricing?utm_source=x', { referer: 'https://news.example/a/b?c=d' }), {}, undefined, opts());
    await spy.scoreRequest(get('/pricing', { referer: 'https://site.test/blog/' }), {}, undefined, opts());
    assert.equal(seen[0].properties.referrer, 'https://news.example/');
    assert.equal(seen[0].properties.search, '?utm_source=x');
    assert.equal(seen[1].properties.referrer, undefined);
  });
});

describe('withLeadPulse / attachCookie', () => {
  test('the handler gets the lead; the response gets the cookie, even an immutable one', async () => {
    let seen;
    const handler = edge.withLeadPulse((request, env, ctx, lead) => { seen = lead; return Response.redirect('https://site.test/x', 302); }, opts());
    const response = await handler.fetch(get('/pricing'), {}, { waitUntil() {} });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('set-cookie'), seen.setCookie);
    assert.equal(attachCookie(response, null), response);
  });

  test('an unscored request reaches the handler with lead = null and an untouched response', async () => {
    const original = new Response('body');
    const handler = edge.withLeadPulse((request, env, ctx, lead) => { assert.equal(lead, null); return original; }, opts());
    assert.equal(await handler.fetch(get('/site.css'), {}, { waitUntil() {} }), original);
  });
});
