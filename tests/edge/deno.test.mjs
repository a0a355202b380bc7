// LeadPulse under Deno (a second edge runtime), run by tests/edge/run.sh:
//   node_modules/.bin/deno test --no-config --no-npm --no-remote --allow-read tests/edge/deno.test.mjs
// 1. the package's `deno` export condition resolves to index.js; initialised with the wasm
//    bytes (Deno.readFile + initSync), it gives every shared fixture's expected answer;
// 2. the edge request-scoring API (edge/core.js over the same module) works on Deno's
//    Request/Response/WebCrypto: signed cookie round trip, tampering, bots, signed forwarding.
// Under Node this file only registers a skipped test (the Node side is edge.test.mjs).
import { jsonDiff, replayCase } from './replay.mjs';

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
    if (entry !== './index.js') throw new Error(`deno condition resolves to ${entry}`);
    api = await import(new URL(entry, PKG).href);
    api.initSync({ module: await Deno.readFile(new URL('leadpulse_core_bg.wasm', PKG)) });
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
}
