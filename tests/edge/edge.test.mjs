// The example worker (www/edge/worker.js) in real workerd, in front of a real
// `leadpulse serve --secret S --require-signature`, everything on loopback.
// Time travel: tests/edge/config.capnp sets the test-only LEADPULSE_TEST_CLOCK binding, so the
// `x-leadpulse-test-now` header sets the scoring clock.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { eventually, SECRET, sleep, startOrigin, startWorkerd } from './harness.mjs';
import { BOT_UA, DAY, Visitor } from './visitor.mjs';

const MINUTE = 60_000;
const COOKIE = '__Host-lp';
const FORM = {
  name: 'Dana Reyes', email: 'dana.reyes@acme-logistics.com', title: 'VP of Revenue Operations',
  company: 'Acme Logistics', employee_count: '500', industry: 'Logistics',
};

let origin;
let edge;

before(async () => {
  origin = await startOrigin();
  edge = await startWorkerd({
    config: 'tests/edge/config.capnp',
    sockets: ['http', 'broken'],
    external: { origin: `127.0.0.1:${origin.port}` },
    env: { LEADPULSE_SECRET: SECRET },
  });
});

after(async () => {
  await edge?.stop();
  await origin?.stop();
  if (process.env.EDGE_TEST_VERBOSE) process.stderr.write(edge?.logs() ?? '');
});

/** A week of visits: blog (from search), pricing ×3, demo page, demo form. */
async function qualifyingWeek(visitor, start) {
  const steps = [];
  steps.push(await visitor.get('/blog/?utm_source=google&utm_medium=cpc&utm_campaign=q4', start,
    { referer: 'https://www.google.com/search?q=revenue+data' }));
  for (const day of [1, 3, 5]) steps.push(await visitor.get('/pricing', start + day * DAY));
  steps.push(await visitor.get('/demo', start + 6 * DAY));
  steps.push(await visitor.postForm('/demo', FORM, start + 6 * DAY + 2 * MINUTE));
  return steps;
}

function stateCookie(visitor) {
  return visitor.cookies.get(COOKIE);
}

