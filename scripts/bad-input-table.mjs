#!/usr/bin/env node
// The bad-input table: hostile inputs against the real components — the collector
// (`leadpulse serve` on loopback), `leadpulse replay` and `validate`, the wasm API (the Node
// package) and the edge adapter — and what each answered. Prints a Markdown table; exits 1 if
// any row shows a panic, a hang (10 s), an uncaught exception or a lost lead.
//
//   make pkg && cargo build --release --features cli && node scripts/bad-input-table.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, startCollector } from './collector.mjs';

const TOKEN = 'bad-input-table-token-0123';
const dir = mkdtempSync(join(tmpdir(), 'leadpulse-bad-'));
const rows = [];
let failures = 0;

/** One row: where, the input, what came back; `ok` false marks a failure of the product. */
function row(component, input, answer, ok = true) {
  if (!ok) failures += 1;
  rows.push({ component, input, answer: ok ? answer : `**FAIL** ${answer}` });
}

const clip = (text, n = 110) => {
  const one = String(text).replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

// ---------------------------------------------------------------- collector
async function collector() {
  const collector = await startCollector(['--listen', '127.0.0.1:0', '--api-token', TOKEN, '--rate-limit', 'off',
    '--db', join(dir, 'leads.db'), '--root', ROOT]);
  const { url } = collector;
  const valid = JSON.parse(await (await import('node:fs/promises')).readFile(join(ROOT, 'tests/fixtures/summary/valid.json'), 'utf8'));
  let n = 0;
  const summary = (edit) => {
    const s = structuredClone(valid);
    n += 1;
    s.id = `lp_${n.toString(16).padStart(16, '0')}`;
    s.visitor = `bad-input-${n}`;
    edit(s);
    return JSON.stringify(s);
  };
  const validRequest = JSON.parse(await (await import('node:fs/promises')).readFile(join(ROOT, 'tests/fixtures/request/valid.json'), 'utf8'));
  const request = (edit) => {
    const r = structuredClone(validRequest);
    n += 1;
    r.id = `rq_${n.toString(16).padStart(16, '0')}`;
    edit(r);
    return JSON.stringify(r);
  };
  const post = async (body, headers = { 'content-type': 'application/json' }) => {
    const r = await fetch(`${url}/collect`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10000) });
    return `${r.status} ${clip(await r.text(), 90)}`;
  };
  const cases = [
    ['not JSON: `{"version":`', () => post('{"version":')],
    ['an array `[]`', () => post('[]')],
    ['empty body', () => post('')],
    ['bytes `ff fe` (not UTF-8)', () => post(new Uint8Array([0xff, 0xfe]))],
    ['`score` 1e308', () => post(summary((s) => { s.score = 1e308; }))],
    ['`score` as text "77"', () => post(summary((s) => { s.score = '77'; }))],
    ['`stage` "visitor"', () => post(summary((s) => { s.stage = 'visitor'; }))],
    ['`firstSeen` year 0000', () => post(summary((s) => { s.firstSeen = '0000-01-01T00:00:00.000Z'; }))],
    ['`qualifiedAt` year 9999', () => post(summary((s) => { s.qualifiedAt = '9999-12-31T23:59:59.999Z'; }))],
    ['NUL in `visitor`', () => post(summary((s) => { s.visitor = 'anon\u000042'; }))],
    ['right-to-left override in a trait', () => post(summary((s) => { s.traits.title = 'VP\u202egnitekraM'; }))],
    ['an unknown field `rawEvents`', () => post(summary((s) => { s.rawEvents = []; }))],
    ['a missing field `fit`', () => post(summary((s) => { delete s.fit; }))],
    ['4097-byte body', () => post(summary(() => {}).padEnd(4097, ' '))],
    ['form-encoded body', () => post('a=1', { 'content-type': 'application/x-www-form-urlencoded' })],
    ['forged: score 999 ≠ fit + engagement', () => post(summary((s) => { s.score = 999; }))],
    ['forged: a rule the model does not have', () => post(summary((s) => { s.reasons[0].rule = 'wire_transfer'; }))],
    ['an `X-LeadPulse-Signature` the collector has no `--signing-secret` for', () => post(summary(() => {}), { 'content-type': 'application/json', 'x-leadpulse-signature': 'sha256=00' })],
    ['a page of another site (`Origin: https://evil.example`, a beacon)', () => post(summary(() => {}), { 'content-type': 'text/plain', origin: 'https://evil.example' })],
    ['a sandboxed frame (`Origin: null`)', () => post(summary(() => {}), { 'content-type': 'text/plain', origin: 'null' })],
    ['unsigned, a model the collector does not know: score 999, a made-up rule', () => post(summary((s) => {
      Object.assign(s, { model: '00000000000000ff', score: 999, fit: 999, engagement: 0, reasons: [{ rule: 'wire_transfer', points: 999 }] });
    }))],
    ['a first revision 4294967295 (to freeze the lead)', () => post(summary((s) => { s.revision = 4294967295; }))],
    ['a request naming a visitor without consent', () => post(request((r) => { r.visitor = 'anon-1'; }))],
    ['a request whose page carries a query (`?email=…`)', () => post(request((r) => { r.page = '/demo?email=dana%40acme.example'; }))],
    ['a request without an e-mail address', () => post(request((r) => { delete r.fields.email; }))],
    ['a form post (no JavaScript) without an e-mail address', () => post('name=Dana', { 'content-type': 'application/x-www-form-urlencoded' })],
    ['a form post asking to be sent to another site', () => post('email=a%40b.example&leadpulse-next=https%3A%2F%2Fevil.example%2F', { 'content-type': 'application/x-www-form-urlencoded', origin: url })],
  ];
  for (const [input, run] of cases) {
    try {
      const answer = await run();
      row('collector `POST /collect`', input, answer, !answer.startsWith('5'));
    } catch (e) {
      row('collector `POST /collect`', input, e.message, false);
    }
  }
  // A head claiming 1 GB, nothing after it: answered from the header alone.
  const net = await import('node:net');
  const claim = await new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname, () => socket.write(
      'POST /collect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n'));
    const timer = setTimeout(() => { socket.destroy(); resolve('no answer in 10 s'); }, 10000);
    socket.once('data', (d) => { clearTimeout(timer); socket.destroy(); resolve(clip(String(d).split('\r\n')[0])); });
  });
  row('collector `POST /collect`', '`Content-Length: 1000000000`, no body', claim, claim.includes('413'));
  const api = async (path, init = {}) => {
    const r = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(10000) });
    return `${r.status} ${clip(await r.text(), 90)}`;
  };
  const auth = { authorization: `Bearer ${TOKEN}` };
  row('collector `/api/`', '`GET /api/leads` without a token', await api('/api/leads'));
  row('collector `/api/`', '`GET /api/leads` with a wrong token', await api('/api/leads', { headers: { authorization: 'Bearer nope-nope-nope-nope' } }));
  row('collector `/api/`', '`?limit=100000`', await api('/api/leads?limit=100000', { headers: auth }));
  const first = await fetch(`${url}/api/leads?limit=1`, { headers: auth }).then((r) => r.json());
  const id = first.leads?.[0]?.id ?? 1;
  const feedback = (body) => api(`/api/leads/${id}/feedback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
  row('collector feedback', '`{"status":"won"}` on a new lead', await feedback('{"status":"won"}'));
  row('collector feedback', '`{"status":"rejected"}` without a reason', await feedback('{"status":"rejected"}'));
  row('collector feedback', '`{"status":"accepted","amount":-5}`', await feedback('{"status":"accepted","amount":-5}'));
  const shown = await fetch(`${url}/api/leads`, { headers: auth }).then((r) => r.json());
  const forgedShown = shown.leads.some((l) => l.summary?.score === 999 && l.trust !== 'unchecked');
  row('collector', 'is a forged summary listed as a lead?', forgedShown ? 'yes' : 'no: stored `rejected`, hidden, not pushed', !forgedShown);
  const held = shown.leads.find((l) => l.summary?.reasons?.[0]?.rule === 'wire_transfer');
  const heldOk = held && held.status === 'review' && held.owner === null;
  row('collector', 'is the unknown-model forgery handed to sales?', heldOk ? 'no: `unchecked`, status `review`, no owner, not pushed' : `yes: ${JSON.stringify(held)}`, heldOk);
  const inUrl = await api('/demo?leadpulse-form=demo&name=Dana&email=dana%40acme.example');
  row('collector (site)', 'a form sent in a URL: `GET /demo?leadpulse-form=demo&email=…`', inUrl, inUrl.startsWith('400') && !inUrl.includes('dana'));
  await collector.stop();
}

// ---------------------------------------------------------------- replay and validate
function run(args, input) {
  const r = spawnSync(BIN, args, { input, timeout: 10000, maxBuffer: 64 << 20 });
  const err = String(r.stderr ?? '').split('\n').filter(Boolean);
  const panicked = err.some((l) => l.includes('panicked'));
  const hung = r.error?.code === 'ETIMEDOUT';
  return { status: r.status, out: String(r.stdout ?? ''), err, ok: !panicked && !hung, hung };
}

function cli() {
  const event = '{"type":"page","anonymousId":"a","timestamp":"2026-11-10T08:00:00Z","properties":{"path":"/pricing"}}';
  const replayCases = [
    ['a line of invalid UTF-8 between good ones', Buffer.concat([Buffer.from(`${event}\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from(`${event}\n`)])],
    ['a 70 KB line', Buffer.from(`${'x'.repeat(70 * 1024)}\n${event}\n`)],
    ['20 MB of NUL bytes (like /dev/zero)', Buffer.alloc(20 << 20)],
    ['not JSON: `this is not json`', Buffer.from('this is not json\n')],
    ['`"seconds": "ten"` in an engagement event', Buffer.from('{"type":"engagement","anonymousId":"a","timestamp":"2026-11-10T08:00:00Z","properties":{"seconds":"ten"}}\n')],
    ['an event with no `type`', Buffer.from('{"anonymousId":"a"}\n')],
    ['a visitor id of 200 bytes', Buffer.from(`${event.replace('"a"', JSON.stringify('v'.repeat(200)))}\n`)],
  ];
  for (const [input, bytes] of replayCases) {
    const r = run(['replay', '-'], bytes);
    const said = r.hung ? 'hung' : `exit ${r.status}; ${clip(r.err[0] ?? '(no message)', 90)}; ${r.out.split('\n').filter(Boolean).length} visitor line(s)`;
    row('`leadpulse replay -`', input, said, r.ok);
  }
  const model = (doc) => {
    const file = join(dir, `model-${rows.length}.json`);
    writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  };
  const builtin = JSON.parse(spawnSync(BIN, ['model']).stdout.toString());
  const withRule = (when) => ({ ...builtin, rules: [{ id: 'x', when, points: 5 }, ...builtin.rules.slice(1)] });
  const validateCases = [
    ['`{"version": 1, "rules": 5}`', '{"version": 1, "rules": 5}'],
    ['an empty file', ''],
    ['page glob `/**/**/**/**/pricing` (hostile, legal)', withRule({ page: '/**/**/**/**/pricing' })],
    ['page glob `/pricing?plan=pro`', withRule({ page: '/pricing?plan=pro' })],
    ['page glob of 300 bytes', withRule({ page: `/${'*a'.repeat(150)}` })],
    ['grade label of 40 characters', { ...builtin, grades: { ...builtin.grades, fit: [{ grade: 'A'.repeat(40) }] } }],
    ['an unknown top-level field `colour`', { ...builtin, colour: 'blue' }],
  ];
  for (const [input, doc] of validateCases) {
    const file = model(doc);
    const r = run(['validate', file]);
    const lines = (r.err.length ? r.err.slice(0, 2) : r.out.split('\n').slice(0, 1)).map((l) => l.replace(file, 'model.json'));
    const said = r.hung ? 'hung' : `exit ${r.status}; ${clip(lines.join(' '), 120)}`;
    row('`leadpulse validate`', input, said, r.ok);
  }
}

