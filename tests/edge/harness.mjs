// Starts the real processes the edge tests and the load run talk to, on loopback only:
// `leadpulse serve` (origin + collector) and workerd. Every process is killed by its own handle.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const LEADPULSE = process.env.LEADPULSE_BIN ?? join(ROOT, 'target/release/leadpulse');
export const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
/** Long enough for the edge (≥ 16 chars); shared with the collector. */
export const SECRET = 'edge-test-secret-0123456789abcdef';

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

/** `leadpulse serve` on a free loopback port with a fresh database; resolves on its URL line. */
export async function startOrigin({ secret = SECRET, requireSignature = true, extra = [] } = {}) {
  if (!existsSync(LEADPULSE)) throw new Error(`${LEADPULSE} is missing: cargo build --release --features cli`);
  const dir = mkdtempSync(join(tmpdir(), 'leadpulse-edge-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--api-token', API_TOKEN, '--root', ROOT, '--db', join(dir, 'leads.db'), '--rate-limit', 'off',
    ...(requireSignature ? ['--require-signature'] : []), ...extra];
  const proc = spawn(LEADPULSE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LEADPULSE_SIGNING_SECRET: secret } });
  const url = await started(proc, 'leadpulse serve',
    (log) => /leadpulse serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)?.[1], [proc.stdout, proc.stderr]);
  const stop = stopper(proc);
  return {
    url, proc, port: Number(new URL(url).port),
    async leads() {
      const response = await fetch(`${url}/api/leads`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      return (await response.json()).leads;
    },
    stop: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
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
