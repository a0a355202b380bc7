// LeadPulse under Deno (a second edge runtime), run by tests/edge/run.sh:
//   node_modules/.bin/deno test --no-config --no-npm --no-remote --allow-read --allow-net=127.0.0.1 \
//     tests/edge/deno.test.mjs
// 1. the package's `deno` export condition resolves to index.js; initialised with the wasm
//    bytes (Deno.readFile + initSync), it gives every shared fixture's expected answer;
// 2. the edge request-scoring API (edge/core.js over the same module) works on Deno's
//    Request/Response/WebCrypto: signed cookie round trip, tampering, bots, signed forwarding;
// 3. the example application (www/edge/deno.mjs → site.js) served by Deno.serve in front of a
//    loopback origin: a qualifying week reaches the collector once, signed.
// Under Node this file only registers a skipped test (the Node side is edge.test.mjs).
import { jsonDiff, replayCase } from '../js/replay.mjs';

const PKG = new URL('../../pkg/', import.meta.url);
const CASES = new URL('../fixtures/cases/', import.meta.url);
const SECRET = 'deno-test-secret-0123456789abcdef';
const DAY = 86_400_000;

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

  Deno.test('edge API on Deno: signed cookie, tampering, bots, signed forwarding', async () => {
    const { Scorer } = await load();
    const { createEdge } = await import(new URL('edge/core.js', PKG).href);
    const edge = createEdge(() => ({ Scorer }));
    const sent = [];
    const pending = [];
    const ctx = { waitUntil: (p) => pending.push(p) };
    const collector = { fetch: async (url, init) => { sent.push({ url, init }); return new Response('{}', { status: 201 }); } };
    const start = Date.now() - 7 * DAY;
    const options = (at, extra = {}) => ({ secret: SECRET, endpoint: 'https://collector.test/collect', collector, now: () => at, ...extra });
    const ua = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' };
    const get = (path, cookie, headers = ua) => new Request(`https://site.test${path}`, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    const cookieOf = (lead) => lead.setCookie.split(';')[0];

    let lead = await edge.scoreRequest(get('/blog/?utm_source=google'), {}, ctx, options(start));
    if (!lead || lead.cookie !== 'missing' || !/HttpOnly; Secure; SameSite=Lax/.test(lead.setCookie)) throw new Error(JSON.stringify(lead));
    const visitor = lead.visitor;
    for (const day of [1, 3, 5]) lead = await edge.scoreRequest(get('/pricing', cookieOf(lead)), {}, ctx, options(start + day * DAY));
    if (lead.visitor !== visitor || lead.cookie !== 'valid') throw new Error('state cookie did not round-trip');
    const form = () => [
      { type: 'track', event: 'Demo Requested', properties: { path: '/demo' } },
      { type: 'identify', traits: { email: 'dana@acme.test', title: 'VP of Revenue Operations', company: { name: 'Acme', employee_count: 500, industry: 'Logistics' } } },
    ];
    lead = await edge.scoreRequest(get('/demo', cookieOf(lead)), {}, ctx, options(start + 6 * DAY, { events: form }));
    await Promise.all(pending);
    if (lead.snapshot.stage !== 'sql' || sent.length !== 1 || lead.forwarded === null) {
      throw new Error(`expected one forwarded SQL summary: stage ${lead.snapshot.stage}, sent ${sent.length}`);
    }
    const { init } = sent[0];
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(init.body)));
    const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (init.headers['x-leadpulse-signature'] !== `sha256=${hex}`) throw new Error('bad summary signature');
    if (JSON.parse(init.body).runtime !== 'edge') throw new Error('summary runtime is not edge');

    const again = await edge.scoreRequest(get('/pricing', cookieOf(lead)), {}, ctx, options(start + 6 * DAY + 60_000));
    await Promise.all(pending);
    if (sent.length !== 1 || again.forwarded !== null) throw new Error('summary forwarded twice');

    const tampered = cookieOf(lead).replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)$/, (_, c, rest) => `.${c === 'A' ? 'B' : 'A'}${rest}`);
    const fresh = await edge.scoreRequest(get('/pricing', tampered), {}, ctx, options(start + 6 * DAY));
    if (fresh.cookie !== 'signature' || fresh.visitor === visitor || fresh.snapshot.stage !== 'visitor') throw new Error('tampered cookie trusted');

    const bot = await edge.scoreRequest(get('/pricing', null, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }), {}, ctx, options(start));
    if (bot !== null) throw new Error('a bot was scored');

    const broken = await edge.scoreRequest(get('/pricing'), {}, ctx, options(start, { model: '{"rules": 42}', onError: () => {} }));
    if (broken !== null) throw new Error('a broken model did not pass through');
  });

  Deno.test('example app under Deno.serve: a qualifying week is forwarded once, signed', async () => {
    const { serve } = await import(new URL('../../www/edge/deno.mjs', import.meta.url).href);
    const received = [];
    const origin = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, async (request) => {
      const url = new URL(request.url);
      if (request.method === 'POST' && url.pathname === '/collect') {
        const body = await request.text();
        const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)));
        const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
        received.push({ verified: request.headers.get('x-leadpulse-signature') === `sha256=${hex}`, summary: JSON.parse(body) });
        return new Response('{}', { status: 201 });
      }
      if (request.method !== 'GET') { await request.body?.cancel(); return new Response(null, { status: 405 }); }
      return new Response('<a data-testid="cta" href="/blog/">Read</a>', { headers: { 'content-type': 'text/html' } });
    });
    const originUrl = `http://127.0.0.1:${origin.addr.port}`;
    const edge = serve({ port: 0, onListen() {}, env: {
      ORIGIN_URL: originUrl, LEADPULSE_SECRET: SECRET, LEADPULSE_ENDPOINT: `${originUrl}/collect`, LEADPULSE_TEST_CLOCK: '1',
    } });
    try {
      const base = `http://127.0.0.1:${edge.addr.port}`;
      let cookie = '';
      const go = async (path, at, init = {}) => {
        const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36', 'x-leadpulse-test-now': String(at), ...(cookie ? { cookie } : {}), ...init.headers };
        const response = await fetch(base + path, { ...init, headers, redirect: 'manual' });
        await response.body?.cancel();
        const set = response.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0];
        return response;
      };
      const start = Date.now() - 7 * DAY;
      await go('/blog/?utm_source=google', start, { headers: { referer: 'https://www.google.com/' } });
      for (const day of [1, 3, 5]) await go('/pricing', start + day * DAY);
      await go('/demo', start + 6 * DAY);
      const form = new URLSearchParams({ email: 'dana@acme.test', title: 'VP of Revenue Operations', company: 'Acme', employee_count: '500', industry: 'Logistics' });
      const posted = await go('/demo', start + 6 * DAY + 60_000, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (posted.status !== 303 || posted.headers.get('x-leadpulse-stage') !== 'sql') throw new Error(`POST /demo: ${posted.status} ${posted.headers.get('x-leadpulse-stage')}`);
      await go('/pricing', start + 6 * DAY + 120_000);
      for (let i = 0; i < 50 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      if (received.length !== 1 || !received[0].verified || received[0].summary.runtime !== 'edge') {
        throw new Error(`collector received ${JSON.stringify(received)}`);
      }
    } finally {
      await edge.shutdown();
      await origin.shutdown();
    }
  });
}
