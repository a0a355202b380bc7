// LeadPulse under Deno (a second edge runtime), run by tests/edge/run.sh:
//   node_modules/.bin/deno test --no-config --no-npm --no-remote --allow-read --allow-net=127.0.0.1 \
//     tests/edge/deno.test.mjs
// 1. the package's `deno` export condition resolves to index.js; initialised with the wasm
//    bytes (Deno.readFile + initSync), it gives every shared fixture's expected answer;
// 2. the edge request-scoring API (edge/core.js over the same module) works on Deno's
//    Request/Response/WebCrypto: signed cookie round trip, tampering, bots, the two secrets,
//    MQL and SQL each sent once, signed; a shadow model's cookie and its score in the summary;
// 3. the example application (www/edge/deno.mjs → site.js) served by Deno.serve in front of a
//    loopback origin: a qualifying week reaches the collector (MQL, SQL) once each, signed; a
//    hand-off the collector answers 503 is re-sent by a later request. "Nothing more was sent"
//    is asserted after a marker hand-off that must arrive, never after a sleep.
// Under Node this file only registers a skipped test (the Node side is edge.test.mjs).
import { jsonDiff, replayCase } from '../js/replay.mjs';

const PKG = new URL('../../pkg/', import.meta.url);
const CASES = new URL('../fixtures/cases/', import.meta.url);
const COOKIE_SECRET = 'deno-test-cookie-secret-0123456789';
const SIGNING_SECRET = 'deno-test-signing-secret-0123456789';
const DAY = 86_400_000;

/** Lowercase hex HMAC-SHA256 of `text` under `secret` (WebCrypto), as the collector checks it. */
async function hexHmac(secret, text) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

