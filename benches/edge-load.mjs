// Edge load run (benches/edge-load.sh), loopback only, bounded, stops by itself.
// 1. autocannon (CONNECTIONS × DURATION s per scenario) through real workerd in front of a
//    static origin (benches/edge-origin.mjs: www/ and a /collect stub): the example worker,
//    LeadPulse without HTMLRewriter ("score only"), and a pass-through worker (baseline).
//    requests/s, latency p50/p99, and workerd CPU per request = /proc/<pid>/stat utime+stime
//    delta / responses (mean, 10 ms ticks).
// 2. per-request workerd CPU distribution: SAMPLES sequential requests per worker, each
//    measured as the delta of all workerd threads' on-CPU time (/proc/<pid>/task/*/schedstat, ns);
//    p50/p99, and LeadPulse's share as the difference to the baseline.
//
// 3. the headline (row 5 of benches/run.sh): the example worker, returning visitor, over the
//    pass-through worker: p50 and p99 of its CPU distribution minus the baseline's (a difference
//    of percentiles, not a percentile of differences: the samples are not paired).
//
//   DURATION=10 CONNECTIONS=10 SAMPLES=500 node benches/edge-load.mjs   (make bench: 5 s, 300)
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

import { WORKER_SECRETS, startWorkerd } from '../tests/edge/harness.mjs';
import { record } from './common.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const SAMPLES = Number(process.env.SAMPLES ?? 500);
const BUDGET_MS = 0.5;
const CLK_TCK = 100; // USER_HZ on Linux
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

/** The workerd process itself (the npm bin may be a wrapper that spawns it). */
function workerdPid(pid) {
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (comm.startsWith('workerd')) return pid;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('workerd')) return Number(entry);
    } catch { /* process went away */ }
  }
  return pid;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
}

async function run(name, url, headers, pid) {
  const ticks = cpuTicks(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  const cpu = (cpuTicks(pid) - ticks) / CLK_TCK;
  const responses = result.requests.total;
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerReqUs: responses ? (cpu / responses) * 1e6 : NaN,
    responses,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

function table(rows, columns) {
  const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((r) => String(get(r)).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(line(columns.map(([title]) => title)));
  for (const row of rows) console.log(line(columns.map(([, get]) => get(row))));
}

/** Nanoseconds all threads of `pid` have been on a CPU. */
function onCpuNs(pid) {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* thread exited */ }
  }
  return total;
}

async function cpuDistribution(name, url, headers, pid) {
  const samples = [];
  for (let i = 0; i < SAMPLES + 50; i += 1) {
    const before = onCpuNs(pid);
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    const used = onCpuNs(pid) - before;
    if (i >= 50) samples.push(used / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(samples.length * q))];
  return { name, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** benches/edge-origin.mjs in its own process; resolves with its port and a stop function. */
async function startOrigin() {
  const proc = spawn(process.execPath, [new URL('./edge-origin.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /edge-origin: http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`edge-origin exited (${code}) before it was ready`)));
  });
  return { port, stop: () => new Promise((resolve) => { proc.once('exit', resolve); proc.kill('SIGTERM'); }) };
}

const origin = await startOrigin();
const edge = await startWorkerd({
  config: 'benches/edge-load.capnp',
  sockets: ['leadpulse', 'scoreonly', 'baseline'],
  external: { origin: `127.0.0.1:${origin.port}` },
  env: WORKER_SECRETS,
});
try {
  const pid = workerdPid(edge.proc.pid);
  const page = '/pricing';
  // A returning visitor: the cookie after a few visits (the same cookie on every request, so
  // each request restores, scores, re-saves and re-signs the same state).
  let cookie = '';
  for (let i = 0; i < 3; i += 1) {
    const response = await fetch(edge.urls.leadpulse + page, { headers: { 'user-agent': UA, ...(cookie ? { cookie } : {}) } });
    await response.text();
    if (!response.ok || !response.headers.getSetCookie()[0]) throw new Error(`the example worker answered ${response.status} without a state cookie`);
    cookie = response.headers.getSetCookie()[0].split(';')[0];
  }
  const base = { 'user-agent': UA, accept: 'text/html' };
  const rows = [];
  rows.push(await run('baseline (pass-through worker)', edge.urls.baseline + page, base, pid));
  rows.push(await run('leadpulse score only, returning', edge.urls.scoreonly + page, { ...base, cookie }, pid));
  rows.push(await run('leadpulse example, returning', edge.urls.leadpulse + page, { ...base, cookie }, pid));
  rows.push(await run('leadpulse example, new visitor', edge.urls.leadpulse + page, base, pid));

  console.log(`\nedge load: GET through workerd → static origin, ${CONNECTIONS} connections × ${DURATION} s each, loopback; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores (shared with autocannon and the origin)`);
  table(rows, [
    ['scenario', (r) => r.name],
    ['req/s', (r) => r.rps.toFixed(0)],
    ['p50 ms', (r) => r.p50.toFixed(1)],
    ['p99 ms', (r) => r.p99.toFixed(1)],
    ['workerd CPU/req µs', (r) => r.cpuPerReqUs.toFixed(0)],
    ['responses', (r) => r.responses],
    ['non-2xx/errors', (r) => r.bad],
  ]);

  const dist = [
    await cpuDistribution('baseline (pass-through worker)', edge.urls.baseline + page, base, pid),
    await cpuDistribution('leadpulse score only, returning visitor', edge.urls.scoreonly + page, { ...base, cookie }, pid),
    await cpuDistribution('leadpulse example, returning visitor', edge.urls.leadpulse + page, { ...base, cookie }, pid),
    await cpuDistribution('leadpulse example, new visitor', edge.urls.leadpulse + page, base, pid),
  ];
  console.log(`\nworkerd CPU per request (all threads, schedstat), ${SAMPLES} sequential requests each:`);
  table(dist, [
    ['scenario', (r) => r.name],
    ['p50 µs', (r) => r.p50.toFixed(0)],
    ['p90 µs', (r) => r.p90.toFixed(0)],
    ['p99 µs', (r) => r.p99.toFixed(0)],
    ['mean µs', (r) => r.mean.toFixed(0)],
  ]);
  const added = (r) => `p50 ${(r.p50 - dist[0].p50).toFixed(0)} µs, p99 ${(r.p99 - dist[0].p99).toFixed(0)} µs`;
  console.log(`over baseline: score only ${added(dist[1])}; example ${added(dist[2])}; new visitor ${added(dist[3])}`);
  const p50 = (dist[2].p50 - dist[0].p50) / 1000;
  const p99 = (dist[2].p99 - dist[0].p99) / 1000;
  console.log(`LeadPulse CPU per request over pass-through: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (example worker, returning visitor; budget p99 ≤ ${BUDGET_MS} ms: ${p99 <= BUDGET_MS ? 'within' : 'OVER'})`);
  record({ row: 'edge CPU/request over pass-through, ms', ours: `p50 ${p50.toFixed(3)} p99 ${p99.toFixed(3)}`,
    peer: `p50 ${(dist[0].p50 / 1000).toFixed(3)} p99 ${(dist[0].p99 / 1000).toFixed(3)}`, ratio: dist[2].p99 / dist[0].p99,
    budget: `p99 ≤ ${BUDGET_MS} ms`, ok: p99 <= BUDGET_MS });
  const bad = rows.filter((r) => r.bad > 0);
  if (bad.length) {
    console.error(`FAIL: non-2xx responses or errors in: ${bad.map((r) => r.name).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await edge.stop();
  await origin.stop();
}
