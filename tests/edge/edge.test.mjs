// The example worker (www/edge/worker.js) in real workerd, in front of a real
// `leadpulse serve --require-signature` (LEADPULSE_SIGNING_SECRET), everything on loopback.
// tests/edge/config.capnp sets the test-only bindings: LEADPULSE_TEST_CLOCK (the
// `x-leadpulse-test-now` header sets the scoring clock) and LEADPULSE_DEBUG_HEADERS (responses
// carry `x-leadpulse-cookie` and `x-leadpulse-delivery`, read by visitor.mjs).
//
// "Nothing (more) was sent" is only asserted after a marker: another visitor's hand-off that
// must reach the same collector, sent after the requests under test (`marker`, journeys.mjs).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { mintCookie, openCookie, versionOneCookie } from './cookie-tools.mjs';
import { COOKIE_SECRET, SIGNING_SECRET, WORKER_SECRETS, eventually, freePort, startOrigin, startWorkerd } from './harness.mjs';
import { FORM, HOUR, MINUTE, handRaiser, marker, qualifyingWeek, revisions } from './journeys.mjs';
import { BOT_UA, DAY, Visitor } from './visitor.mjs';

const COOKIE = '__Host-lp';

let origin; // serves the site and collects for the "http" worker
let spare; // { port, dir, collector }: the "outage" worker's collector, started and stopped by tests
let edge;

before(async () => {
  origin = await startOrigin();
  spare = { port: await freePort(), dir: mkdtempSync(join(tmpdir(), 'leadpulse-edge-outage-')), collector: null };
  edge = await startWorkerd({
    config: 'tests/edge/config.capnp',
    sockets: ['http', 'broken', 'outage'],
    external: { origin: `127.0.0.1:${origin.port}`, collector: `127.0.0.1:${spare.port}` },
    env: WORKER_SECRETS,
  });
  // The first summary a fresh collector stores can take longer than the edge waits (300 ms).
  await marker(edge.urls.http, origin);
});

after(async () => {
  await edge?.stop();
  await origin?.stop();
  await spare?.collector?.stop();
  if (spare) rmSync(spare.dir, { recursive: true, force: true });
  if (process.env.EDGE_TEST_VERBOSE) process.stderr.write(edge?.logs() ?? '');
});

/** The outage worker's collector, (re)started on its fixed port with its database kept. */
async function startSpare() {
  spare.collector = await startOrigin({ port: spare.port, dir: spare.dir });
  return spare.collector;
}

