// A new cookie secret with the old one as LEADPULSE_PREVIOUS_COOKIE_SECRET (docs/edge.md,
// "Rotating secrets"): cookies written under the old secret are read — the same visitor,
// state, counter and delivery record, pending hand-off included — and rewritten under the new
// one only; the shadow's cookie likewise. Checked with Node's own crypto (cookie-tools.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { mintCookie, openCookie, openShadowCookie } from './cookie-tools.mjs';
import {
  COOKIE_SECRET, DAY, ENDPOINT, NOW, challengerModel, context, cookiePair, cookiesOf, edge, fakeCollector, get, next, opts, qualify,
} from './unit.mjs';

const NAME = '__Host-lp';
const SHADOW = '__Host-lp-shadow';
const OLD = COOKIE_SECRET; // what `qualify` writes cookies under
const NEW = 'unit-new-cookie-secret-0123456789abc';
const SECOND = 1000;
const rotating = { cookieSecret: NEW, previousCookieSecret: OLD };
const valueOf = (lead, name) => lead.setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);

describe('previous cookie secret', () => {
  test('a cookie under the old secret: same visitor, state and pending hand-off; rewritten under the new secret only', async () => {
    const down = { endpoint: ENDPOINT, collector: fakeCollector(['down']), retryDelaysMs: [] };
    const { lead, ctx } = await qualify(down);
    assert.deepEqual([lead.snapshot.stage, lead.delivery.state, lead.counter], ['sql', 'pending', 4]);

    // Without the previous secret the new one alone resets the visitor: what this fixes.
    const reset = await next(lead, '/blog/', NOW + SECOND, { ...down, cookieSecret: NEW }, ctx);
    assert.deepEqual([reset.cookie, reset.snapshot.stage], ['signature', 'visitor']);
    assert.notEqual(reset.visitor, lead.visitor);

    const read = await next(lead, '/blog/', NOW + SECOND, { ...down, ...rotating }, ctx);
    assert.equal(read.cookie, 'previous');
    assert.equal(read.visitor, lead.visitor);
    assert.equal(read.snapshot.stage, 'sql');
    assert.equal(read.counter, 5, 'the write counter goes on');
    const kept = ({ id, state, attempts, nextAttemptAt, status }) => ({ id, state, attempts, nextAttemptAt, status });
    assert.deepEqual(kept(read.delivery), kept(lead.delivery), 'the pending hand-off, as it was (not due yet)');
    assert.equal(read.forwarded, null);
    const value = cookiePair(read).slice(NAME.length + 1);
    assert.equal(openCookie(value, { name: NAME, secret: NEW }).signatureOk, true, 'rewritten under the new secret');
    assert.equal(openCookie(value, { name: NAME, secret: OLD }).signatureOk, false, 'and not under the old one');
    assert.equal(openCookie(value, { name: NAME, secret: NEW }).entry.split('-')[0], lead.delivery.id.slice(3));

    // The rewritten cookie needs the previous secret no more: the re-send goes out when due.
    const sink = fakeCollector([201]);
    const due = await next(read, '/', lead.delivery.nextAttemptAt, { endpoint: ENDPOINT, collector: sink, cookieSecret: NEW }, ctx);
    assert.deepEqual([due.cookie, due.visitor, due.snapshot.stage], ['valid', lead.visitor, 'sql']);
    assert.deepEqual([due.forwarded, due.delivery.state, due.delivery.status], [lead.forwarded, 'delivered', 201]);
    await ctx.settled();
    assert.deepEqual([...sink.stored.keys()], [lead.forwarded], 'one lead, the same summary id');
  });

  test('the shadow\'s cookie under the old secret is read too (still paired, still whole) and rewritten', async () => {
    const shadow = { shadowModel: challengerModel() };
    let lead = await edge.scoreRequest(get('/pricing'), {}, undefined, opts(shadow));
    lead = await edge.scoreRequest(get('/pricing', { cookie: cookiesOf(lead) }), {}, undefined, opts({ ...shadow, now: () => NOW + DAY }));
    assert.deepEqual([lead.shadow.cookie, lead.shadow.history], ['valid', 'whole']);
    const after = await edge.scoreRequest(get('/integrations', { cookie: cookiesOf(lead) }), {}, undefined,
      opts({ ...shadow, ...rotating, now: () => NOW + 2 * DAY }));
    assert.equal(after.cookie, 'previous');
    assert.deepEqual([after.shadow.cookie, after.shadow.history], ['previous', 'whole']);
    assert.ok(after.shadow.score > lead.shadow.score, 'the challenger went on from its saved state');
    const value = valueOf(after, SHADOW);
    assert.equal(openShadowCookie(value, { name: SHADOW, secret: NEW }).signatureOk, true);
    assert.equal(openShadowCookie(value, { name: SHADOW, secret: OLD }).signatureOk, false);
    const again = await edge.scoreRequest(get('/pricing', { cookie: cookiesOf(after) }), {}, undefined,
      opts({ ...shadow, cookieSecret: NEW, now: () => NOW + 3 * DAY }));
    assert.deepEqual([again.cookie, again.shadow.cookie, again.shadow.history], ['valid', 'valid', 'whole']);
  });

  test('what the previous secret does not open: another secret\'s cookie, an expired one; current cookies as before', async () => {
    const first = await edge.scoreRequest(get('/pricing'), {}, undefined, opts());
    const other = await edge.scoreRequest(get('/pricing'), {}, undefined, opts({ cookieSecret: 'unit-third-cookie-secret-0123456789' }));
    const foreign = await edge.scoreRequest(get('/pricing', { cookie: cookiePair(other) }), {}, undefined, opts(rotating));
    assert.equal(foreign.cookie, 'signature');
    assert.notEqual(foreign.visitor, other.visitor);
    const expired = await edge.scoreRequest(get('/pricing', { cookie: cookiePair(first) }), {}, undefined, opts({ ...rotating, now: () => NOW + 31 * DAY }));
    assert.equal(expired.cookie, 'expired', 'verified under the previous secret, past its lifetime');
    const current = await edge.scoreRequest(get('/pricing', { cookie: cookiePair(foreign) }), {}, undefined, opts(rotating));
    assert.deepEqual([current.cookie, current.visitor], ['valid', foreign.visitor]);
  });

  test('from the environment; each secret\'s keys derived once per isolate, the previous one\'s only when a cookie needs them', async () => {
    const oldSecret = 'unit-env-old-cookie-secret-0123456789';
    const newSecret = 'unit-env-new-cookie-secret-0123456789';
    const ctx = context();
    // Minted with Node's crypto, so that this isolate has not derived the old secret's keys.
    const made = await edge.scoreRequest(get('/pricing'), {}, ctx, opts());
    const opened = openCookie(cookiePair(made).slice(NAME.length + 1), { name: NAME, secret: COOKIE_SECRET });
    const first = { visitor: made.visitor, cookie: mintCookie({ name: NAME, secret: oldSecret, visitor: made.visitor, meta: opened.meta, state: opened.state }) };
    const env = { LEADPULSE_COOKIE_SECRET: newSecret, LEADPULSE_PREVIOUS_COOKIE_SECRET: oldSecret };
    const derive = crypto.subtle.importKey;
    const derived = [];
    crypto.subtle.importKey = function spy(format, keyData, algorithm, ...rest) {
      if (algorithm === 'HKDF') derived.push(new TextDecoder().decode(keyData));
      return derive.call(this, format, keyData, algorithm, ...rest);
    };
    try {
      let lead = await edge.scoreRequest(get('/blog/'), env, ctx, opts({ cookieSecret: undefined }));
      assert.deepEqual(derived, [newSecret], 'a fresh visitor needs no previous keys');
      lead = await edge.scoreRequest(get('/pricing', { cookie: first.cookie }), env, ctx, opts({ cookieSecret: undefined }));
      assert.deepEqual([lead.cookie, lead.visitor], ['previous', first.visitor]);
      const again = await edge.scoreRequest(get('/pricing', { cookie: first.cookie }), env, ctx, opts({ cookieSecret: undefined }));
      assert.equal(again.cookie, 'previous');
    } finally {
      crypto.subtle.importKey = derive;
    }
    assert.deepEqual(derived, [newSecret, oldSecret], 'each secret once');
  });
});
