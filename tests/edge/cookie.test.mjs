// The visitor cookie, version 2 (docs/edge.md): format and keys as documented, checked with
// Node's own crypto; what is refused (tampered, foreign, signed with the signing secret,
// expired, minted to live too long, version 1, malformed); the write counter; the size cap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { readStateCookie, writeStateCookie } from '../../pkg/edge/cookie.js';
import { cookieKeys } from '../../pkg/edge/keys.js';
import { mintCookie, openCookie, versionOneCookie } from './cookie-tools.mjs';
import { COOKIE_SECRET, DAY, NOW, SIGNING_SECRET, context, cookiePair, edge, fakeCollector, get, next, opts, qualify } from './unit.mjs';

const MAX_AGE = 30 * 86400;
const keys = () => cookieKeys(COOKIE_SECRET);
const write = async (fields) => (await writeStateCookie({
  name: 'lp', keys: await keys(), nowMs: NOW, maxAgeSeconds: MAX_AGE, visitor: 'visitor-0001', state: '', counter: 1, ...fields,
}))?.split(';')[0];
const read = async (cookie, { nowMs = NOW, name = 'lp', secret = COOKIE_SECRET, maxAgeSeconds = MAX_AGE } = {}) =>
  readStateCookie(cookie, { name, keys: await cookieKeys(secret), nowMs, maxAgeSeconds });

const open = (value, { name = 'lp', secret = COOKIE_SECRET } = {}) => openCookie(value, { name, secret });
const mint = ({ name = 'lp', secret = COOKIE_SECRET, visitor = 'visitor-0001', ...rest }) => mintCookie({ name, secret, visitor, ...rest });

