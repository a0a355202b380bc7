// One secret per role (docs/edge.md): the cookie secret signs and encrypts the cookie, the
// signing secret signs summaries for the collector. Missing, short, equal or old-style
// secrets make every request pass through, with a message that says what to set.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { LeadPulseConfigError } from '../../pkg/edge/core.js';
import { COOKIE_SECRET, ENDPOINT, NOW, SIGNING_SECRET, context, edge, fakeCollector, get, qualify } from './unit.mjs';

/** scoreRequest with `env` and options; returns [result, errors reported]. */
async function attempt(env, options = {}) {
  const errors = [];
  const lead = await edge.scoreRequest(get('/pricing'), env, undefined, { now: () => NOW, onError: (e) => errors.push(e), ...options });
  return [lead, errors];
}

describe('secrets', () => {
  test('from env: both set and different → scored, cookie written', async () => {
    const [lead, errors] = await attempt({ LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: SIGNING_SECRET, LEADPULSE_ENDPOINT: ENDPOINT });
    assert.deepEqual(errors, []);
    assert.ok(lead.setCookie);
  });

  test('only the old LEADPULSE_SECRET → refused, with the split and its reason', async () => {
    for (const [env, options] of [[{ LEADPULSE_SECRET: COOKIE_SECRET }, {}], [{}, { secret: COOKIE_SECRET }],
      [{ LEADPULSE_SECRET: COOKIE_SECRET, LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_ENDPOINT: ENDPOINT }, {}]]) {
      const [lead, errors] = await attempt(env, options);
      assert.equal(lead, null, 'passed through');
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof LeadPulseConfigError);
      assert.match(errors[0].message, /LEADPULSE_SECRET was split into LEADPULSE_COOKIE_SECRET .* and LEADPULSE_SIGNING_SECRET/);
      assert.match(errors[0].message, /whoever verifies summaries could also mint visitor cookies/);
    }
  });

  test('the old secret next to both new ones is ignored', async () => {
    const [lead, errors] = await attempt({ LEADPULSE_SECRET: 'old-secret-0123456789abcdef', LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: SIGNING_SECRET });
    assert.deepEqual(errors, []);
    assert.ok(lead.setCookie);
  });

  test('equal secrets → refused: the collector could mint cookies', async () => {
    const [lead, errors] = await attempt({ LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: COOKIE_SECRET, LEADPULSE_ENDPOINT: ENDPOINT });
    assert.equal(lead, null);
    assert.match(errors[0].message, /LEADPULSE_COOKIE_SECRET and LEADPULSE_SIGNING_SECRET must differ: the collector holds the signing secret/);
    // Also without an endpoint: a signing secret given is checked.
    const [alone, more] = await attempt({}, { cookieSecret: COOKIE_SECRET, signingSecret: COOKIE_SECRET });
    assert.equal(alone, null);
    assert.match(more[0].message, /must differ/);
  });

  test('short or missing secrets → refused, naming the variable', async () => {
    const cases = [
      [{ LEADPULSE_COOKIE_SECRET: 'short' }, /LEADPULSE_COOKIE_SECRET \(option cookieSecret\) must be a string of at least 16 characters/],
      [{ LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: '15-characters!!' }, /LEADPULSE_SIGNING_SECRET \(option signingSecret\) must be a string of at least 16/],
      [{}, /LEADPULSE_COOKIE_SECRET \(option cookieSecret\) is not set/],
      [{ LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_ENDPOINT: ENDPOINT }, /LEADPULSE_SIGNING_SECRET \(option signingSecret\) is not set: summaries for LEADPULSE_ENDPOINT cannot be signed/],
    ];
    for (const [env, message] of cases) {
      const [lead, errors] = await attempt(env);
      assert.equal(lead, null, JSON.stringify(env));
      assert.match(errors[0].message, message);
    }
  });

  test('without an endpoint no signing secret is needed; without consent no secret at all', async () => {
    const [lead, errors] = await attempt({ LEADPULSE_COOKIE_SECRET: COOKIE_SECRET });
    assert.deepEqual(errors, []);
    assert.ok(lead.setCookie);
    const [pending] = await attempt({}, { consent: () => 'pending' });
    assert.equal(pending.setCookie, null);
    assert.equal(pending.snapshot.stage, 'visitor');
  });

  test('options override env', async () => {
    const [lead, errors] = await attempt({ LEADPULSE_COOKIE_SECRET: 'short' }, { cookieSecret: COOKIE_SECRET });
    assert.deepEqual(errors, []);
    assert.ok(lead.setCookie);
  });

  test('a previous cookie secret obeys the same rules: ≥ 16 characters, neither current secret', async () => {
    const base = { LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: SIGNING_SECRET, LEADPULSE_ENDPOINT: ENDPOINT };
    const cases = [
      [{ LEADPULSE_PREVIOUS_COOKIE_SECRET: 'short' }, /LEADPULSE_PREVIOUS_COOKIE_SECRET \(option previousCookieSecret\) must be a string of at least 16 characters/],
      [{ LEADPULSE_PREVIOUS_COOKIE_SECRET: COOKIE_SECRET }, /LEADPULSE_PREVIOUS_COOKIE_SECRET \(option previousCookieSecret\) equals LEADPULSE_COOKIE_SECRET/],
      [{ LEADPULSE_PREVIOUS_COOKIE_SECRET: SIGNING_SECRET }, /LEADPULSE_PREVIOUS_COOKIE_SECRET \(option previousCookieSecret\) and LEADPULSE_SIGNING_SECRET must differ: the collector holds/],
    ];
    for (const [env, message] of cases) {
      const [lead, errors] = await attempt({ ...base, ...env });
      assert.equal(lead, null, JSON.stringify(env));
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof LeadPulseConfigError);
      assert.match(errors[0].message, message);
    }
    const [viaOption, optionErrors] = await attempt(base, { previousCookieSecret: SIGNING_SECRET });
    assert.equal(viaOption, null);
    assert.match(optionErrors[0].message, /must differ/);
    // Absent or empty: no rotation under way.
    for (const previous of [undefined, '']) {
      const [lead, errors] = await attempt({ ...base, LEADPULSE_PREVIOUS_COOKIE_SECRET: previous });
      assert.deepEqual(errors, []);
      assert.ok(lead.setCookie);
    }
    const [rotating, none] = await attempt({ ...base, LEADPULSE_PREVIOUS_COOKIE_SECRET: 'old-cookie-secret-0123456789' });
    assert.deepEqual(none, []);
    assert.equal(rotating.cookie, 'missing');
  });

  test('summaries are signed with the signing secret, never the cookie secret', async () => {
    const sink = fakeCollector([201]);
    const ctx = context();
    await qualify({ endpoint: ENDPOINT, collector: sink }, { ctx });
    await ctx.settled();
    assert.equal(sink.calls.length, 1);
    const { init } = sink.calls[0];
    assert.equal(init.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', SIGNING_SECRET).update(init.body).digest('hex')}`);
    assert.notEqual(init.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', COOKIE_SECRET).update(init.body).digest('hex')}`);
  });
});
