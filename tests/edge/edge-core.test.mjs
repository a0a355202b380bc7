// Unit tests of the edge API (pkg/edge/*.js) on Node's Request/Response/WebCrypto, over the
// real wasm (pkg/node.js): what is scored, consent, hooks, pass-through, withLeadPulse. The
// cookie, secrets and delivery have their own files (cookie, keys, delivery .test.mjs); the
// end-to-end tests in real workerd are in edge.test.mjs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Scorer } from '../../pkg/node.js';
import { attachCookie, createEdge, defaultConsent } from '../../pkg/edge/core.js';
import { skipReason } from '../../pkg/edge/events.js';
import { COOKIE_SECRET, NOW, SIGNING_SECRET, UA, cookiePair, edge, get, opts, qualify } from './unit.mjs';

describe('scoreRequest', () => {
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
    assert.equal(await edge.scoreRequest(get('/pricing'), { LEADPULSE_COOKIE_SECRET: 'short' }, undefined, { onError }), null);
    assert.equal(await edge.scoreRequest(get('/pricing'), { LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_MODEL: '{"rules": 42}' }, undefined, { onError }), null);
    assert.equal(errors.length, 3);
  });

  test('secrets and model from env; the model may be JSON text', async () => {
    const env = { LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: SIGNING_SECRET, LEADPULSE_MODEL: '' };
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
