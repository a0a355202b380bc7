#!/usr/bin/env node
// The collector's store under load (issue 18), bounded: summaries/s and p50/p99 latency of
// `POST /collect` for one `serve` on SQLite, and one and two on PostgreSQL (SQLite is one
// collector per file), each on an empty store and on one already holding 200k leads. The
// issue's target: the 200k figure within 80 % of the empty one. Not part of `make bench`;
// nothing is asserted (benches/README.md, "The collector's store under load").
//
//   cargo build --release -p leadpulse-cli && node benches/store-load.mjs
//   STORE_LOAD_LEADS=20000 STORE_LOAD_REQUESTS=2000 STORE_LOAD_ROUNDS=1 node benches/store-load.mjs   # a quick check
//   STORE_LOAD_STORES=sqlite node benches/store-load.mjs                           # one store
//   LEADPULSE_BIN=/path/to/another/leadpulse node benches/store-load.mjs           # another build
//
// Each kind of store is filled first, once: LEADS summaries posted through one collector (the
// same path as the timed requests; no SQL inserts). Then ROUNDS rounds, each measuring every
// configuration on a fresh store — a new SQLite file or database for "empty", a copy of the
// filled one for "200k" (the file copied; on PostgreSQL `CREATE DATABASE … TEMPLATE`) — with
// WARMUP requests, then REQUESTS timed ones over CONNECTIONS keep-alive connections (split
// evenly between two collectors), every request a new visitor's SQL summary (the fixture's:
// `201`, a new lead, its revision and history row). Reported: the median over rounds.
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, ROOT, startCollector } from '../scripts/collector.mjs';
import { fail, median, quantile, record, table } from './common.mjs';

const env = (name, fallback) => Number(process.env[name] || fallback);
const LEADS = env('STORE_LOAD_LEADS', 200_000);
const REQUESTS = env('STORE_LOAD_REQUESTS', 10_000);
const WARMUP = env('STORE_LOAD_WARMUP', 1_000);
const CONNECTIONS = env('STORE_LOAD_CONNECTIONS', 32);
const ROUNDS = env('STORE_LOAD_ROUNDS', 3);
const STORES = (process.env.STORE_LOAD_STORES || 'sqlite,postgres').split(',');
const TARGET = 0.8;
const PASSWORD = 'store-load-bench-7c21';
const TOKEN = 'store-load-bench-token-0123456789';

if (!existsSync(BIN)) fail(`${BIN} not found: cargo build --release -p leadpulse-cli (or LEADPULSE_BIN)`);
const dir = mkdtempSync(join(tmpdir(), 'leadpulse-store-load-'));
const fixture = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/summary/valid.json'), 'utf8'));
/** Visitor n's SQL summary, compact as the tracker sends it (tests/serve/harness.rs `summary`). */
const summary = (n) => JSON.stringify({ ...fixture, id: `lp_${n.toString(16).padStart(16, '0')}`, visitor: `visitor-${n}` });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const k = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

/**
 * Posts summaries `from` … `from + count - 1` over `CONNECTIONS` keep-alive connections, split
 * evenly between `ports`: per request its latency (ms), and the wall time. Any answer but `201`
 * (or a failed request) ends the run: a store that cannot keep up is a result to see, not to
 * average over.
 */
async function post(ports, from, count, progress) {
  const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS }));
  const ms = new Float64Array(count);
  let next = 0;
  let problem = null;
  const one = (c, n) => new Promise((resolve) => {
    const body = summary(from + n);
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port: ports[c % ports.length], method: 'POST', path: '/collect',
      agent: agents[c % ports.length], timeout: 30_000,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 201) problem ??= `summary ${from + n}: ${res.statusCode} ${text.slice(0, 200)}`;
        ms[n] = performance.now() - started;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', (e) => { problem ??= `summary ${from + n}: ${e.message}`; resolve(); });
    req.end(body);
  });
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
    while (next < count && !problem) {
      const n = next++;
      await one(c, n);
      if (progress && (n + 1) % progress.every === 0) progress.report(n + 1, performance.now() - started);
    }
  }));
  const wall = performance.now() - started;
  agents.forEach((a) => a.destroy());
  if (problem) throw new Error(problem);
  return { ms, wall };
}

const collectors = (dbs) => Promise.all(dbs.map((db) => startCollector(['--listen', '127.0.0.1:0', '--api-token', TOKEN,
  '--db', db, '--root', ROOT, '--rate-limit', 'off'])));

let base = 1_000_000_000; // ids of the timed requests: apart from the fill's 0 … LEADS - 1
const runs = []; // one per measurement: { store, instances, leads, rate, p50, p99, load }

