// A shadow (challenger) model at the edge (docs/edge.md, "Shadow model"), Node unit tests over
// the real wasm with the fake collector: summaries carry the challenger's { model, score, stage }
// (hand-offs and re-sends); its state persists in its own cookie, paired with the state cookie;
// a broken challenger leaves the champion's result, cookie and delivery as they are; without the
// option nothing extra runs. "Nothing more was sent" is asserted after ctx.settled(), never a sleep.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Scorer } from '../../pkg/node.js';
import { attachCookie, createEdge, LeadPulseShadowError } from '../../pkg/edge/core.js';
import { mintCookie, mintShadowCookie, openCookie, openShadowCookie } from './cookie-tools.mjs';
import {
  COOKIE_SECRET, DAY, ENDPOINT, NOW, SIGNING_SECRET, challengerModel, context, cookiePair, cookiesOf, demoForm, edge,
  fakeCollector, get, opts,
} from './unit.mjs';

const NAME = '__Host-lp';
const SHADOW = '__Host-lp-shadow';
const CHALLENGER = challengerModel();
const CHALLENGER_HASH = new Scorer(CHALLENGER).modelHash;
const CHAMPION_HASH = new Scorer().modelHash;
const START = NOW - 7 * DAY;

const valueOf = (lead, name) => lead.setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);

/**
 * A week of one visitor: blog, pricing on days 1, 3, 5 (MQL), the demo form on day 6 (SQL).
 * `carry(lead)` is the Cookie header of the next request (default: every cookie set).
 */
async function week(extra = {}, { api = edge, ctx = context(), carry = cookiesOf } = {}) {
  const at = (t, more = {}) => opts({ now: () => t, ...extra, ...more });
  const leads = [await api.scoreRequest(get('/blog/?utm_source=google'), {}, ctx, at(START))];
  for (const day of [1, 3, 5]) {
    leads.push(await api.scoreRequest(get('/pricing', { cookie: carry(leads.at(-1)) }), {}, ctx, at(START + day * DAY)));
  }
  leads.push(await api.scoreRequest(get('/demo', { cookie: carry(leads.at(-1)) }), {}, ctx, at(START + 6 * DAY, { events: demoForm })));
  return { leads, ctx };
}

/** An edge whose Scorer is `Scorer` with `patch(session, scorer)` applied to every session. */
function patched(patch) {
  const counts = { scorers: 0, sessions: 0 };
  const api = createEdge(() => ({
    Scorer: class extends Scorer {
      constructor(...args) {
        super(...args);
        counts.scorers += 1;
      }

      session(visitor, state) {
        counts.sessions += 1;
        return patch(super.session(visitor, state), this) ?? super.session(visitor, state);
      }

      // The challenger's sessions (the edge opens them with shadowSession).
      shadowSession(visitor, state, whole, championRestored) {
        counts.sessions += 1;
        return patch(super.shadowSession(visitor, state, whole, championRestored), this)
          ?? super.shadowSession(visitor, state, whole, championRestored);
      }
    },
  }));
  return { api, counts };
}