describe('edge worker in workerd', () => {
  test('what sales did: a visitor sales has is not pitched a demo, in the page the edge serves', async () => {
    const { visitor, form } = await handRaiser(edge.urls.http, Date.now() - HOUR);
    assert.equal(form.stage, 'sql');
    assert.equal(form.delivery.state, 'delivered');
    // The next page: the edge asks the collector (signed) and the CTA names sales, not a demo.
    const page = await visitor.get('/pricing', Date.now() - HOUR + MINUTE);
    assert.match(page.body, /data-testid="cta"[^>]*>Our team has your request</, 'the CTA once sales has the lead');
    assert.doesNotMatch(page.body, /data-testid="cta"[^>]*>Book a demo</);
  });

  test('a week of intent: MQL then SQL, each sent and acknowledged by its own request; the collector holds the SQL', async () => {
    const visitor = new Visitor(edge.urls.http);
    const start = Date.now() - 7 * DAY;
    const steps = await qualifyingWeek(visitor, start);
    for (const step of steps) assert.ok([200, 303].includes(step.status), `status ${step.status}`);
    assert.equal(steps[0].stage, 'visitor');
    assert.equal(steps.at(-1).stage, 'sql', `stages: ${steps.map((s) => s.stage).join(' → ')}`);

    const [setCookie] = steps[0].setCookies;
    assert.match(setCookie, /^__Host-lp=2\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43};/);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) {
      assert.ok(setCookie.includes(`; ${attribute}`), `${attribute} in ${setCookie}`);
    }
    for (const step of steps) {
      for (const line of step.setCookies) assert.ok(line.length < 4096, `cookie of ${line.length} bytes`);
      const exposed = step.body + JSON.stringify([...step.response.headers]);
      assert.ok(!exposed.includes(COOKIE_SECRET) && !exposed.includes(SIGNING_SECRET));
    }

    const handOffs = steps.filter((s) => s.delivery?.sent);
    assert.deepEqual(handOffs.map((s) => s.stage), ['mql', 'sql']);
    for (const step of handOffs) {
      assert.equal(step.delivery.state, 'delivered', JSON.stringify(step.delivery));
      assert.equal(step.delivery.status, 201);
    }
    const [mql, sql] = handOffs.map((s) => s.delivery.id);

    const lead = await origin.leadOf(visitor.id);
    assert.ok(lead, 'acknowledged means stored');
    assert.equal(lead.trust, 'verified');
    assert.equal(lead.stage, 'sql');
    assert.equal(lead.summaryId, sql);
    assert.equal(lead.summary.runtime, 'edge');
    assert.equal(lead.summary.visitor, visitor.id);

    // The page the visitor sees now: the SQL CTA; later visits send nothing.
    const later = await visitor.get('/pricing', start + 6 * DAY + 10 * MINUTE);
    assert.equal(later.stage, 'sql');
    assert.match(later.body, /data-testid="cta"[^>]*data-leadpulse-stage="sql"|data-leadpulse-stage="sql"[^>]*data-testid="cta"/);
    assert.deepEqual({ sent: later.delivery.sent, state: later.delivery.state, id: later.delivery.id }, { sent: false, state: 'delivered', id: sql });
    await visitor.get('/', start + 6 * DAY + 11 * MINUTE);
    await marker(edge.urls.http, origin);
    assert.deepEqual(await revisions(origin, visitor.id), [mql, sql], 'each revision once, nothing newer');
  });

  test('tampered, foreign, collector-minted, long-lived, expired and version 1 cookies carry no score', async () => {
    const visitor = new Visitor(edge.urls.http);
    const start = Date.now() - 7 * DAY;
    await qualifyingWeek(visitor, start);
    const good = visitor.cookies.get(COOKIE);
    const now = start + 6 * DAY + 5 * MINUTE;
    const [version, id, sealed, signature] = good.split('.');
    const opened = openCookie(good, { name: COOKIE, secret: COOKIE_SECRET });
    assert.ok(opened.signatureOk, 'the cookie is as documented');
    const meta = (expiryMs) => [Math.floor(expiryMs / 1000).toString(36), '7', opened.delivered, opened.entry].join('.');
    const minted = (secret, expiryMs) => mintCookie({ name: COOKIE, secret, visitor: id, meta: meta(expiryMs), state: opened.state }).slice(COOKIE.length + 1);

    const flip = (s) => { const i = s.length >> 1; return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1); };
    const cases = {
      'tampered sealed payload': [[version, id, flip(sealed), signature].join('.'), 'signature'],
      'tampered signature': [[version, id, sealed, flip(signature)].join('.'), 'signature'],
      'other visitor id': [[version, 'AAAAAAAAAAAAAAAAAAAAAA', sealed, signature].join('.'), 'signature'],
      'minted with the signing secret (the collector holds it)': [minted(SIGNING_SECRET, now + DAY), 'signature'],
      'minted with the cookie secret to live 10 years': [minted(COOKIE_SECRET, now + 3650 * DAY), 'expired'],
      'version 1': [versionOneCookie({ name: COOKIE, secret: COOKIE_SECRET, visitor: id, expiry: now + DAY }).slice(COOKIE.length + 1), 'version'],
      truncated: [good.slice(0, good.length / 2), 'malformed'],
    };
    // The control: the same minting with a lifetime within the configured 30 days is trusted.
    cases['control: minted with the cookie secret, 29 days'] = [minted(COOKIE_SECRET, now + 29 * DAY), 'valid'];
    for (const [name, [cookie, expected]] of Object.entries(cases)) {
      const probe = new Visitor(edge.urls.http);
      probe.cookies.set(COOKIE, cookie);
      const result = await probe.get('/pricing', now);
      assert.equal(result.status, 200, name);
      assert.equal(result.cookie, expected, name);
      if (expected === 'valid') {
        assert.equal(result.stage, 'sql', name);
        continue;
      }
      assert.equal(result.stage, 'visitor', `${name}: a fresh visitor`);
      assert.notEqual(probe.id, id, `${name}: a new visitor id`);
    }

    // Expired: the genuine cookie, presented after its 30-day lifetime.
    const probe = new Visitor(edge.urls.http);
    probe.cookies.set(COOKIE, good);
    const expired = await probe.get('/pricing', now + 31 * DAY);
    assert.equal(expired.cookie, 'expired');
    assert.equal(expired.stage, 'visitor');
    assert.notEqual(probe.id, id);

    // The genuine cookie still works.
    const genuine = new Visitor(edge.urls.http);
    genuine.cookies.set(COOKIE, good);
    assert.equal((await genuine.get('/pricing', now)).stage, 'sql');
  });

  test('collector down for the hand-off: pending; re-sent by a later request after a restart; stored once', async () => {
    assert.equal(spare.collector, null, 'the outage collector is down');
    const t0 = Date.now() - HOUR;
    const { visitor, form } = await handRaiser(edge.urls.outage, t0);
    assert.equal(form.stage, 'sql');
    // The page never claims "booked in" before the collector has the request: it says what next.
    assert.equal(form.status, 202, 'the visitor hears the request is on its way');
    assert.match(form.body, /on its way/);
    const pending = form.delivery;
    assert.equal(pending.sent, true);
    assert.equal(pending.state, 'pending', JSON.stringify(pending));
    assert.equal(pending.status, 0, 'network error');
    assert.equal(pending.attempts, 1);
    assert.ok(pending.nextAttemptAt > t0 + MINUTE, 'backed off');

    const collector = await startSpare();
    await marker(edge.urls.outage, collector); // its first request may be slow: not the one under test
    // Pages that change nothing sales would hear of (a pricing view would be a new revision).
    const early = await visitor.get('/', t0 + MINUTE + 1000);
    assert.deepEqual([early.delivery.sent, early.delivery.state], [false, 'pending'], 'not before its time');
    const due = await visitor.get('/blog/', pending.nextAttemptAt);
    assert.equal(due.delivery.sent, true, 're-sent');
    assert.equal(due.delivery.id, pending.id, 'the same summary id');
    assert.equal(due.delivery.state, 'delivered', JSON.stringify(due.delivery));
    // 201 when this re-send stored it; 200 (duplicate) if the hand-off request's own quick
    // retries in waitUntil got there after the collector came up.
    assert.ok([200, 201].includes(due.delivery.status), String(due.delivery.status));
    const lead = await collector.leadOf(visitor.id);
    assert.equal(lead?.summaryId, pending.id);
    assert.equal(lead.stage, 'sql');
    assert.equal(lead.trust, 'verified');

    // A restart (same port, same database): the lead is still there, nothing is re-sent.
    await collector.stop({ keep: true });
    const restarted = await startSpare();
    spare.collector = restarted;
    const after = await visitor.get('/', pending.nextAttemptAt + HOUR);
    assert.deepEqual([after.delivery.sent, after.delivery.state], [false, 'delivered']);
    await marker(edge.urls.outage, restarted);
    assert.deepEqual(await revisions(restarted, visitor.id), [pending.id], 'stored exactly once');
    assert.equal((await restarted.leads()).filter((l) => l.visitor === visitor.id).length, 1);
  });

  test('a summary the collector refuses (400) is surfaced with its path, logged, and not re-sent', async () => {
    // A clock an hour ahead of the collector's: the summary's times are "in the future", a 400.
    const ahead = Date.now() + HOUR;
    const { visitor, form } = await handRaiser(edge.urls.http, ahead);
    assert.equal(form.stage, 'sql');
    assert.deepEqual({ ...form.delivery, nextAttemptAt: null }, {
      id: form.delivery.id, state: 'refused', sent: true, status: 400, attempts: 0, nextAttemptAt: null,
      error: form.delivery.error, path: 'firstSeen',
    });
    assert.match(form.delivery.error, /not a plausible time/);
    const logged = await eventually(() => edge.logs().includes(`the collector refused summary ${form.delivery.id} with 400`), 5000);
    assert.ok(logged, `workerd logged the refusal:\n${edge.logs().slice(-2000)}`);
    assert.match(edge.logs(), new RegExp(`refused summary ${form.delivery.id} with 400 \\(.*at firstSeen\\)`));
    for (const [path, at] of [['/', ahead + 2 * MINUTE], ['/blog/', ahead + DAY]]) {
      const later = await visitor.get(path, at);
      assert.deepEqual([later.delivery.sent, later.delivery.state, later.delivery.status], [false, 'refused', 400], 'visible, not re-sent');
    }
    await marker(edge.urls.http, origin);
    assert.equal(await origin.leadOf(visitor.id), null, 'nothing stored for the refused visitor');
  });

  test('a replayed older cookie rolls back what the visitor sees, never the stored lead', async () => {
    const visitor = new Visitor(edge.urls.http);
    const start = Date.now() - 7 * DAY;
    const steps = await qualifyingWeek(visitor, start);
    const [mql, sql] = steps.filter((s) => s.delivery?.sent).map((s) => s.delivery.id);
    const cookieAfter = (i) => steps[i].setCookies[0].split(';')[0].slice(COOKIE.length + 1);
    const latest = visitor.cookies.get(COOKIE);

    // The cookie of day 3: before the MQL. Replayed, it is genuine (signed by us, not expired).
    const replay = new Visitor(edge.urls.http);
    replay.cookies.set(COOKIE, cookieAfter(2));
    assert.ok(openCookie(cookieAfter(2), { name: COOKIE, secret: COOKIE_SECRET }).counter
      < openCookie(latest, { name: COOKIE, secret: COOKIE_SECRET }).counter, 'its counter is older');
    const t = start + 6 * DAY + 30 * MINUTE;
    const again = await replay.get('/pricing', t);
    assert.equal(again.cookie, 'valid');
    assert.equal(again.stage, 'mql', 'the visitor\'s own state is rolled back (the SQL is gone from it)');
    assert.equal(again.delivery.id, mql, 'the MQL hand-off recurs with the same id');
    assert.equal(again.delivery.status, 200, 'the collector: a duplicate, nothing changed');
    for (const [i, path] of ['/integrations', '/pricing', '/blog/'].entries()) await replay.get(path, t + (i + 1) * MINUTE);
    const form = await replay.postForm('/demo', FORM, t + 10 * MINUTE);
    assert.equal(form.delivery.id, sql, 'the SQL recurs with the same id');
    assert.equal(form.delivery.status, 200);

    await marker(edge.urls.http, origin);
    const leads = (await origin.leads()).filter((l) => l.visitor === visitor.id);
    assert.equal(leads.length, 1, 'one lead');
    assert.equal(leads[0].stage, 'sql');
    assert.equal(leads[0].summaryId, sql, 'still the SQL revision');
    assert.deepEqual(await revisions(origin, visitor.id), [mql, sql], 'no revision added or replaced');
  });

  test('two concurrent requests of one visitor (one cookie): the form\'s SQL reaches the collector whichever cookie wins', async () => {
    const visitor = new Visitor(edge.urls.http);
    const t = Date.now() - HOUR;
    await visitor.get('/pricing', t);
    await visitor.get('/demo', t + MINUTE);
    const headers = { 'user-agent': visitor.userAgent, accept: 'text/html', cookie: visitor.cookieHeader, 'x-leadpulse-test-now': String(t + 2 * MINUTE) };
    const [form, page] = await Promise.all([
      fetch(new URL('/demo', edge.urls.http), { method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(FORM).toString() }),
      fetch(new URL('/pricing', edge.urls.http), { headers }),
    ]);
    await Promise.all([form.text(), page.text()]);
    assert.equal(form.headers.get('x-leadpulse-stage'), 'sql');
    const sent = JSON.parse(form.headers.get('x-leadpulse-delivery'));
    assert.equal(sent.sent, true);
    assert.notEqual(page.headers.get('x-leadpulse-stage'), 'sql');

    // The browser keeps the Set-Cookie it got last; say the page's: the form is gone from the
    // cookie (last writer wins), but not from the collector.
    visitor.cookies.set(COOKIE, page.headers.getSetCookie()[0].split(';')[0].slice(COOKIE.length + 1));
    const next = await visitor.get('/pricing', t + 3 * MINUTE);
    assert.notEqual(next.stage, 'sql');
    const lead = await eventually(async () => {
      const found = await origin.leadOf(visitor.id);
      return found?.stage === 'sql' ? found : null;
    });
    assert.ok(lead, 'the collector has the SQL lead');
    assert.equal(lead.summaryId, sent.id);
  });

  test('a bot never qualifies and gets no cookie', async () => {
    const bot = new Visitor(edge.urls.http, { userAgent: BOT_UA });
    const steps = await qualifyingWeek(bot, Date.now() - 7 * DAY);
    for (const step of steps) {
      assert.ok([200, 303].includes(step.status));
      assert.equal(step.stage, null, 'not scored');
      assert.equal(step.delivery, null);
      assert.deepEqual(step.setCookies, []);
    }
    const before = (await origin.leads()).length;
    await marker(edge.urls.http, origin);
    assert.equal((await origin.leads()).length, before + 1, 'only the marker arrived');
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