/** One measurement: warm-up, then REQUESTS timed, on collectors started on `dbs`. */
async function measure(store, instances, leads, dbs) {
  const running = await collectors(dbs);
  try {
    const ports = running.map((c) => c.port);
    await post(ports, base, WARMUP);
    const loadBefore = loadavg()[0];
    const { ms, wall } = await post(ports, base + WARMUP, REQUESTS);
    base += 10_000_000;
    const run = { store, instances, leads, rate: REQUESTS / (wall / 1000), p50: quantile(ms, 0.5), p99: quantile(ms, 0.99),
      load: [loadBefore, loadavg()[0]] };
    runs.push(run);
    console.log(`  ${store}, ${instances} collector${instances > 1 ? 's' : ''}, ${k(leads)} leads: ${run.rate.toFixed(0)}/s, ` +
      `p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms (1-min load ${run.load.map((l) => l.toFixed(2)).join(' → ')})`);
  } finally {
    await Promise.all(running.map((c) => c.stop()));
  }
}

/** Posts LEADS summaries through one collector on `db` (a fresh store), reporting the rate as it fills. */
async function fill(store, db) {
  const [collector] = await collectors([db]);
  try {
    console.log(`  filling ${store} with ${k(LEADS)} leads (POST /collect, ${CONNECTIONS} connections) …`);
    let last = { n: 0, t: 0 };
    const every = Math.max(1000, Math.round(LEADS / 10 / 1000) * 1000);
    const { wall } = await post([collector.port], 0, LEADS, { every, report: (n, t) => {
      console.log(`    ${k(n)}: ${((n - last.n) / ((t - last.t) / 1000)).toFixed(0)}/s over the last ${k(n - last.n)} (load ${load()})`);
      last = { n, t };
    } });
    console.log(`  filled in ${(wall / 1000).toFixed(0)} s (${(LEADS / (wall / 1000)).toFixed(0)}/s)`);
    return wall;
  } finally {
    await collector.stop();
  }
}

/** A copy of a SQLite store at rest (the collector stopped): the file, and its WAL if any. */
function copyStore(from, to) {
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}
const removeStore = (file) => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true }));

async function sqlite() {
  console.log('\nSQLite (one collector per file)');
  const filled = join(dir, 'filled.db');
  const wall = await fill('SQLite', filled);
  const count = execFileSync('sqlite3', [filled, 'SELECT count(*) FROM leads']).toString().trim();
  if (Number(count) !== LEADS) fail(`the filled SQLite store holds ${count} leads, not ${LEADS}`);
  console.log(`  ${count} leads, ${(statSync(filled).size / 1e6).toFixed(0)} MB`);
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(` round ${round} of ${ROUNDS}`);
    const empty = join(dir, `empty-${round}.db`);
    await measure('SQLite', 1, 0, [empty]);
    removeStore(empty);
    const full = join(dir, `full-${round}.db`);
    copyStore(filled, full);
    await measure('SQLite', 1, LEADS, [full]);
    removeStore(full);
  }
  return wall;
}

/** A throwaway cluster (tests/serve/pg-cluster.sh: fsync and synchronous_commit off). */
async function cluster() {
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port: p } = s.address(); s.close(() => resolve(p)); });
  });
  // NOTE: beside `dir`, not in it: the server runs as another user when we are root, and
  // mkdtemp's folder is ours alone. The script removes it when its stdin closes.
  const proc = spawn(join(ROOT, 'tests/serve/pg-cluster.sh'), [join(tmpdir(), `leadpulse-store-load-pg-${process.pid}`), String(port), PASSWORD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const ready = await new Promise((resolve) => {
    lines.once('line', (line) => resolve(line.trim() === 'ready'));
    proc.once('exit', () => resolve(false));
  });
  if (!ready) fail('tests/serve/pg-cluster.sh did not start a cluster (is PostgreSQL installed? make setup)');
  const sql = (command, db = 'postgres') => execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1',
    '-h', '127.0.0.1', '-p', String(port), '-U', 'leadpulse', '-d', db, '-c', command],
  { env: { ...process.env, PGPASSWORD: PASSWORD } }).toString().trim();
  const url = (db) => `postgres://leadpulse:${PASSWORD}@127.0.0.1:${port}/${db}`;
  const stop = () => new Promise((resolve) => { proc.once('exit', resolve); proc.stdin.end(); });
  return { sql, url, stop };
}