describe('cookie v2 format', () => {
  test('round trip through scoreRequest; attributes; the counter goes up on every write', async () => {
    const first = await edge.scoreRequest(get('/pricing'), {}, undefined, opts());
    assert.equal(first.cookie, 'missing');
    assert.equal(first.counter, 1);
    assert.match(first.setCookie, /^__Host-lp=2\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const second = await edge.scoreRequest(get('/pricing', { cookie: `other=1; ${cookiePair(first)}` }), {}, undefined, opts());
    assert.equal(second.cookie, 'valid');
    assert.equal(second.visitor, first.visitor);
    assert.equal(second.counter, 2);
    assert.ok(second.snapshot.score > first.snapshot.score);
    assert.equal(open(cookiePair(second).slice('__Host-lp='.length), { name: '__Host-lp' }).counter, 2);
  });

  test('signature, keys and sealed payload are exactly as documented', async () => {
    const sink = fakeCollector([201]);
    const { lead } = await qualify({ endpoint: 'https://c.test/collect', collector: sink });
    const value = cookiePair(lead).slice('__Host-lp='.length);
    const opened = open(value, { name: '__Host-lp' });
    assert.equal(opened.version, '2');
    assert.equal(opened.visitor, lead.visitor);
    assert.ok(opened.signatureOk, 'HMAC-SHA256(HKDF(cookie secret, "leadpulse", "leadpulse cookie v2 mac"), "leadpulse-cookie-v2|name|payload")');
    assert.equal(opened.expiry, NOW / 1000 + MAX_AGE);
    assert.equal(opened.counter, 4);
    assert.equal(`lp_${opened.delivered}`, lead.forwarded, 'the acknowledged id');
    assert.equal(opened.entry, '');
    assert.ok(opened.state.length > 100, 'session.save() follows the newline');
    // Sealed: neither the e-mail nor the delivery record can be read from the cookie.
    const raw = Buffer.from(value.split('.')[2], 'base64url');
    assert.ok(!raw.includes('a@acme.test') && !raw.includes(opened.delivered));
    // The same state under the signing secret does not open: one key per role.
    assert.equal(open(value, { name: '__Host-lp', secret: SIGNING_SECRET }).signatureOk, false);
  });

  test('a pending delivery is kept in the sealed payload: id, attempts, next attempt, last status', async () => {
    const { lead } = await qualify({ endpoint: 'https://c.test/collect', collector: fakeCollector([503]), retryDelaysMs: [] });
    const opened = open(cookiePair(lead).slice('__Host-lp='.length), { name: '__Host-lp' });
    assert.equal(opened.delivered, '');
    const [id, attempts, nextAt, status] = opened.entry.split('-');
    assert.equal(`lp_${id}`, lead.delivery.id);
    assert.equal(attempts, 'p1');
    assert.equal(parseInt(nextAt, 36) * 1000, lead.delivery.nextAttemptAt);
    assert.equal(status, '503');
  });
});

describe('cookies that are not trusted read as a fresh visitor', () => {
  test('tampered, foreign secret or cookie name, non-canonical, malformed, missing', async () => {
    const cookie = await write({});
    const value = cookie.slice(3);
    assert.equal((await read(cookie)).visitor, 'visitor-0001');
    assert.equal((await read(cookie.replace('visitor-0001', 'visitor-0002'))).problem, 'signature');
    assert.equal((await read(cookie, { secret: 'another-secret-0123456789abcdef' })).problem, 'signature');
    assert.equal((await read(`other=${value}`, { name: 'other' })).problem, 'signature');
    // The last base64url character of a 32-byte MAC has 2 spare bits: a variant must not verify.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variant = cookie.slice(0, -1) + alphabet[alphabet.indexOf(cookie.at(-1)) ^ 1];
    assert.equal((await read(variant)).problem, 'signature');
    const [version, visitor, sealed, signature] = value.split('.');
    const flipped = sealed.slice(0, 30) + (sealed[30] === 'A' ? 'B' : 'A') + sealed.slice(31);
    assert.equal((await read(`lp=${[version, visitor, flipped, signature].join('.')}`)).problem, 'signature');
    assert.equal((await read('lp=2.a.b')).problem, 'malformed');
    assert.equal((await read(`lp=${value}.x`)).problem, 'malformed');
    assert.equal((await read('')).problem, 'missing');
    assert.equal((await read('lp=')).problem, 'missing');
  });

  test('a cookie signed with the signing secret (what the collector holds) is refused', async () => {
    const byCollector = mint({ meta: `${(NOW / 1000 + 3600).toString(36)}.1..`, secret: SIGNING_SECRET });
    assert.equal((await read(byCollector)).problem, 'signature');
    assert.equal((await read(mint({ meta: `${(NOW / 1000 + 3600).toString(36)}.1..` }))).problem, null, 'the same, minted with the cookie secret, is valid');
  });

  test('expired, and minted to live longer than the configured lifetime (10 years) → expired', async () => {
    const cookie = await write({});
    assert.equal((await read(cookie, { nowMs: NOW + MAX_AGE * 1000 - 1000 })).problem, null);
    assert.equal((await read(cookie, { nowMs: NOW + MAX_AGE * 1000 })).problem, 'expired');
    const tenYears = await write({ maxAgeSeconds: 10 * 365 * 86400 });
    assert.equal((await read(tenYears)).problem, 'expired', 'a genuine signature does not make a 10-year lifetime acceptable');
    // 10 minutes of clock skew between edge locations are tolerated, not more.
    const ahead = (s) => mint({ meta: `${(NOW / 1000 + MAX_AGE + s).toString(36)}.1..` });
    assert.equal((await read(ahead(590))).problem, null);
    assert.equal((await read(ahead(610))).problem, 'expired');
    // Through scoreRequest: the minted cookie carries nothing, the visitor starts fresh.
    const minted = await write({ name: '__Host-lp', maxAgeSeconds: 10 * 365 * 86400 });
    const lead = await edge.scoreRequest(get('/pricing', { cookie: minted }), {}, undefined, opts());
    assert.equal(lead.cookie, 'expired');
    assert.notEqual(lead.visitor, 'visitor-0001');
  });

  test('a version 1 cookie (the old format) reads as a fresh visitor', async () => {
    // As the old edge wrote it: 1.<visitor>.<expiry>.<forwarded>.<state>.<HMAC(secret, "leadpulse-state|name|…")>
    const v1 = (name) => versionOneCookie({ name, secret: COOKIE_SECRET, visitor: 'visitor-0001', expiry: NOW + 3_600_000 });
    assert.equal((await read(v1('lp'))).problem, 'version');
    const lead = await edge.scoreRequest(get('/pricing', { cookie: v1('__Host-lp') }), {}, undefined, opts());
    assert.equal(lead.cookie, 'version');
    assert.notEqual(lead.visitor, 'visitor-0001');
    assert.match(lead.setCookie, /^__Host-lp=2\./, 'rewritten as version 2');
  });

  test('a validly signed payload with a malformed record is not trusted', async () => {
    const expiry = (NOW / 1000 + 3600).toString(36);
    assert.equal((await read(mint({ meta: `${expiry}.1.xyz.` }))).problem, 'malformed');
    assert.equal((await read(mint({ meta: `${expiry}.1..0123456789abcdef-q1` }))).problem, 'malformed');
    assert.equal((await read(mint({ meta: `${expiry}.1` }))).problem, 'malformed');
    assert.equal((await read(mint({ meta: `${expiry}.1..0123456789abcdef-r400` }))).outbox.entry.status, 400);
  });
});

describe('size', () => {
  test('the largest state and delivery record fit in 4000 bytes; a larger state is not persisted', async () => {
    const full = {
      delivered: ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004'],
      entry: { id: '0000000000000005', state: 'pending', attempts: 999, nextAt: NOW + 21_600_000, status: 503 },
    };
    const visitor = 'v'.repeat(64);
    const big = await writeStateCookie({ name: '__Host-lp', keys: await keys(), nowMs: NOW, maxAgeSeconds: MAX_AGE, visitor, state: 'A'.repeat(3072), outbox: full, counter: 36 ** 7 });
    assert.ok(big.length <= 4000, `${big.length} bytes`);
    const back = await readStateCookie(big.split(';')[0], { name: '__Host-lp', keys: await keys(), nowMs: NOW, maxAgeSeconds: MAX_AGE });
    assert.deepEqual(back.outbox, full);
    assert.equal(back.state, 'A'.repeat(3072));
    assert.equal(await write({ state: 'A'.repeat(3073) }), undefined);
  });

  test('a later request keeps working from a cookie carrying a pending delivery', async () => {
    const ctx = context();
    const { lead } = await qualify({ endpoint: 'https://c.test/collect', collector: fakeCollector(['down']), retryDelaysMs: [] }, { ctx });
    const later = await next(lead, '/pricing', NOW + DAY / 24, { endpoint: 'https://c.test/collect', collector: fakeCollector([201]) });
    assert.equal(later.cookie, 'valid');
    assert.equal(later.snapshot.stage, 'sql');
  });
});
