// Row 3: what the embed costs a page before it is ready, in headless Chromium, against posthog-js.
//   make pkg && node benches/chromium-start.mjs [runs=15]
//
// Median over N cold loads (a fresh browser context each: no HTTP or code cache) of the time
// from navigation start (performance.now() = 0) to:
//   empty    the first line of a module script on an otherwise empty page: the page's own cost;
//   ours     `window.leadpulse.ready` resolving, on a page with just the one-tag embed
//            (fetch leadpulse.js + glue + wasm, compile, start, first snapshot);
//   posthog  posthog-js's `loaded` callback, on a page loading dist/array.js (the file its
//            snippet loads) with a plain script tag, then posthog.init() with api_host at a dummy
//            endpoint of this server, autocapture off, no session recording, memory persistence.
// Reported: ours − empty and posthog − empty (medians), and their ratio. The three pages are
// loaded in turn in each round, so a slow moment of the machine hits all three.
// Everything is served by this script on 127.0.0.1; the dummy endpoint answers `{}` to posthog's
// calls (flags, config, events) and serves its lazily loaded files from node_modules.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { fail, median, record, table } from './common.mjs';

const runs = Number(process.argv[2] ?? 15);
const root = fileURLToPath(new URL('..', import.meta.url));
const posthogDist = join(root, 'node_modules/posthog-js/dist');
const BUDGET_MS = 30;
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

const pages = {
  '/empty.html': `<!doctype html><script type="module" src="/empty.js"></script>`,
  '/empty.js': `window.__result = { ms: performance.now(), ok: true };`,
  '/ours.html': `<!doctype html><script type="module" src="/pkg/leadpulse.js" data-ignore-webdriver data-consent="pending"></script>
    <script type="module">
      const wait = () => window.leadpulse
        ? window.leadpulse.ready.then((snap) => { window.__result = { ms: performance.now(), ok: typeof snap?.score === 'number' }; })
        : setTimeout(wait, 1);
      wait();
    </script>`,
  '/posthog.html': `<!doctype html><script src="/ph/static/array.js"></script>
    <script>
      posthog.init('phc_bench', {
        api_host: location.origin + '/ph', autocapture: false, disable_session_recording: true, persistence: 'memory',
        loaded: (ph) => { window.__result = { ms: performance.now(), ok: typeof ph.get_distinct_id() === 'string' }; },
      });
    </script>`,
};

const posthogCalls = new Set();
const send = async (res, file) => {
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
};
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (pages[path]) {
    res.writeHead(200, { 'content-type': types[extname(path)] });
    return res.end(pages[path]);
  }
  if (path.startsWith('/pkg/')) {
    const file = normalize(join(root, path));
    return file.startsWith(join(root, 'pkg')) ? send(res, file) : res.writeHead(404).end();
  }
  if (path.startsWith('/ph/')) posthogCalls.add(path);
  if (path.startsWith('/ph/static/')) {
    const file = normalize(join(posthogDist, path.slice('/ph/static/'.length)));
    return file.startsWith(posthogDist) ? send(res, file) : res.writeHead(404).end();
  }
  if (path.startsWith('/ph/')) { // the dummy PostHog API: flags, remote config, event batches
    req.resume();
    res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'application/json' });
    return res.end(path.endsWith('.js') ? '' : '{}');
  }
  res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const names = ['empty', 'ours', 'posthog'];
const times = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (let i = 0; i < runs + 1; i++) { // round 0 warms up the browser process and the server
    for (const name of names) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/${name}.html`);
      const result = await page.waitForFunction(() => window.__result, null, { timeout: 15_000 })
        .then((h) => h.jsonValue())
        .catch(() => fail(`${name}: never ready (${errors.join('; ') || 'no page error'})`));
      if (!result.ok) fail(`${name}: started without a result (${errors.join('; ')})`);
      if (i > 0) times[name].push(result.ms);
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}

const m = Object.fromEntries(names.map((n) => [n, median(times[n])]));
const ours = m.ours - m.empty;
const posthog = m.posthog - m.empty;
console.log(`Chromium cold loads (${runs} each, fresh context), navigation start → ready, median:`);
table(names.map((n) => ({ n, ms: m[n], min: Math.min(...times[n]) })), [
  ['page', (r) => r.n], ['median ms', (r) => r.ms.toFixed(1)], ['min ms', (r) => r.min.toFixed(1)], ['minus empty', (r) => (r.ms - m.empty).toFixed(1)],
]);
console.log(`tag ready minus empty page: ours ${ours.toFixed(1)} ms, posthog-js ${posthog.toFixed(1)} ms, ratio ${(ours / posthog).toFixed(2)}; budget ≤ ${BUDGET_MS} ms: ${ours <= BUDGET_MS ? 'within' : 'OVER'}`);
console.log(`posthog-js asked the dummy endpoint for: ${[...posthogCalls].sort().join(', ')}`);
record({ row: 'tag ready − empty page, ms vs posthog-js', ours: ours.toFixed(1), peer: posthog.toFixed(1), ratio: ours / posthog, budget: `≤ ${BUDGET_MS} ms`, ok: ours <= BUDGET_MS });