describe('shadow model: summaries', () => {
  test('every hand-off carries the challenger\'s hash, score and stage; the champion decides', async () => {
    const sink = fakeCollector([201]);
    const { leads, ctx } = await week({ endpoint: ENDPOINT, collector: sink, shadowModel: CHALLENGER });
    await ctx.settled();
    assert.deepEqual(leads.map((l) => l.snapshot.stage), ['visitor', 'visitor', 'visitor', 'mql', 'sql']);
    const bodies = sink.calls.map((c) => JSON.parse(c.init.body));
    assert.deepEqual(bodies.map((b) => b.stage), ['mql', 'sql'], 'the champion\'s stages decide the hand-offs');
    for (const body of bodies) {
      assert.equal(body.model, CHAMPION_HASH);
      assert.equal(body.shadow.model, CHALLENGER_HASH);
      assert.notEqual(body.shadow.model, body.model);
      assert.ok(body.shadow.score > body.score, `doubled points score higher: ${body.shadow.score} vs ${body.score}`);
      assert.ok(['visitor', 'lead', 'mql', 'sql'].includes(body.shadow.stage));
      assert.deepEqual(Object.keys(body.shadow).sort(), ['model', 'score', 'stage'], 'the collector\'s contract, nothing more');
    }
    // What this request's summary said is what lead.shadow says.
    for (const [i, lead] of leads.entries()) {
      if (!lead.forwarded) continue;
      const body = bodies.find((b) => b.id === lead.forwarded);
      assert.deepEqual(body.shadow, { model: lead.shadow.model, score: lead.shadow.score, stage: lead.shadow.stage }, `request ${i}`);
    }
  });

  test('the shadow\'s state persists across the week: its score grows like the champion\'s', async () => {
    const { leads } = await week({ shadowModel: CHALLENGER });
    const champion = leads.map((l) => l.snapshot.score);
    const shadow = leads.map((l) => l.shadow.score);
    assert.deepEqual(leads.map((l) => [l.shadow.history, l.shadow.cookie]),
      [['whole', 'missing'], ['whole', 'valid'], ['whole', 'valid'], ['whole', 'valid'], ['whole', 'valid']]);
    for (let i = 1; i < leads.length; i += 1) {
      assert.ok(shadow[i] >= shadow[i - 1], `shadow ${shadow}`);
      assert.ok(champion[i] >= champion[i - 1], `champion ${champion}`);
    }
    assert.ok(shadow.at(-1) > shadow[1] && shadow[1] > shadow[0], `shadow ${shadow}`);
    assert.ok(shadow.at(-1) > champion.at(-1), `shadow ${shadow} vs champion ${champion}`);

    // The control: the same week without the shadow cookie sent back. Each request's shadow
    // then sees that request alone: partial, a lower score, and never in a summary.
    const sink = fakeCollector([201]);
    const forgetful = await week({ endpoint: ENDPOINT, collector: sink, shadowModel: CHALLENGER }, { carry: cookiePair });
    assert.deepEqual(forgetful.leads.map((l) => l.shadow.history), ['whole', 'partial', 'partial', 'partial', 'partial']);
    assert.deepEqual(forgetful.leads.slice(1).map((l) => l.shadow.cookie), ['missing', 'missing', 'missing', 'missing']);
    assert.ok(forgetful.leads.at(-1).shadow.score < shadow.at(-1), 'without its state the shadow starts over');
    assert.deepEqual(forgetful.leads.map((l) => l.snapshot.score), champion, 'the champion is the same');
    await forgetful.ctx.settled();
    const bodies = sink.calls.map((c) => JSON.parse(c.init.body));
    assert.deepEqual(bodies.map((b) => [b.stage, 'shadow' in b]), [['mql', false], ['sql', false]],
      'a shadow that missed part of the history is kept out of summaries');
  });

  test('a pending summary re-derived by a later request (session.summary) carries the shadow too', async () => {
    const sink = fakeCollector([503, 201]);
    const ctx = context();
    const options = (t, more = {}) => opts({ now: () => t, endpoint: ENDPOINT, collector: sink, shadowModel: CHALLENGER, retryDelaysMs: [], ...more });
    const first = await edge.scoreRequest(get('/demo'), {}, ctx, options(NOW));
    const form = await edge.scoreRequest(get('/demo', { cookie: cookiesOf(first) }), {}, ctx, options(NOW + 60_000, { events: demoForm }));
    assert.equal(form.delivery.state, 'pending');
    const due = await edge.scoreRequest(get('/blog/', { cookie: cookiesOf(form) }), {}, ctx, options(form.delivery.nextAttemptAt));
    assert.deepEqual([due.delivery.sent, due.delivery.id, due.delivery.state], [true, form.delivery.id, 'delivered']);
    await ctx.settled();
    const [handOff, resend] = sink.calls.map((c) => JSON.parse(c.init.body));
    assert.equal(resend.id, handOff.id);
    assert.equal(handOff.shadow.model, CHALLENGER_HASH);
    assert.deepEqual(resend.shadow, { model: CHALLENGER_HASH, score: due.shadow.score, stage: due.shadow.stage });
    assert.ok(resend.shadow.score > resend.score);
  });
});