async function postgres() {
  console.log('\nPostgreSQL (a throwaway cluster: tests/serve/pg-cluster.sh)');
  const pg = await cluster();
  try {
    pg.sql('CREATE DATABASE filled');
    const wall = await fill('PostgreSQL', pg.url('filled'));
    const count = pg.sql('SELECT count(*) FROM leads', 'filled');
    if (Number(count) !== LEADS) fail(`the filled PostgreSQL database holds ${count} leads, not ${LEADS}`);
    // NOTE: what autovacuum does to a store that grew over weeks, done now, once: planner
    // statistics and the visibility map, copied with the database.
    pg.sql('VACUUM ANALYZE', 'filled');
    console.log(`  ${count} leads, ${pg.sql("SELECT pg_size_pretty(pg_database_size('filled'))")}`);
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(` round ${round} of ${ROUNDS}`);
      for (const leads of [0, LEADS]) {
        for (const instances of [1, 2]) {
          pg.sql(leads ? 'CREATE DATABASE measured TEMPLATE filled' : 'CREATE DATABASE measured');
          await measure('PostgreSQL', instances, leads, Array(instances).fill(pg.url('measured')));
          pg.sql('DROP DATABASE measured');
        }
      }
    }
    return wall;
  } finally {
    await pg.stop();
  }
}

const started = performance.now();
const startLoad = load();
console.log(`POST /collect: ${k(REQUESTS)} timed requests after ${k(WARMUP)} warm-up, ${CONNECTIONS} keep-alive connections, each a new lead; ` +
  `stores empty and holding ${k(LEADS)} leads (${BIN}; ${ROUNDS} rounds; load average at start ${startLoad}, 2 cores shared with the client)`);
const fills = {};
try {
  if (STORES.includes('sqlite')) fills.SQLite = await sqlite();
  if (STORES.includes('postgres')) fills.PostgreSQL = await postgres();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Per configuration, the median over rounds of each figure (taken apart), and the rates' range.
const configs = [];
for (const r of runs) {
  let c = configs.find((x) => x.store === r.store && x.instances === r.instances && x.leads === r.leads);
  if (!c) configs.push((c = { store: r.store, instances: r.instances, leads: r.leads, runs: [] }));
  c.runs.push(r);
}
for (const c of configs) {
  for (const f of ['rate', 'p50', 'p99']) c[f] = median(c.runs.map((r) => r[f]));
  c.range = `${Math.min(...c.runs.map((r) => r.rate)).toFixed(0)}–${Math.max(...c.runs.map((r) => r.rate)).toFixed(0)}`;
  const loads = c.runs.flatMap((r) => r.load);
  c.load = `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
}
const find = (store, instances, leads) => configs.find((c) => c.store === store && c.instances === instances && c.leads === leads);
const empty = (c) => find(c.store, c.instances, 0);
const single = (c) => find(c.store, 1, c.leads);
console.log(`\nsummaries/s and latency of POST /collect: ${k(REQUESTS)} requests, ${CONNECTIONS} connections, the median of ${ROUNDS} round${ROUNDS > 1 ? 's' : ''} ` +
  `(each figure apart; "range": the rounds' rates). "vs empty": the rate / the empty store's, target ≥ ${TARGET}; "2 vs 1": two collectors' rate / one's\n`);
table(configs, [
  ['store', (c) => c.store],
  ['collectors', (c) => (c.store === 'SQLite' ? '1 (one per file)' : String(c.instances))],
  ['leads', (c) => k(c.leads)],
  ['summaries/s', (c) => c.rate.toFixed(0)],
  ['range', (c) => c.range],
  ['p50 ms', (c) => c.p50.toFixed(2)],
  ['p99 ms', (c) => c.p99.toFixed(2)],
  ['vs empty', (c) => (c.leads ? (c.rate / empty(c).rate).toFixed(2) : '-')],
  ['2 vs 1', (c) => (c.instances === 2 ? (c.rate / single(c).rate).toFixed(2) : '-')],
  ['1-min load', (c) => c.load],
]);
for (const [store, wall] of Object.entries(fills)) console.log(`filling ${store} with ${k(LEADS)} leads: ${(wall / 1000).toFixed(0)} s`);
console.log(`whole run: ${((performance.now() - started) / 1000).toFixed(0)} s; load average (1/5/15 min) at the start ${startLoad}, at the end ${load()}`);

for (const c of configs) {
  const name = `store load: ${c.store}, ${c.instances} collector${c.instances > 1 ? 's' : ''}`;
  if (c.leads) {
    const e = empty(c);
    const ratio = c.rate / e.rate;
    record({ row: `${name}, summaries/s at ${k(c.leads)} leads vs empty`, ours: `${c.rate.toFixed(0)} (p99 ${c.p99.toFixed(1)} ms)`,
      peer: `${e.rate.toFixed(0)} (p99 ${e.p99.toFixed(1)} ms)`, ratio, budget: `≥ ${TARGET} (1-min load ${c.load})`, ok: ratio >= TARGET });
  }
  if (c.instances === 2) {
    const one = single(c);
    record({ row: `${name} vs 1, summaries/s at ${k(c.leads)} leads`, ours: c.rate.toFixed(0), peer: one.rate.toFixed(0),
      ratio: c.rate / one.rate, budget: `- (1-min load ${c.load})`, ok: null });
  }
}
