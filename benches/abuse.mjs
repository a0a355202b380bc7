#!/usr/bin/env node
// The collector under abuse (issue 16), bounded: (A) 2,000 idle sockets — 1,000 silent, 1,000
// that sent only an HTTP/2 preface — from ten other loopback addresses while 400 ordinary
// requests are timed, against the same 400 with no idle sockets; (B) one webhook that answers
// only after 30 s beside a fast Slack-like receiver, 40 SQLs posted: the time from each SQL's
// 201 to its arrival at the fast receiver. Reports p50/p99; asserts nothing (benches/README.md).
//
//   cargo build --release -p leadpulse-cli && node benches/abuse.mjs
//   LEADPULSE_BIN=/path/to/another/leadpulse node benches/abuse.mjs   # the same load, another build
//   ABUSE_ONLY=A ABUSE_REQUESTS=20 node benches/abuse.mjs              # one part (A or B), fewer requests
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, startCollector } from '../scripts/collector.mjs';
import { quantile, table } from './common.mjs';

const IDLE = 2000;
const REQUESTS = Number(process.env.ABUSE_REQUESTS || 400);
const SQLS = 40;
const SLOW_MS = 30_000;
const TOKEN = 'abuse-bench-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'leadpulse-abuse-'));
const valid = readFileSync(join(ROOT, 'tests/fixtures/summary/valid.json'), 'utf8');
const summary = (n) => valid.replace('"anon-42"', `"abuse-${n}"`).replace(/"id": ?"lp_[0-9a-f]+"/, `"id":"lp_${(0xab0000 + n).toString(16).padStart(16, '0')}"`);

/** One request on a fresh connection (no keep-alive): ms, or null when it failed (10 s). */
function timed(port, method, path, body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, timeout: 10_000,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode < 500 ? performance.now() - started : null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end(body);
  });
}

async function ordinary(port, from) {
  const ms = [];
  for (let i = 0; i < REQUESTS; i++) {
    ms.push(i % 2 ? await timed(port, 'GET', '/') : await timed(port, 'POST', '/collect', summary(from + i)));
  }
  return ms;
}

function stats(name, ms) {
  const ok = ms.filter((m) => m !== null);
  return { name, n: ms.length, failed: ms.length - ok.length, p50: ok.length ? quantile(ok, 0.5) : NaN, p99: ok.length ? quantile(ok, 0.99) : NaN };
}

/** Opens `IDLE` sockets from 127.0.0.2 … 127.0.0.11, 100 at a time; half send an HTTP/2
 *  preface. A connect not done in 3 s (a server that stopped accepting) is left pending. */
async function idleSockets(port) {
  let closedByServer = 0;
  const sockets = [];
  for (let batch = 0; batch < IDLE; batch += 100) {
    sockets.push(...await Promise.all(Array.from({ length: Math.min(100, IDLE - batch) }, (_, k) => new Promise((resolve) => {
      const i = batch + k;
      const s = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 10)}` }, () => {
        if (i % 2) s.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
        resolve(s);
      });
      s.on('error', () => resolve(s));
      s.on('close', () => { closedByServer += 1; });
      setTimeout(() => resolve(s), 3000);
    }))));
  }
  return { sockets, closed: () => closedByServer };
}

/** Connections the server holds on `port` (Linux `ss`): what the idle sockets still cost it. */
function held(port) {
  try {
    const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]).toString();
    return String(out.split('\n').filter(Boolean).length);
  } catch {
    return '? (no ss)';
  }
}

async function partA() {
  const collector = await startCollector(['--listen', '127.0.0.1:0', '--api-token', TOKEN, '--db', join(dir, 'a.db'), '--root', ROOT, '--rate-limit', 'off']);
  try {
    const quiet = stats('no idle sockets', await ordinary(collector.port, 0));
    const opened = performance.now();
    const idle = await idleSockets(collector.port);
    const loaded = stats(`${IDLE} idle sockets open`, await ordinary(collector.port, 10_000));
    const during = held(collector.port);
    while (idle.closed() < IDLE && performance.now() - opened < 30_000) await new Promise((resolve) => setTimeout(resolve, 100));
    const after = ((performance.now() - opened) / 1000).toFixed(1);
    console.log(`\n(A) ordinary requests, each on a new connection (${REQUESTS}: GET / and POST /collect alternately)\n`);
    table([quiet, loaded], [['', (r) => r.name], ['requests', (r) => r.n], ['failed', (r) => r.failed],
      ['p50 ms', (r) => r.p50.toFixed(2)], ['p99 ms', (r) => r.p99.toFixed(2)]]);
    console.log(`\nconnections the server held after the timed requests: ${during}; ${after} s after the idle sockets were opened: ${held(collector.port)}`);
    console.log(`idle sockets the client saw closed by then: ${idle.closed()} of ${IDLE}`);
    idle.sockets.forEach((s) => s.destroy());
  } finally {
    await collector.stop();
  }
}

async function partB() {
  const fast = new Map(); // summary id → arrival time
  let slowArrived = 0;
  const receivers = [];
  const listen = (handler) => new Promise((resolve) => {
    const server = http.createServer(handler);
    receivers.push(server);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
  const slowPort = await listen((req, res) => { req.resume(); slowArrived += 1; setTimeout(() => res.writeHead(200).end(), SLOW_MS); });
  const fastPort = await listen((req, res) => {
    const id = req.headers['idempotency-key'];
    req.resume();
    req.on('end', () => { if (!fast.has(id)) fast.set(id, performance.now()); res.writeHead(200).end(); });
  });
  const collector = await startCollector(['--listen', '127.0.0.1:0', '--api-token', TOKEN, '--db', join(dir, 'b.db'), '--root', ROOT, '--rate-limit', 'off',
    '--webhook', `http://127.0.0.1:${slowPort}/hook`, '--webhook-secret', 'abuse-bench-webhook-secret', '--slack', `http://127.0.0.1:${fastPort}/slack`]);
  try {
    const stored = new Map();
    for (let n = 0; n < SQLS; n++) {
      const body = summary(20_000 + n);
      await timed(collector.port, 'POST', '/collect', body);
      stored.set(JSON.parse(body).id, performance.now());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const deadline = performance.now() + 90_000;
    while (fast.size < SQLS && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const delays = [...stored].map(([id, at]) => (fast.has(id) ? fast.get(id) - at : null));
    const s = stats('fast receiver', delays);
    console.log(`\n(B) ${SQLS} SQLs, 100 ms apart; a webhook answering after ${SLOW_MS / 1000} s beside a fast Slack-like receiver\n`);
    table([s], [['', (r) => r.name], ['SQLs', (r) => r.n], ['not delivered in 90 s', (r) => r.failed],
      ['p50 ms', (r) => r.p50.toFixed(1)], ['p99 ms', (r) => r.p99.toFixed(1)]]);
    console.log(`\nrequests the slow webhook had received by then: ${slowArrived}`);
  } finally {
    await collector.stop();
    receivers.forEach((r) => r.closeAllConnections?.());
    await Promise.all(receivers.map((r) => new Promise((resolve) => r.close(resolve))));
  }
}

const only = process.env.ABUSE_ONLY;
try {
  if (only !== 'B') await partA();
  if (only !== 'A') await partB();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
