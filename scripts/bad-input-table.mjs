#!/usr/bin/env node
// The bad-input table: hostile inputs against the real components — the collector
// (`leadpulse serve` on loopback, also under the abuse of issue 16: silent and HTTP/2 sockets,
// connection caps, spoofed X-Forwarded-For, a 410 webhook, rotated secrets), `leadpulse
// replay`, `validate`, `import` and `fit`, the wasm API (the Node package) and the edge
// adapter — and what each answered. Prints a Markdown table; exits 1 if any row shows a panic,
// a hang (10 s), an uncaught exception, a lost lead, or a defence that did not hold.
//
//   make pkg && cargo build --release -p leadpulse-cli && node scripts/bad-input-table.mjs
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
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

// ---------------------------------------------------------------- collector under abuse
/** Connects from `localAddress`, writes `bytes`; resolves with how the server ended it. */
function socketFate(port, localAddress, bytes, limitMs = 12000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => { if (bytes) socket.write(bytes); });
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('error', () => {});
    const timer = setTimeout(() => { socket.destroy(); resolve({ closed: false, ms: limitMs, data }); }, limitMs);
    socket.on('close', () => { clearTimeout(timer); resolve({ closed: true, ms: Date.now() - started, data }); });
  });
}

async function abuse() {
  const signing = 'bad-input-signing-secret-new';
  const previous = 'bad-input-signing-secret-old';
  let gone = 0;
  const receiver = http.createServer((req, res) => { req.resume(); req.on('end', () => { gone += 1; res.writeHead(410).end(); }); });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const collector = await startCollector(['--listen', '127.0.0.1:0', '--api-token', TOKEN, '--db', join(dir, 'abuse.db'), '--root', ROOT,
    '--behind-proxy', '--rate-limit', '1:1', '--signing-secret', signing, '--previous-signing-secret', previous,
    '--webhook', `http://127.0.0.1:${receiver.address().port}/hook`, '--webhook-secret', 'bad-input-webhook-secret-0123']);
  const { url, port } = collector;
  const where = 'collector (issue 16)';
  try {
    const silent = await socketFate(port, '127.0.0.2', null);
    row(where, 'a connection that sends nothing', silent.closed ? `closed by the server after ${(silent.ms / 1000).toFixed(1)} s` : 'still open after 12 s', silent.closed);
    const h2 = await socketFate(port, '127.0.0.3', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    row(where, 'only an HTTP/2 preface (h2c)', h2.closed ? `closed after ${h2.ms} ms${h2.data ? ` (answered ${clip(h2.data.split('\r\n')[0], 40)})` : ''}` : 'still open after 12 s', h2.closed);

    const valid = readFileSync(join(ROOT, 'tests/fixtures/summary/valid.json'), 'utf8');
    const signed = (secret, body) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const body = valid.replace('"anon-42"', '"bad-input-rotation"');
    const r = await fetch(`${url}/collect`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-leadpulse-signature': signed(previous, body) }, body });
    const answer = await r.json();
    row(where, 'a summary signed with `--previous-signing-secret` (a rotation)', `${r.status} trust ${answer.trust}`, r.status === 201 && answer.trust === 'verified');

    const fromProxy = async (xff, n) => fetch(`${url}/collect`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: valid.replace('"anon-42"', `"bad-input-xff-${n}"`).replace(/"id": ?"lp_[0-9a-f]+"/, `"id":"lp_${(0xabc000 + n).toString(16).padStart(16, '0')}"`) });
    await fromProxy('1.1.1.1, 203.0.113.5', 1);
    const spoofed = await fromProxy('9.9.9.9, 203.0.113.5', 2);
    row(where, '`X-Forwarded-For: <any>, <proxy-appended>` with a new first entry, behind `--behind-proxy`, limit 1/min', `${spoofed.status}, Retry-After ${spoofed.headers.get('retry-after')}`, spoofed.status === 429 && spoofed.headers.get('retry-after') === '60');

    const auth = { authorization: `Bearer ${TOKEN}` };
    // Two SQLs above (the rotation's and the first behind the proxy): two deliveries.
    let outbox;
    for (let i = 0; i < 100 && !(outbox?.dead?.length === 2); i++) {
      outbox = await fetch(`${url}/api/outbox`, { headers: auth }).then((x) => x.json());
      if (outbox.dead?.length !== 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const dead = outbox?.dead?.[0];
    row(where, 'a webhook that answers 410 Gone (two SQLs)', dead ? `${outbox.dead.length} dead, each after ${dead.attempts} attempt (${dead.lastError}); ${gone} request(s) sent` : 'not dead after 10 s', outbox?.dead?.length === 2 && gone === 2);
    const retry = async (headers) => (await fetch(`${url}/api/outbox/${dead?.id}/retry`, { method: 'POST', headers })).status;
    row(where, '`POST /api/outbox/{id}/retry` without, then with the token', `${await retry({})}, then ${await retry(auth)}`);
    const lower = await fetch(`${url}/api/leads`, { headers: { authorization: `bearer ${TOKEN}` } });
    row(where, '`authorization: bearer <token>` (lower-case scheme)', String(lower.status), lower.status === 200);
    const headers = ['x-content-type-options', 'cache-control', 'x-frame-options', 'content-security-policy', 'referrer-policy'].map((h) => `${h}: ${lower.headers.get(h)}`).join('; ');
    row(where, 'security headers on `GET /api/leads`', headers, lower.headers.get('cache-control') === 'no-store');
    const lead = (await lower.json()).leads?.[0]?.id ?? 1;
    const twice = await fetch(`${url}/api/leads/${lead}/feedback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"status":"accepted","status":"rejected"}' });
    row(where, 'feedback `{"status":"accepted","status":"rejected"}`', `${twice.status} ${clip(await twice.text(), 90)}`, twice.status === 400);
  } finally {
    await collector.stop();
    await new Promise((resolve) => receiver.close(resolve));
  }

  const capped = await startCollector(['--listen', '127.0.0.1:0', '--api-token', TOKEN, '--db', join(dir, 'capped.db'), '--root', ROOT, '--max-connections-per-address', '5']);
  try {
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => new Promise((resolve) => { const s = net.connect({ port: capped.port, host: '127.0.0.1', localAddress: '127.0.0.4' }, () => resolve(s)); })));
    const sixth = await socketFate(capped.port, '127.0.0.4', null, 4000);
    const other = await fetch(`${capped.url}/`).then((x) => x.status);
    row(where, 'a 6th connection from one address, `--max-connections-per-address 5`', sixth.closed ? `closed after ${sixth.ms} ms (the 5 kept); another address: ${other}` : 'kept open', sixth.closed && sixth.ms < 4000 && other === 200);
    held.forEach((s) => s.destroy());
  } finally {
    await capped.stop();
  }
  const blank = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, 'blank.db'), '--api-token', ' '.repeat(16)], { timeout: 10000 });
  row(where, '`serve --api-token` of 16 spaces', `exit ${blank.status}; ${clip(String(blank.stderr), 100)}`, blank.status !== 0 && blank.status !== null);
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

// ---------------------------------------------------------------- import, fit, replay (issue 16)
function cliOutputs() {
  const where = '`leadpulse import` / `fit` / `replay`';
  const map = join(ROOT, 'tests/fixtures/import/map.json');
  const header = 'Id,Origin,Visits,Seconds,PagesPerVisit,Specialization,Occupation,Converted\n';
  const importing = (name, csv, extra = []) => {
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, csv);
    return run(['import', '--map', map, file, '--events', join(dir, `${name}.jsonl`), '--outcomes', join(dir, `${name}-outcomes.csv`), ...extra]);
  };
  let quoted = `${header}a1,API,1,60,1,Finance,Student,1\na2,"API,1,60,1,Finance,Student,0\n`;
  for (let n = 3; n < 1003; n++) quoted += `a${n},API,1,60,1,Finance,Student,0\n`;
  const q = importing('quote', quoted);
  const spans = q.err.find((l) => l.includes('spans'));
  row(where, 'a CSV with an unbalanced quote before 1,000 more rows', `exit ${q.status}; ${clip((spans ?? q.err[0] ?? '').replace(/^.*?: line/, 'line'), 120)}`, q.ok && Boolean(spans));
  const f = importing('formula', `${header}"=HYPERLINK(""http://x"")",API,1,60,1,Finance,Student,1\n-2,API,1,60,1,Finance,Student,0\n`);
  const cells = existsSync(join(dir, 'formula-outcomes.csv')) ? readFileSync(join(dir, 'formula-outcomes.csv'), 'utf8').split('\n').slice(1, 3).join(' · ') : '(no outcomes)';
  row(where, 'ids `=HYPERLINK(…)` and `-2` written to outcomes.csv', `exit ${f.status}; cells: ${cells}`, f.ok && cells.includes("'=HYPERLINK") && cells.includes("'-2"));
  // A history fit can learn from (buyers convert, students mostly not), so that it gets as far
  // as writing, then cannot write its report.
  let history = '';
  let outcomes = 'visitor,converted\n';
  for (let i = 0; i < 600; i++) {
    const role = i % 3 === 0 ? 'buyer' : 'student';
    const t = 1767225600000 + i * 1000;
    history += `{"type":"engagement","userId":"l${i}","timestamp":${t},"properties":{"seconds":${60 + (i % 7) * 30}}}\n`;
    history += `{"type":"identify","userId":"l${i}","timestamp":${t + 1000},"traits":{"role":"${role}"}}\n`;
    outcomes += `l${i},${role === 'buyer' ? Number(i % 5 !== 0) : Number(i % 7 === 0)}\n`;
  }
  writeFileSync(join(dir, 'fit.jsonl'), history);
  writeFileSync(join(dir, 'fit-outcomes.csv'), outcomes);
  writeFileSync(join(dir, 'kept.json'), 'the previous model\n');
  const fit = run(['fit', '--events', join(dir, 'fit.jsonl'), '--outcomes', join(dir, 'fit-outcomes.csv'), '--out', join(dir, 'kept.json'), '--report', join(dir, 'no-such-folder', 'r.json')]);
  const kept = readFileSync(join(dir, 'kept.json'), 'utf8') === 'the previous model\n';
  row(where, '`fit` that fails (exit 2) with a model already at `--out`', `exit ${fit.status}; ${clip(fit.err.at(-1) ?? '', 70)}; --out ${kept ? 'untouched' : 'overwritten'}`, fit.ok && fit.status === 2 && kept);
  const at = run(['replay', '--at=99999999999999999', '-'], Buffer.from(''));
  row(where, '`replay --at 99999999999999999`', `exit ${at.status}; ${clip(at.err.find((l) => l.includes('outside')) ?? at.err[0] ?? '', 110)}`, at.ok && at.status === 2);
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
  await abuse();
  cli();
  cliOutputs();
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