describe('shadow model: its cookie', () => {
  test('format: <name>-shadow=s1.<visitor>.<sealed>.<signature>, same attributes and keys, own MAC domain, paired by the counter', async () => {
    const { leads } = await week({ shadowModel: CHALLENGER });
    const lead = leads.at(-1);
    assert.equal(lead.setCookies.length, 2);
    assert.equal(lead.setCookies[0], lead.setCookie, 'the state cookie first');
    assert.match(lead.setCookies[1], /^__Host-lp-shadow=s1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    for (const line of lead.setCookies) assert.ok(line.length <= 4000, `${line.length} bytes`);
    const main = openCookie(valueOf(lead, NAME), { name: NAME, secret: COOKIE_SECRET });
    const shadow = openShadowCookie(valueOf(lead, SHADOW), { name: SHADOW, secret: COOKIE_SECRET });
    assert.ok(shadow.signatureOk, 'HMAC-SHA256(the cookie MAC key, "leadpulse-shadow-v1|<shadow name>|payload")');
    assert.deepEqual([shadow.version, shadow.visitor, shadow.counter, shadow.history], ['s1', lead.visitor, main.counter, 'w']);
    assert.equal(shadow.expiry, main.expiry);
    assert.notEqual(shadow.state, main.state, 'its own state');
    const restored = new Scorer(CHALLENGER).session(lead.visitor, shadow.state);
    assert.equal(restored.restoreError, undefined);
    assert.equal(restored.snapshot(START + 6 * DAY).score, lead.shadow.score, 'the state the shadow scored from');
    assert.ok(!Buffer.from(valueOf(lead, SHADOW).split('.')[2], 'base64url').includes('a@acme.test'), 'sealed');
    assert.equal(openShadowCookie(valueOf(lead, SHADOW), { name: SHADOW, secret: SIGNING_SECRET }).signatureOk, false);
  });

  test('neither cookie is read as the other; a foreign, stale or other visitor\'s shadow cookie is not used', async () => {
    const { leads } = await week({ shadowModel: CHALLENGER });
    const lead = leads.at(-1);
    const main = valueOf(lead, NAME);
    const shadow = valueOf(lead, SHADOW);
    const opened = openShadowCookie(shadow, { name: SHADOW, secret: COOKIE_SECRET });
    const at = START + 6 * DAY + 60_000;
    const visit = (cookie) => edge.scoreRequest(get('/', { cookie }), {}, context(), opts({ now: () => at, shadowModel: CHALLENGER }));
    const expiry = opened.meta.split('.')[0];
    const mint = (fields) => mintShadowCookie({ name: SHADOW, secret: COOKIE_SECRET, visitor: lead.visitor, state: opened.state, ...fields });
    const cases = {
      control: [`${NAME}=${main}; ${SHADOW}=${shadow}`, 'valid', 'whole'],
      'the state cookie under the shadow name': [`${NAME}=${main}; ${SHADOW}=${main}`, 'malformed', 'partial'],
      'signed under the state cookie\'s MAC domain': [`${NAME}=${main}; ${mint({ meta: opened.meta, domain: 'leadpulse-cookie-v2' })}`, 'signature', 'partial'],
      'signed with the signing secret': [`${NAME}=${main}; ${mintShadowCookie({ name: SHADOW, secret: SIGNING_SECRET, visitor: lead.visitor, meta: opened.meta, state: opened.state })}`, 'signature', 'partial'],
      'a later version': [`${NAME}=${main}; ${mint({ meta: opened.meta, version: 's2' })}`, 'version', 'partial'],
      'written with an older state cookie (counter)': [`${NAME}=${main}; ${mint({ meta: `${expiry}.${(opened.counter - 1).toString(36)}.w` })}`, 'unpaired', 'partial'],
      'another visitor\'s': [`${NAME}=${main}; ${mint({ meta: opened.meta, visitor: 'AAAAAAAAAAAAAAAAAAAAAA' })}`, 'unpaired', 'partial'],
      'a state the core discards': [`${NAME}=${main}; ${mint({ meta: opened.meta, state: 'AAAA' })}`, 'state', 'partial'],
      'history partial stays partial': [`${NAME}=${main}; ${mint({ meta: `${expiry}.${opened.counter.toString(36)}.p` })}`, 'valid', 'partial'],
    };
    for (const [name, [cookie, status, history]] of Object.entries(cases)) {
      const result = await visit(cookie);
      assert.equal(result.cookie, 'valid', `${name}: the state cookie is unaffected`);
      assert.equal(result.visitor, lead.visitor, name);
      assert.equal(result.snapshot.stage, 'sql', name);
      assert.deepEqual([result.shadow.cookie, result.shadow.history], [status, history], name);
      if (status === 'valid') assert.ok(result.shadow.score >= lead.shadow.score, name);
      else assert.ok(result.shadow.score < lead.shadow.score, `${name}: started over`);
    }
    // The shadow cookie under the state cookie's name is not a visitor's state.
    const swapped = await visit(`${NAME}=${shadow}`);
    assert.equal(swapped.cookie, 'malformed');
    assert.notEqual(swapped.visitor, lead.visitor);
    // A state cookie that is not trusted: the visitor starts afresh, and so does the shadow.
    const fresh = await visit(`${NAME}=${main.slice(0, -2)}AA; ${SHADOW}=${shadow}`);
    assert.equal(fresh.cookie, 'signature');
    assert.deepEqual([fresh.shadow.cookie, fresh.shadow.history], ['reset', 'whole']);
    // A minted shadow cookie is only as good as the secret: the cookie-tools agree with the edge.
    const remint = mint({ meta: opened.meta });
    assert.equal((await visit(`${NAME}=${main}; ${remint}`)).shadow.cookie, 'valid');
  });

  test('consent denied clears both cookies (also with the shadow switched off); pending writes neither', async () => {
    const { leads } = await week({ shadowModel: CHALLENGER });
    const cookie = cookiesOf(leads.at(-1));
    for (const extra of [{ shadowModel: CHALLENGER }, {}]) {
      const denied = await edge.scoreRequest(get('/', { cookie, dnt: '1' }), {}, undefined, opts(extra));
      assert.equal(denied.consent, 'denied');
      assert.deepEqual(denied.setCookies.map((c) => c.split(';').slice(0, 2).join(';')), [`${NAME}=; Max-Age=0`, `${SHADOW}=; Max-Age=0`]);
      assert.equal(denied.shadow, null);
    }
    const pending = await edge.scoreRequest(get('/', { cookie }), {}, undefined, opts({ shadowModel: CHALLENGER, consent: () => 'pending' }));
    assert.deepEqual([pending.setCookies, pending.shadow], [[], null]);
  });

  test('a shadow state that cannot fit is dropped (its cookie deleted); the champion keeps its cookie', async () => {
    const { api } = patched((session, scorer) => {
      if (scorer.modelName === CHALLENGER.name) session.save = () => 'A'.repeat(3073);
      return session;
    });
    const { leads } = await week({ shadowModel: CHALLENGER });
    const result = await api.scoreRequest(get('/', { cookie: cookiesOf(leads.at(-1)) }), {}, undefined, opts({ now: () => START + 6 * DAY + 1000, shadowModel: CHALLENGER }));
    assert.equal(result.cookie, 'valid');
    assert.equal(result.snapshot.stage, 'sql');
    assert.equal(result.shadow.cookie, 'valid', 'it ran, from its state');
    assert.equal(result.setCookies.length, 2);
    assert.equal(result.setCookies[0], result.setCookie);
    assert.match(result.setCookies[1], /^__Host-lp-shadow=; Max-Age=0;/);
  });
});

describe('shadow model: a broken challenger changes nothing for the champion', () => {
  /** What a week leaves of the champion: per request, and what the collector received. */
  async function championOf(extra) {
    const sink = fakeCollector([201]);
    const errors = [];
    const { leads, ctx } = await week({ endpoint: ENDPOINT, collector: sink, onError: (e) => errors.push(e), ...extra.options }, { api: extra.api ?? edge });
    await ctx.settled();
    const anonymous = (text) => text.replaceAll(leads[0].visitor, 'V').replace(/\b(lp_)?[0-9a-f]{16}\b/g, 'ID'); // summary ids depend on the visitor id
    return {
      errors,
      leads,
      requests: leads.map((l) => anonymous(JSON.stringify({
        snapshot: l.snapshot, cookie: l.cookie, counter: l.counter, forwarded: Boolean(l.forwarded),
        delivery: l.delivery, written: Boolean(l.setCookie),
        state: openCookie(cookiePair(l).slice(NAME.length + 1), { name: NAME, secret: COOKIE_SECRET }).meta.split('.').slice(1).join('.'),
      }))),
      received: sink.calls.map((c) => anonymous(c.init.body)),
    };
  }

  test('an invalid challenger model, or one that throws while scoring: same results, cookie, hand-offs; reported once per request', async () => {
    const plain = await championOf({ options: {} });
    assert.equal(plain.received.length, 2);
    const broken = await championOf({ options: { shadowModel: '{"version": 1, "rules": 42}' } });
    const { api } = patched((session, scorer) => {
      if (scorer.modelName === CHALLENGER.name) session.track = () => { throw new Error('challenger exploded'); };
      return session;
    });
    const throwing = await championOf({ options: { shadowModel: CHALLENGER }, api });
    for (const [name, run] of [['invalid', broken], ['throwing', throwing]]) {
      assert.deepEqual(run.requests, plain.requests, `${name}: every request's champion result`);
      assert.deepEqual(run.received, plain.received, `${name}: the summaries, byte for byte (no shadow field)`);
      for (const lead of run.leads) {
        assert.equal(lead.shadow, null, name);
        assert.deepEqual(lead.setCookies, [lead.setCookie], `${name}: no shadow cookie`);
      }
      assert.equal(run.errors.length, run.leads.length, `${name}: one report per request`);
      for (const error of run.errors) {
        assert.ok(error instanceof LeadPulseShadowError, String(error));
        assert.match(error.message, /^shadow model: /);
        assert.ok(error.cause);
      }
    }
    assert.match(throwing.errors[0].message, /challenger exploded/);
  });

  test('a shadow that fails after it had state: its cookie is deleted, the champion\'s is written', async () => {
    const { leads } = await week({ shadowModel: CHALLENGER });
    const { api } = patched((session, scorer) => {
      // Whichever read of its score the edge makes (the view for summaries, or a snapshot) fails.
      if (scorer.modelName === CHALLENGER.name) {
        session.snapshot = () => { throw new Error('no snapshot'); };
        session.shadowView = () => { throw new Error('no snapshot'); };
      }
      return session;
    });
    const errors = [];
    const result = await api.scoreRequest(get('/', { cookie: cookiesOf(leads.at(-1)) }), {}, undefined,
      opts({ now: () => START + 6 * DAY + 1000, shadowModel: CHALLENGER, onError: (e) => errors.push(e) }));
    assert.deepEqual([result.cookie, result.snapshot.stage, result.shadow], ['valid', 'sql', null]);
    assert.equal(result.setCookies[0], result.setCookie);
    assert.match(result.setCookies[1], /^__Host-lp-shadow=; Max-Age=0;/);
    assert.equal(errors.length, 1);
  });
});

describe('shadow model: off', () => {
  test('no option → one scorer, one session per request, no shadow cookie, no shadow field; a leftover shadow cookie is not read', async () => {
    const { api, counts } = patched((session) => session);
    const sink = fakeCollector([201]);
    const { leads, ctx } = await week({ endpoint: ENDPOINT, collector: sink }, { api });
    assert.deepEqual(counts, { scorers: 1, sessions: leads.length }, 'nothing extra ran');
    for (const lead of leads) {
      assert.equal(lead.shadow, null);
      assert.deepEqual(lead.setCookies, [lead.setCookie]);
    }
    // A shadow cookie left from a deployment that had one: neither read nor rewritten.
    const leftover = mintShadowCookie({ name: SHADOW, secret: COOKIE_SECRET, visitor: leads[0].visitor, meta: `${((START + 7 * DAY) / 1000).toString(36)}.5.w` });
    const later = await api.scoreRequest(get('/', { cookie: `${cookiesOf(leads.at(-1))}; ${leftover}` }), {}, ctx, opts({ now: () => START + 6 * DAY + 1000, endpoint: ENDPOINT, collector: sink }));
    assert.deepEqual([later.shadow, later.setCookies], [null, [later.setCookie]]);
    assert.equal(counts.sessions, leads.length + 1);
    // The positive marker: both hand-offs arrived, and once all sends settled, none had a shadow.
    await ctx.settled();
    const bodies = sink.calls.map((c) => JSON.parse(c.init.body));
    assert.deepEqual(bodies.map((b) => b.stage), ['mql', 'sql']);
    for (const body of bodies) assert.equal('shadow' in body, false);
  });

  test('an empty LEADPULSE_SHADOW_MODEL is no shadow; the binding is read like LEADPULSE_MODEL', async () => {
    const env = { LEADPULSE_SHADOW_MODEL: '' };
    const off = await edge.scoreRequest(get('/pricing'), env, undefined, opts());
    assert.deepEqual([off.shadow, off.setCookies.length], [null, 1]);
    const on = await edge.scoreRequest(get('/pricing'), { LEADPULSE_SHADOW_MODEL: JSON.stringify(CHALLENGER) }, undefined, opts());
    assert.equal(on.shadow.model, CHALLENGER_HASH);
    assert.equal(on.setCookies.length, 2);
    const overridden = await edge.scoreRequest(get('/pricing'), { LEADPULSE_SHADOW_MODEL: JSON.stringify(CHALLENGER) }, undefined, opts({ shadowModel: '' }));
    assert.equal(overridden.shadow, null, 'the option wins, even empty');
  });

  test('attachCookie / withLeadPulse set both cookies', async () => {
    let seen;
    const worker = edge.withLeadPulse((request, env, ctx, lead) => { seen = lead; return new Response('ok'); }, opts({ shadowModel: CHALLENGER }));
    const response = await worker.fetch(get('/pricing'), {}, { waitUntil() {} });
    assert.deepEqual(response.headers.getSetCookie(), seen.setCookies);
    assert.equal(response.headers.getSetCookie().length, 2);
    const copy = attachCookie(new Response('x'), { setCookie: 'a=1', setCookies: ['a=1', 'b=2'] });
    assert.deepEqual(copy.headers.getSetCookie(), ['a=1', 'b=2']);
  });
});

test('a stale state cookie minted without a shadow cookie: the shadow starts partial and stays out of summaries', async () => {
  // The state of a visitor from before the shadow was deployed (minted: an old cookie).
  const { leads } = await week({});
  const opened = openCookie(cookiePair(leads.at(-2)).slice(NAME.length + 1), { name: NAME, secret: COOKIE_SECRET });
  const old = mintCookie({ name: NAME, secret: COOKIE_SECRET, visitor: leads[0].visitor, meta: opened.meta, state: opened.state });
  const sink = fakeCollector([201]);
  const ctx = context();
  const form = await edge.scoreRequest(get('/demo', { cookie: old }), {}, ctx, opts({ now: () => START + 6 * DAY, events: demoForm, endpoint: ENDPOINT, collector: sink, shadowModel: CHALLENGER }));
  assert.deepEqual([form.snapshot.stage, form.shadow.history, form.shadow.cookie], ['sql', 'partial', 'missing']);
  await ctx.settled();
  assert.equal(sink.calls.length, 1, 'the SQL was handed off');
  assert.equal('shadow' in JSON.parse(sink.calls[0].init.body), false);
  const next = await edge.scoreRequest(get('/', { cookie: cookiesOf(form) }), {}, ctx, opts({ now: () => START + 6 * DAY + 1000, shadowModel: CHALLENGER }));
  assert.deepEqual([next.shadow.history, next.shadow.cookie], ['partial', 'valid'], 'its cookie carries it on, still partial');
});