describe('edge worker in workerd', () => {
  test('a week of intent qualifies the visitor; the signed summary reaches the collector once', async () => {
    const visitor = new Visitor(edge.urls.http);
    const start = Date.now() - 7 * DAY;
    const steps = await qualifyingWeek(visitor, start);
    for (const step of steps) assert.ok([200, 303].includes(step.status), `status ${step.status}`);
    assert.equal(steps[0].stage, 'visitor');
    assert.equal(steps.at(-1).stage, 'sql', `stages: ${steps.map((s) => s.stage).join(' → ')}`);

    const [setCookie] = steps[0].setCookies;
    assert.match(setCookie, /^__Host-lp=1\.[A-Za-z0-9_-]+\./);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) {
      assert.ok(setCookie.includes(`; ${attribute}`), `${attribute} in ${setCookie}`);
    }
    for (const step of steps) {
      for (const line of step.setCookies) assert.ok(line.length < 4096, `cookie of ${line.length} bytes`);
      assert.ok(!step.body.includes(SECRET) && !JSON.stringify([...step.response.headers]).includes(SECRET));
    }

    const leads = await eventually(async () => ((await origin.leads()).length ? origin.leads() : null));
    assert.ok(leads, 'the summary reached the collector');
    assert.equal(leads.length, 1);
    const [lead] = leads;
    assert.equal(lead.trust, 'verified');
    assert.equal(lead.summary.runtime, 'edge');
    assert.equal(lead.summary.stage, 'sql');
    const visitorId = stateCookie(visitor).split('.')[1];
    assert.equal(lead.summary.visitor, visitorId);

    // The page the visitor sees now: SQL-stage CTA, and no second summary on later visits.
    const later = await visitor.get('/pricing', start + 6 * DAY + 10 * MINUTE);
    assert.equal(later.stage, 'sql');
    assert.match(later.body, /data-testid="cta"[^>]*data-leadpulse-stage="sql"|data-leadpulse-stage="sql"[^>]*data-testid="cta"/);
    await visitor.get('/', start + 6 * DAY + 11 * MINUTE);
    await sleep(1500);
    assert.equal((await origin.leads()).length, 1, 'forwarded exactly once');
  });

  test('a tampered, foreign or expired cookie carries no score', async () => {
    const visitor = new Visitor(edge.urls.http);
    const start = Date.now() - 7 * DAY;
    await qualifyingWeek(visitor, start);
    const good = stateCookie(visitor);
    const now = start + 6 * DAY + 5 * MINUTE;
    const [version, id, expiry, forwarded, state, signature] = good.split('.');

    const flip = (s) => { const i = s.length >> 1; return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1); };
    const resign = (payload, secret) => `${payload}.${createHmac('sha256', secret)
      .update(`leadpulse-state|${COOKIE}|${payload}`).digest('base64url')}`;
    const cases = {
      'tampered state': [version, id, expiry, forwarded, flip(state), signature].join('.'),
      'tampered signature': [version, id, expiry, forwarded, state, flip(signature)].join('.'),
      'foreign secret': resign([version, id, expiry, forwarded, state].join('.'), 'someone-elses-secret-0123456789'),
      'other visitor id': [version, 'AAAAAAAAAAAAAAAAAAAAAA', expiry, forwarded, state, signature].join('.'),
      truncated: good.slice(0, good.length / 2),
    };
    for (const [name, cookie] of Object.entries(cases)) {
      const probe = new Visitor(edge.urls.http);
      probe.cookies.set(COOKIE, cookie);
      const result = await probe.get('/pricing', now);
      assert.equal(result.status, 200, name);
      assert.equal(result.stage, 'visitor', `${name}: a fresh visitor`);
      assert.notEqual(stateCookie(probe).split('.')[1], id, `${name}: a new visitor id`);
    }

    // Expired: the genuine cookie, presented after its 30-day lifetime.
    const probe = new Visitor(edge.urls.http);
    probe.cookies.set(COOKIE, good);
    const expired = await probe.get('/pricing', now + 31 * DAY);
    assert.equal(expired.stage, 'visitor');
    assert.notEqual(stateCookie(probe).split('.')[1], id);

    // The genuine cookie still works.
    const genuine = new Visitor(edge.urls.http);
    genuine.cookies.set(COOKIE, good);
    assert.equal((await genuine.get('/pricing', now)).stage, 'sql');
  });

  test('a bot never qualifies and gets no cookie', async () => {
    const before = (await origin.leads()).length;
    const bot = new Visitor(edge.urls.http, { userAgent: BOT_UA });
    const steps = await qualifyingWeek(bot, Date.now() - 7 * DAY);
    for (const step of steps) {
      assert.ok([200, 303].includes(step.status));
      assert.equal(step.stage, null, 'not scored');
      assert.deepEqual(step.setCookies, []);
    }
    await sleep(500);
    assert.equal((await origin.leads()).length, before);
  });

  test('static assets and fetch() calls are not scored', async () => {
    const visitor = new Visitor(edge.urls.http);
    for (const path of ['/site.css', '/site.js', '/img/logo.svg', '/pkg/leadpulse_core_bg.wasm']) {
      const result = await visitor.get(path);
      assert.equal(result.stage, null, path);
      assert.deepEqual(result.setCookies, [], path);
    }
    const api = await visitor.get('/pricing', undefined, { 'sec-fetch-dest': 'empty' });
    assert.equal(api.stage, null);
  });

  test('DNT / GPC: scored in memory only, nothing persisted', async () => {
    const visitor = new Visitor(edge.urls.http, { headers: { 'sec-gpc': '1' } });
    const result = await visitor.get('/pricing');
    assert.equal(result.stage, 'visitor');
    assert.deepEqual(result.setCookies, []);
  });

  test('a broken model still serves every page, untouched', async () => {
    const visitor = new Visitor(edge.urls.broken);
    for (const path of ['/', '/pricing', '/blog/', '/demo', '/site.css']) {
      const direct = await fetch(new URL(path, origin.url));
      const directBody = await direct.text();
      const result = await visitor.get(path);
      assert.equal(result.status, direct.status, path);
      assert.equal(result.body, directBody, path);
      assert.equal(result.stage, null, path);
      assert.deepEqual(result.setCookies, [], path);
    }
    const form = await visitor.postForm('/demo', FORM, Date.now());
    assert.ok(form.status < 500, `form POST answered ${form.status}`);
  });
});
