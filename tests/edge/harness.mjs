// Starts the real processes the edge tests and the load run talk to, on loopback only:
// `leadpulse serve` (origin + collector) and workerd. Every process is killed by its own handle.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const LEADPULSE = process.env.LEADPULSE_BIN ?? join(ROOT, 'target/release/leadpulse');
export const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
/** The edge's cookie secret (≥ 16 chars): the workers' alone, never the collector's. */
export const COOKIE_SECRET = 'edge-test-cookie-secret-0123456789';
/** Signs summaries: the workers' LEADPULSE_SIGNING_SECRET and the collector's --signing-secret. */
export const SIGNING_SECRET = 'edge-test-signing-secret-0123456789';
/** The environment the test workers read both secrets from (tests/edge/config.capnp). */
export const WORKER_SECRETS = { LEADPULSE_COOKIE_SECRET: COOKIE_SECRET, LEADPULSE_SIGNING_SECRET: SIGNING_SECRET };

function started(proc, name, parse, streams) {
  let feed;
  const promise = new Promise((resolvePromise, reject) => {
    let log = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${name} did not start in time:\n${log}`)), 20000);
    function finish(error, value) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) { proc.kill('SIGKILL'); reject(error); } else resolvePromise(value);
    }
    proc.on('exit', (code) => finish(new Error(`${name} exited (${code}) before it was ready:\n${log}`)));
    feed = (chunk) => {
      log += chunk;
      if (process.env.EDGE_TEST_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
      const value = parse(log);
      if (value) finish(null, value);
    };
  });
  for (const stream of streams) stream.on('data', (chunk) => feed(String(chunk)));
  return promise;
}

function stopper(proc) {
  return () => new Promise((resolvePromise) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolvePromise();
    proc.once('exit', () => resolvePromise());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
  });
}

/** The collector's API token in these tests. */
export const API_TOKEN = 'edge-api-token-0123456789';

/**
 * `leadpulse serve` on a loopback port (`port`, default any free one) with the database in
 * `dir` (default a fresh temporary folder, removed by stop() unless `keep`); resolves on its
 * URL line. The same `port` and `dir` again restart the same collector.
 */
export async function startOrigin({ secret = SIGNING_SECRET, requireSignature = true, extra = [], port = 0, dir } = {}) {
  if (!existsSync(LEADPULSE)) throw new Error(`${LEADPULSE} is missing: cargo build --release -p leadpulse-cli`);
  const own = !dir;
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'leadpulse-edge-'));
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--api-token', API_TOKEN, '--root', ROOT, '--db', join(folder, 'leads.db'), '--rate-limit', 'off',
    ...(requireSignature ? ['--require-signature'] : []), ...extra];
  const proc = spawn(LEADPULSE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LEADPULSE_SIGNING_SECRET: secret } });
  let log = '';
  proc.stdout.on('data', (chunk) => { log += chunk; });
  proc.stderr.on('data', (chunk) => { log += chunk; });
  const url = await started(proc, 'leadpulse serve',
    (text) => /leadpulse serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(text)?.[1], [proc.stdout, proc.stderr]);
  const stop = stopper(proc);
  const api = async (path) => {
    const response = await fetch(`${url}/api${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    if (!response.ok) throw new Error(`GET /api${path}: ${response.status}`);
    return response.json();
  };
  return {
    url, proc, dir: folder, port: Number(new URL(url).port), log: () => log,
    /** GET /api/leads: one row per visitor with its latest revision. */
    async leads() {
      return (await api('/leads')).leads;
    },
    /** GET /api/leads/{id}: the lead, every revision received, its history. */
    lead: (id) => api(`/leads/${id}`),
    /** The lead of summary visitor `visitor`, or null. */
    async leadOf(visitor) {
      return (await this.leads()).find((lead) => lead.visitor === visitor) ?? null;
    },
    stop: async ({ keep = false } = {}) => { await stop(); if (own && !keep) rmSync(folder, { recursive: true, force: true }); },
  };
}

/** A loopback port that was free a moment ago (for a service that starts later). */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * `workerd serve CONFIG` with every named socket on an ephemeral loopback port (reported on the
 * control fd) and external services pointed at `external` addresses.
 */
export async function startWorkerd({ config, sockets, external = {}, env = {} }) {
  const args = ['serve', config, '--control-fd', '3'];
  for (const name of sockets) args.push('--socket-addr', `${name}=127.0.0.1:0`);
  for (const [name, address] of Object.entries(external)) args.push('--external-addr', `${name}=${address}`);
  const proc = spawn(WORKERD, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let logs = '';
  proc.stdout.on('data', (chunk) => { logs += chunk; });
  proc.stderr.on('data', (chunk) => { logs += chunk; });
  const ports = await started(proc, 'workerd', (log) => {
    const found = {};
    for (const line of log.split('\n')) {
      try {
        const message = JSON.parse(line);
        if (message.event === 'listen') found[message.socket] = message.port;
      } catch { /* partial line */ }
    }
    return sockets.every((name) => found[name]) ? found : null;
  }, [proc.stdio[3]]);
  const urls = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
  return { proc, ports, urls, logs: () => logs, stop: stopper(proc) };
}

export function sleep(ms) {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then returns the last value). */
export async function eventually(check, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  let value = await check();
  while (!value && Date.now() < end) {
    await sleep(100);
    value = await check();
  }
  return value;
}