if (!globalThis.Deno) {
  const { test } = await import('node:test');
  test.skip('Deno runtime tests (run with deno test, see tests/edge/run.sh)');
} else {
  let api;
  const load = async () => {
    if (api) return api;
    const manifest = JSON.parse(await Deno.readTextFile(new URL('package.json', PKG)));
    const entry = manifest.exports['.'].deno;
    if (entry.default !== './author.js') throw new Error(`deno condition resolves to ${JSON.stringify(entry)}`);
    api = await import(new URL(entry.default, PKG).href);
    api.initSync({ module: await Deno.readFile(new URL('leadpulse_author_bg.wasm', PKG)) });
    return api;
  };

  Deno.test('deno entry: version and built-in model', async () => {
    const { version, Scorer } = await load();
    if (typeof version() !== 'string') throw new Error('version() is not a string');
    const scorer = new Scorer();
    if (!/^[0-9a-f]{16}$/.test(scorer.modelHash)) throw new Error(`modelHash ${scorer.modelHash}`);
    scorer.free();
  });

  const names = [];
  try {
    for await (const entry of Deno.readDir(CASES)) if (entry.name.endsWith('.json')) names.push(entry.name);
  } catch { /* no fixtures yet: the test below says so */ }
  names.sort();

  Deno.test('shared fixtures exist', () => {
    if (names.length === 0) throw new Error(`no fixtures in ${CASES.pathname}`);
  });

  for (const name of names) {
    Deno.test(`fixture ${name}`, async () => {
      const fixture = JSON.parse(await Deno.readTextFile(new URL(name, CASES)));
      const { lines, problems } = replayCase(await load(), fixture);
      if (problems.length) throw new Error(problems.join('\n'));
      const diff = jsonDiff(JSON.parse(JSON.stringify(lines)), fixture.expected);
      if (diff) throw new Error(`${fixture.name}: ${diff}`);
    });
  }

  Deno.test('edge API on Deno: signed cookie, tampering, bots, MQL then SQL sent once each, signed', async () => {
    const { Scorer } = await load();
    const { createEdge } = await import(new URL('edge/core.js', PKG).href);
    const edge = createEdge(() => ({ Scorer }));
    const sent = [];
    const pending = [];
    const ctx = { waitUntil: (p) => pending.push(p) };
    // NOTE: a status question (no body: what sales did) is not a delivery; this collector knows none.
    const collector = { fetch: async (url, init) => {
      if (!init?.body) return new Response('{}', { status: 404 });
      sent.push({ url, init });
      return new Response('{}', { status: 201 });
    } };
    const start = Date.now() - 7 * DAY;
    const options = (at, extra = {}) => ({ cookieSecret: COOKIE_SECRET, signingSecret: SIGNING_SECRET, endpoint: 'https://collector.test/collect', collector, now: () => at, ...extra });
    const ua = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' };
    const get = (path, cookie, headers = ua) => new Request(`https://site.test${path}`, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    const cookieOf = (lead) => lead.setCookie.split(';')[0];

    let lead = await edge.scoreRequest(get('/blog/?utm_source=google'), {}, ctx, options(start));
    if (!lead || lead.cookie !== 'missing' || !/^__Host-lp=2\..*HttpOnly; Secure; SameSite=Lax/.test(lead.setCookie)) throw new Error(JSON.stringify(lead));
    const visitor = lead.visitor;
    const handOffs = [];
    for (const day of [1, 3, 5]) {
      lead = await edge.scoreRequest(get('/pricing', cookieOf(lead)), {}, ctx, options(start + day * DAY));
      if (lead.forwarded) handOffs.push(lead);
    }
    if (lead.visitor !== visitor || lead.cookie !== 'valid' || lead.counter !== 4) throw new Error('state cookie did not round-trip');
    const form = () => [
      { type: 'track', event: 'Demo Requested', properties: { path: '/demo' } },
      { type: 'identify', traits: { email: 'dana@acme.test', title: 'VP of Revenue Operations', company: { name: 'Acme', employee_count: 500, industry: 'Logistics' } } },
    ];
    lead = await edge.scoreRequest(get('/demo', cookieOf(lead)), {}, ctx, options(start + 6 * DAY, { events: form }));
    handOffs.push(lead);
    const stages = handOffs.map((l) => `${l.snapshot.stage}:${l.delivery?.state}`).join(' ');
    if (stages !== 'mql:delivered sql:delivered') throw new Error(`hand-offs: ${stages}`);
    for (const { init } of sent) {
      if (init.headers['x-leadpulse-signature'] !== `sha256=${await hexHmac(SIGNING_SECRET, init.body)}`) throw new Error('bad summary signature');
      if (JSON.parse(init.body).runtime !== 'edge') throw new Error('summary runtime is not edge');
    }

    const again = await edge.scoreRequest(get('/', cookieOf(lead)), {}, ctx, options(start + 6 * DAY + 60_000));
    // NOTE: every send registers with ctx.waitUntil before scoreRequest resolves: once these
    // have settled, nothing else is in flight (no sleep involved).
    await Promise.all(pending);
    const ids = sent.map(({ init }) => JSON.parse(init.body).id);
    if (again.forwarded !== null || ids.join() !== handOffs.map((l) => l.forwarded).join()) throw new Error(`sent ${ids}`);

    const tampered = cookieOf(lead).replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)$/, (_, c, rest) => `.${c === 'A' ? 'B' : 'A'}${rest}`);
    const fresh = await edge.scoreRequest(get('/pricing', tampered), {}, ctx, options(start + 6 * DAY));
    if (fresh.cookie !== 'signature' || fresh.visitor === visitor || fresh.snapshot.stage !== 'visitor') throw new Error('tampered cookie trusted');

    const bot = await edge.scoreRequest(get('/pricing', null, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }), {}, ctx, options(start));
    if (bot !== null) throw new Error('a bot was scored');

    const errors = [];
    const broken = await edge.scoreRequest(get('/pricing'), {}, ctx, options(start, { model: '{"rules": 42}', onError: (e) => errors.push(e) }));
    if (broken !== null) throw new Error('a broken model did not pass through');
    const old = await edge.scoreRequest(get('/pricing'), { LEADPULSE_SECRET: COOKIE_SECRET }, ctx, { onError: (e) => errors.push(e) });
    if (old !== null || !/LEADPULSE_SECRET was split/.test(errors.at(-1)?.message)) throw new Error('the old secret was accepted');
  });

  Deno.test('edge API on Deno with a shadow model: its own cookie, its score in every summary', async () => {
    const { Scorer } = await load();
    const { createEdge } = await import(new URL('edge/core.js', PKG).href);
    const edge = createEdge(() => ({ Scorer }));
    const challenger = JSON.parse(await Deno.readTextFile(new URL('../../src/core/model/builtin.json', import.meta.url)));
    challenger.name = 'challenger-doubled';
    for (const rule of challenger.rules) if (typeof rule.points === 'number') rule.points *= 2;
    const hash = new Scorer(challenger).modelHash;
    const sent = [];
    const collector = { fetch: async (url, init) => {
      if (!init?.body) return new Response('{}', { status: 404 });
      sent.push(JSON.parse(init.body));
      return new Response('{}', { status: 201 });
    } };
    const start = Date.now() - 7 * DAY;
    const env = { LEADPULSE_SHADOW_MODEL: JSON.stringify(challenger) };
    const options = (at, extra = {}) => ({ cookieSecret: COOKIE_SECRET, signingSecret: SIGNING_SECRET, endpoint: 'https://collector.test/collect', collector, now: () => at, ...extra });
    const get = (path, cookie) => new Request(`https://site.test${path}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36', ...(cookie ? { cookie } : {}) } });
    const cookiesOf = (lead) => lead.setCookies.map((c) => c.split(';')[0]).join('; ');
    let lead = await edge.scoreRequest(get('/blog/'), env, undefined, options(start));
    const scores = [lead.shadow.score];
    for (const day of [1, 3, 5]) {
      lead = await edge.scoreRequest(get('/pricing', cookiesOf(lead)), env, undefined, options(start + day * DAY));
      scores.push(lead.shadow.score);
      if (lead.shadow.cookie !== 'valid' || lead.shadow.history !== 'whole') throw new Error(`shadow cookie: ${JSON.stringify(lead.shadow)}`);
    }
    if (!/^__Host-lp-shadow=s1\..*HttpOnly; Secure; SameSite=Lax$/.test(lead.setCookies[1] ?? '')) throw new Error(`cookies: ${lead.setCookies}`);
    if (!(scores[3] > scores[1] && scores[1] > scores[0])) throw new Error(`the shadow's score did not grow: ${scores}`);
    if (sent.length !== 1 || sent[0].stage !== 'mql') throw new Error(`sent ${JSON.stringify(sent)}`);
    const { shadow, score } = sent[0];
    if (shadow?.model !== hash || !(shadow.score > score) || shadow.score !== lead.shadow.score) throw new Error(`summary shadow ${JSON.stringify(shadow)} vs score ${score}`);
  });

  /** The example app (www/edge/deno.mjs) in front of a Deno.serve origin whose /collect answers `answers` in turn. */
  async function exampleApp(answers) {
    const { serve } = await import(new URL('../../www/edge/deno.mjs', import.meta.url).href);
    const received = [];
    const requests = [];
    const origin = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, async (request) => {
      const url = new URL(request.url);
      if (request.method === 'POST' && url.pathname === '/collect') {
        const body = await request.text();
        const verified = request.headers.get('x-leadpulse-signature') === `sha256=${await hexHmac(SIGNING_SECRET, body)}`;
        // NOTE: the form's request (sent first, docs/edge.md "Forms") is taken at once; the
        // answers under test are the summaries'.
        if (JSON.parse(body).type === 'request') {
          requests.push({ verified, request: JSON.parse(body) });
          return new Response('{}', { status: 201 });
        }
        const status = answers[Math.min(received.length, answers.length - 1)];
        received.push({ status, verified, summary: JSON.parse(body) });
        return new Response('{}', { status });
      }
      if (request.method !== 'GET') { await request.body?.cancel(); return new Response(null, { status: 405 }); }
      return new Response('<a data-testid="cta" href="/blog/">Read</a>', { headers: { 'content-type': 'text/html' } });
    });
    const originUrl = `http://127.0.0.1:${origin.addr.port}`;
    const edge = serve({ port: 0, onListen() {}, env: {
      ORIGIN_URL: originUrl, LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: SIGNING_SECRET,
      LEADPULSE_ENDPOINT: `${originUrl}/collect`, LEADPULSE_TEST_CLOCK: '1', LEADPULSE_DEBUG_HEADERS: '1',
    } });
    const base = `http://127.0.0.1:${edge.addr.port}`;
    /** A browser: keeps the cookie; go(path, at, init) → { status, stage, delivery }. */
    const browser = () => {
      let cookie = '';
      return async (path, at, init = {}) => {
        const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36', 'x-leadpulse-test-now': String(at), ...(cookie ? { cookie } : {}), ...init.headers };
        const response = await fetch(base + path, { ...init, headers, redirect: 'manual' });
        await response.body?.cancel();
        const set = response.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0];
        const delivery = response.headers.get('x-leadpulse-delivery');
        return { status: response.status, stage: response.headers.get('x-leadpulse-stage'), delivery: delivery ? JSON.parse(delivery) : null };
      };
    };
    const formPost = (go, at) => go('/demo', at, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'leadpulse-form': 'demo', 'leadpulse-next': '/thanks', email: 'dana@acme.test', title: 'VP of Revenue Operations', company: 'Acme', employee_count: '500', industry: 'Logistics' }).toString(),
    });
    /** The positive marker: a new hand-raiser's SQL, awaited until the origin received it. */
    const marker = async () => {
      const go = browser();
      await go('/demo', Date.now() - 3_600_000);
      const posted = await formPost(go, Date.now() - 3_540_000);
      for (let i = 0; i < 250 && !received.some((r) => r.summary.id === posted.delivery?.id); i += 1) await new Promise((r) => setTimeout(r, 20));
      if (!received.some((r) => r.summary.id === posted.delivery?.id)) throw new Error('the marker never arrived');
    };
    const close = async () => { await edge.shutdown(); await origin.shutdown(); };
    return { received, requests, browser, formPost, marker, close };
  }

  Deno.test('example app under Deno.serve: a qualifying week sends MQL then SQL, each once, signed', async () => {
    const app = await exampleApp([201]);
    try {
      const go = app.browser();
      const start = Date.now() - 7 * DAY;
      await go('/blog/?utm_source=google', start, { headers: { referer: 'https://www.google.com/' } });
      for (const day of [1, 3, 5]) await go('/pricing', start + day * DAY);
      await go('/demo', start + 6 * DAY);
      const posted = await app.formPost(go, start + 6 * DAY + 60_000);
      if (posted.status !== 303 || posted.stage !== 'sql' || posted.delivery?.state !== 'delivered') throw new Error(`POST /demo: ${JSON.stringify(posted)}`);
      const later = await go('/', start + 6 * DAY + 120_000);
      if (later.delivery?.sent !== false) throw new Error(`a later visit sent ${JSON.stringify(later.delivery)}`);
      await app.marker();
      const mine = app.received.filter((r) => r.summary.visitor === app.received[0].summary.visitor);
      const seen = mine.map((r) => `${r.summary.stage}:${r.verified}:${r.summary.runtime}`).join(' ');
      if (seen !== 'mql:true:edge sql:true:edge') throw new Error(`collector received ${seen}`);
      if (mine[1].summary.id !== posted.delivery.id) throw new Error('not the hand-off of the form');
      const asked = app.requests.find((r) => r.request.visitor === app.received[0].summary.visitor);
      if (!asked?.verified || asked.request.fields.email !== 'dana@acme.test') throw new Error(`the form's request: ${JSON.stringify(asked)}`);
    } finally {
      await app.close();
    }
  });

  Deno.test('example app under Deno.serve: a 503 for the hand-off is re-sent by a later request, then stored', async () => {
    const app = await exampleApp([503, 503, 503, 201]);
    try {
      const go = app.browser();
      const t0 = Date.now() - 3_600_000;
      await go('/demo', t0);
      const posted = await app.formPost(go, t0 + 60_000);
      const { delivery } = posted;
      if (delivery?.state !== 'pending' || delivery.status !== 503 || delivery.attempts !== 1) throw new Error(`hand-off: ${JSON.stringify(delivery)}`);
      // Its quick retries in waitUntil (503 too) end before the next attempt is due.
      for (let i = 0; i < 150 && app.received.length < 3; i += 1) await new Promise((r) => setTimeout(r, 20));
      if (app.received.length !== 3) throw new Error(`quick retries: ${app.received.length} attempts reached the origin, not 3`);
      const early = await go('/', t0 + 61_000);
      if (early.delivery.sent) throw new Error('re-sent before its time');
      const due = await go('/blog/', delivery.nextAttemptAt);
      if (!due.delivery.sent || due.delivery.id !== delivery.id || due.delivery.state !== 'delivered' || due.delivery.status !== 201) {
        throw new Error(`re-send: ${JSON.stringify(due.delivery)}`);
      }
      const after = await go('/', delivery.nextAttemptAt + 3_600_000);
      if (after.delivery.sent) throw new Error('re-sent after it was acknowledged');
      await app.marker();
      const mine = app.received.filter((r) => r.summary.id === delivery.id).map((r) => r.status);
      if (mine.join() !== '503,503,503,201') throw new Error(`attempts for the hand-off: ${mine}`);
    } finally {
      await app.close();
    }
  });
}