// ---------------------------------------------------------------- wasm API
async function wasm() {
  const { Scorer } = await import(join(ROOT, 'pkg/node.js'));
  const scorer = new Scorer();
  // NOTE: a call into wasm cannot be interrupted: one that took longer than the table's hang
  // bound (10 s) is marked as a hang once it returns.
  const attempt = (input, fn) => {
    const started = performance.now();
    const hung = () => (performance.now() - started > 10000 ? ` (hung ${Math.round((performance.now() - started) / 1000)} s)` : '');
    try {
      const v = fn();
      const late = hung();
      row('wasm API (Node package)', input, `returned: ${clip(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v), 90)}${late}`, !late);
    } catch (e) {
      const trap = e instanceof WebAssembly.RuntimeError || /recursive use/.test(e.message);
      const late = hung();
      row('wasm API (Node package)', input, `${e.constructor.name}${e.path !== undefined ? ` at \`${e.path}\`` : ''}: ${clip(e.message, 80)}${late}`, !trap && !late);
    }
  };
  const session = scorer.session('v');
  attempt('`session(visitorId)` of 129 bytes', () => scorer.session('x'.repeat(129)));
  attempt('`track` with an 8 MB string property', () => session.track({ type: 'track', event: 'x', properties: { blob: 'x'.repeat(8 << 20) } }));
  attempt('`trackAll(new Array(1e9))`', () => session.trackAll(new Array(1e9)));
  attempt('`track` with a property array of length 1e9', () => session.track({ type: 'track', event: 'x', properties: { tags: new Array(1e9) } }));
  attempt('`track` with a property `new Uint8Array(1e8)` (typed array)', () => session.track({ type: 'track', event: 'x', properties: { bytes: new Uint8Array(1e8) } }));
  attempt('`track` with a property object of 1e6 keys', () => session.track({ type: 'track', event: 'x', properties: { wide: Object.fromEntries(Array.from({ length: 1e6 }, (_, i) => [`k${i}`, i])) } }));
  attempt('`track` with a property getter that throws', () => session.track({ type: 'track', event: 'x', properties: { get bad() { throw new Error('boom'); } } }));
  attempt('a cyclic event object', () => { const e = { type: 'page', properties: { path: '/x' } }; e.properties.self = e; return session.track(e); });
  attempt('`{"type":"engagement","properties":{"seconds":"ten"}}`', () => session.track({ type: 'engagement', properties: { seconds: 'ten' } }));
  attempt('`answer("budgett", "yes")` (unknown slot)', () => session.answer('budgett', 'yes'));
  attempt('`snapshot(NaN)`', () => session.snapshot(NaN));
  attempt('`session("v", 4 MB of "A")` (saved state)', () => scorer.session('v', 'A'.repeat(4 << 20)).restoreError);
  attempt('`session("v", "not a state!")`', () => scorer.session('v', 'not a state!').restoreError);
  attempt('`new Scorer({"version":1,"rules":[]})`', () => new Scorer({ version: 1, rules: [] }));
  attempt('the session after all of the above: `track(page /pricing)`', () => session.track({ type: 'page', properties: { path: '/pricing' } }).score);
}

// ---------------------------------------------------------------- edge
async function edgeRows() {
  const { createEdge } = await import(join(ROOT, 'pkg/edge/core.js'));
  const { Scorer } = await import(join(ROOT, 'pkg/node.js'));
  const edge = createEdge(() => ({ Scorer }));
  const cookieSecret = 'bad-input-cookie-secret-0123';
  const signingSecret = 'bad-input-signing-secret-0123';
  const ua = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' };
  const get = (path, headers = {}) => new Request(`https://site.test${path}`, { headers: { ...ua, ...headers } });
  const errors = [];
  const base = { cookieSecret, signingSecret, now: () => Date.now(), onError: (e) => errors.push(e) };
  const attempt = async (input, fn) => {
    errors.length = 0;
    try {
      const lead = await fn();
      const said = lead === null ? `passed through unscored${errors[0] ? ` (${clip(errors[0].message, 70)})` : ''}` : `scored; cookie: ${lead.cookie}`;
      row('edge `scoreRequest`', input, said);
    } catch (e) {
      row('edge `scoreRequest`', input, `threw ${clip(e.message)}`, false);
    }
  };
  const first = await edge.scoreRequest(get('/pricing'), {}, undefined, base);
  const cookie = first.setCookie.split(';')[0];
  const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  await attempt('a tampered cookie', () => edge.scoreRequest(get('/pricing', { cookie: tampered }), {}, undefined, base));
  await attempt('a version-1 cookie', () => edge.scoreRequest(get('/pricing', { cookie: '__Host-lp=1.abcdefgh.zzzzzz..AAAA.' + 'A'.repeat(43) }), {}, undefined, base));
  await attempt('a 5 KB cookie', () => edge.scoreRequest(get('/pricing', { cookie: `__Host-lp=${'x'.repeat(5000)}` }), {}, undefined, base));
  await attempt('cookie and signing secrets equal', () => edge.scoreRequest(get('/pricing'), {}, undefined, { ...base, signingSecret: cookieSecret }));
  await attempt('only the old `LEADPULSE_SECRET`', () => edge.scoreRequest(get('/pricing'), { LEADPULSE_SECRET: cookieSecret }, undefined, { now: base.now, onError: base.onError }));
  const oldSecret = 'bad-input-old-cookie-secret-0123';
  const underOld = (await edge.scoreRequest(get('/pricing'), {}, undefined, { ...base, cookieSecret: oldSecret })).setCookie.split(';')[0];
  await attempt('a cookie keyed by the previous cookie secret (`previousCookieSecret` set)', () => edge.scoreRequest(get('/pricing', { cookie: underOld }), {}, undefined, { ...base, previousCookieSecret: oldSecret }));
  await attempt('a cookie keyed by a third secret, a previous one set', () => edge.scoreRequest(get('/pricing', { cookie: underOld }), {}, undefined, { ...base, previousCookieSecret: 'bad-input-other-cookie-secret-01' }));
  await attempt('previous cookie secret equal to the signing secret', () => edge.scoreRequest(get('/pricing'), {}, undefined, { ...base, previousCookieSecret: signingSecret }));
  await attempt('previous cookie secret of 5 characters', () => edge.scoreRequest(get('/pricing'), {}, undefined, { ...base, previousCookieSecret: 'short' }));
  // A hand-off the collector answers 401 (it verifies with another signing secret): a lost lead
  // if it is refused for good, so only `pending` passes.
  const unauthorized = { fetch: async () => new Response('{"error":"X-LeadPulse-Signature does not match the body"}', { status: 401 }) };
  const form = async () => [{ type: 'track', event: 'Demo Requested', properties: { path: '/demo' } },
    { type: 'identify', traits: { email: 'a@acme.test', title: 'VP Sales', company: { name: 'Acme', employee_count: 500 } } }];
  const sql = await edge.scoreRequest(get('/demo'), {}, undefined, { ...base, endpoint: 'https://collector.test/collect', collector: unauthorized, retryDelaysMs: [], events: form });
  const d = sql?.delivery;
  row('edge `scoreRequest`', 'the collector answers 401 to a hand-off (another signing secret)', d ? `delivery ${d.state}, status ${d.status}, attempt ${d.attempts}, re-sent in ${Math.round((d.nextAttemptAt - Date.now()) / 1000)} s` : 'no hand-off', d?.state === 'pending');
  await attempt('a bot user agent', () => edge.scoreRequest(get('/pricing', { 'user-agent': 'Googlebot/2.1' }), {}, undefined, base));
  await attempt('a broken model `{"rules": 42}`', () => edge.scoreRequest(get('/pricing'), {}, undefined, { ...base, model: '{"rules": 42}' }));
  await attempt('a 4 KB path', () => edge.scoreRequest(get(`/${'a/'.repeat(2000)}pricing`), {}, undefined, base));
}

try {
  await collector();
  cli();
  await wasm();
  await edgeRows();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('| # | component | input | answer |');
console.log('|---|---|---|---|');
rows.forEach((r, i) => console.log(`| ${i + 1} | ${r.component} | ${r.input.replace(/\|/g, '\\|')} | ${r.answer.replace(/\|/g, '\\|')} |`));
console.log(`\n${rows.length} rows, ${failures} failure(s)`);
process.exit(failures ? 1 : 0);
