// Shared pieces of the Node unit tests of the edge core (pkg/edge/*.js over the real wasm in
// pkg/node.js): secrets, requests, a fake collector and a qualifying visit.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Scorer } from '../../pkg/node.js';
import { createEdge } from '../../pkg/edge/core.js';

export const COOKIE_SECRET = 'unit-cookie-secret-0123456789abcdef';
export const SIGNING_SECRET = 'unit-signing-secret-0123456789abcdef';
export const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36';
export const NOW = Date.parse('2026-11-20T12:00:00.000Z');
export const DAY = 86_400_000;
export const ENDPOINT = 'https://collector.test/collect';

export const edge = createEdge(() => ({ Scorer }));

export const get = (path, headers = {}) => new Request(`https://site.test${path}`, { headers: { 'user-agent': UA, ...headers } });
/** Options with both secrets, a fixed clock and errors collected (not logged). */
export const opts = (extra = {}) => ({ cookieSecret: COOKIE_SECRET, signingSecret: SIGNING_SECRET, now: () => NOW, onError: () => {}, ...extra });
export const cookiePair = (lead) => lead.setCookie.split(';')[0];
/** The `Cookie` header a browser sends after `lead`: every cookie it set (state, shadow). */
export const cookiesOf = (lead) => lead.setCookies.filter((c) => !/; Max-Age=0;/.test(c)).map((c) => c.split(';')[0]).join('; ');

/**
 * The challenger of the shadow tests: the built-in model with every rule's points doubled and
 * another name (so another model hash), as a model document.
 */
export function challengerModel() {
  const doc = JSON.parse(readFileSync(new URL('../../src/core/model/builtin.json', import.meta.url), 'utf8'));
  doc.name = 'challenger-doubled';
  for (const rule of doc.rules) if (typeof rule.points === 'number') rule.points *= 2;
  return doc;
}

/** The form a VP sends on the demo page: a hand-raise by a known visitor (SQL at once). */
export const demoForm = () => [
  { type: 'track', event: 'Demo Requested', properties: { path: '/demo' } },
  { type: 'identify', traits: { email: 'a@acme.test', title: 'VP Sales', company: { name: 'Acme', employee_count: 500 } } },
];

/**
 * A collector stand-in. `answers[i]` is the answer to the i-th call (the last one repeats):
 * an HTTP status, `'down'` (the fetch rejects, as with a refused connection), or
 * `{ status, body }`. Like the real one it stores each summary id once (`stored`).
 */
export function fakeCollector(answers = [201]) {
  const calls = [];
  const stored = new Map();
  let gate = null;
  return {
    calls,
    stored,
    /** Ids of the calls, in order. */
    ids: () => calls.map((c) => JSON.parse(c.init.body).id),
    /** Holds every answer until the returned function is called. */
    hold() {
      let release;
      gate = new Promise((resolve) => { release = resolve; });
      return () => { gate = null; release(); };
    },
    async fetch(url, init) {
      // NOTE: a status question (what sales did: edge/sales.js) is not a delivery: it knows none.
      if (!init?.body) return new Response('{"error":"no such status"}', { status: 404 });
      calls.push({ url, init, at: Date.now() });
      if (gate) await gate;
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer === 'down') throw new TypeError('fetch failed: connection refused');
      const { status, body } = typeof answer === 'number' ? { status: answer } : answer;
      const summary = JSON.parse(init.body);
      if (status >= 200 && status < 300 && !stored.has(summary.id)) stored.set(summary.id, summary);
      return new Response(JSON.stringify(body ?? { stored: status === 201 }), { status, headers: { 'content-type': 'application/json' } });
    },
  };
}

/**
 * A collector stand-in that checks signatures as the real one does: 401 unless the
 * `X-LeadPulse-Signature` verifies under one of `accepted` (a mutable array: change it to
 * rotate the collector's secrets), else 201 the first time an id is stored, 200 after.
 */
export function verifyingCollector(accepted) {
  const calls = [];
  const stored = new Map();
  return {
    calls,
    stored,
    accepted,
    async fetch(url, init) {
      if (!init?.body) return new Response('{"error":"no such status"}', { status: 404 });
      calls.push({ url, init });
      const given = Buffer.from(String(init.headers['x-leadpulse-signature'] ?? ''));
      const verifies = (secret) => {
        const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(init.body).digest('hex')}`);
        return expected.length === given.length && timingSafeEqual(expected, given);
      };
      const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (!accepted.some(verifies)) return json(401, { error: 'X-LeadPulse-Signature does not match the body' });
      const summary = JSON.parse(init.body);
      if (stored.has(summary.id)) return json(200, { stored: false });
      stored.set(summary.id, summary);
      return json(201, { stored: true });
    },
  };
}

/** A ctx whose waitUntil promises can be awaited (`settled()`): the deterministic "after". */
export function context() {
  const promises = [];
  return { waitUntil: (p) => promises.push(p), promises, settled: () => Promise.all(promises) };
}

/**
 * A visitor who reaches SQL in one request (pricing ×2, integrations, then the demo form as a
 * VP), all at `at`. Returns the hand-off request's result.
 */
export async function qualify(extra = {}, { ctx = context(), at = NOW } = {}) {
  const options = (more = {}) => opts({ now: () => at, ...extra, ...more });
  let lead = await edge.scoreRequest(get('/pricing'), {}, ctx, options());
  for (const path of ['/pricing', '/integrations']) {
    lead = await edge.scoreRequest(get(path, { cookie: cookiePair(lead) }), {}, ctx, options());
  }
  lead = await edge.scoreRequest(get('/demo', { cookie: cookiePair(lead) }), {}, ctx, options({ events: demoForm }));
  return { lead, ctx };
}

/** The next request of the visitor holding `lead`'s cookie, at `at`. */
export function next(lead, path, at, extra = {}, ctx = context()) {
  return edge.scoreRequest(get(path, { cookie: cookiePair(lead) }), {}, ctx, opts({ now: () => at, ...extra }));
}
