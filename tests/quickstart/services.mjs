// What a site owner's quick start runs against, on loopback: a plain static file server (not
// `leadpulse serve`), the collector, a webhook receiver sales would have, and the browser.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { stopProcess, startCollector } from '../../scripts/collector.mjs';

export { launchBrowser, newVisitor } from '../e2e/harness.mjs';

export const API_TOKEN = 'quickstart-api-token-0123456789';
export const WEBHOOK_SECRET = 'quickstart-webhook-secret-0123';

/** A free loopback port (taken, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until truthy; throws naming `what` after `ms`. */
export async function until(check, what, ms = 15000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** `python3 -m http.server` over `dir` (on `port`, or any): the plainest static host there is. */
export async function staticServer(dir, port) {
  port ??= await freePort();
  const proc = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(url + '/').catch(() => null))?.status !== undefined, `the static server on ${url}`);
  return { url, port, stop: () => stopProcess(proc) };
}

/** An HTTP receiver for the collector's webhook and Slack pushes: every POST, with its time. */
export async function receiver() {
  const hooks = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ at: performance.now(), path: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, hooks, stop: () => new Promise((r) => server.close(r)) };
}

/** The collector for a site on `origin`, pushing to `hooks`, checking the site's `model`. */
export function collector({ db, origin, hooks, model, extra = [] }) {
  mkdirSync(db + '.root', { recursive: true }); // serves no site: the site is on its own host
  return startCollector(['--listen', '127.0.0.1:0', '--db', db, '--root', db + '.root', '--api-token', API_TOKEN,
    '--rate-limit', 'off', '--model', model, '--owner', 'ana',
    ...(origin ? ['--allow-origin', origin] : []),
    ...(hooks ? ['--webhook', `${hooks}/hook`, '--webhook-secret', WEBHOOK_SECRET] : []), ...extra]);
}

/** The leads the collector lists. */
export async function leads(collectorUrl) {
  const r = await fetch(`${collectorUrl}/api/leads?limit=1000`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  if (!r.ok) throw new Error(`GET /api/leads: ${r.status}`);
  return (await r.json()).leads;
}

/** Every URL a browser context requested (to show no personal data travelled in one). */
export function urlsOf(context) {
  const urls = [];
  context.on('request', (r) => urls.push(r.url()));
  return urls;
}
