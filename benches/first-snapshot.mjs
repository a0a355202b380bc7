// Time from script start to the first snapshot in headless Chromium, pages and package served
// from 127.0.0.1 (local files). Median of N cold loads (fresh browser context each):
//   static   a module whose static imports (the glue) are loaded before it starts: wasm fetch
//            + compile, the built-in model's validation, one page view scored;
//   engine   the same with a dynamic import, so the glue's fetch counts too;
//   tracker  the one-tag embed (`<script type="module" src="/pkg/leadpulse.js" …>`) until
//            `leadpulse.ready` resolves, measured from navigation start.
// Usage: make pkg && node benches/first-snapshot.mjs [runs=15]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const runs = Number(process.argv[2] ?? 15);
const root = fileURLToPath(new URL('..', import.meta.url));
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };
const pages = {
  '/static.html': `<!doctype html><script type="module" src="/static.js"></script>`,
  '/static.js': `import init, { Scorer } from '/pkg/index.js';
    const t0 = performance.now();
    await init();
    const snap = new Scorer().session('bench').track({ type: 'page', properties: { path: '/pricing' } });
    window.__result = { ms: performance.now() - t0, score: snap.score };`,
  '/engine.html': `<!doctype html><script type="module" src="/engine.js"></script>`,
  '/engine.js': `const t0 = performance.now();
    const { default: init, Scorer } = await import('/pkg/index.js');
    await init();
    const snap = new Scorer().session('bench').track({ type: 'page', properties: { path: '/pricing' } });
    window.__result = { ms: performance.now() - t0, score: snap.score };`,
  '/tracker.html': `<!doctype html><script type="module" src="/pkg/leadpulse.js" data-ignore-webdriver data-consent="pending"></script>
    <script type="module" src="/tracker-wait.js"></script>`,
  '/tracker-wait.js': `const wait = () => window.leadpulse ? window.leadpulse.ready.then((snap) => {
      window.__result = { ms: performance.now(), score: snap && snap.score };
    }) : setTimeout(wait, 1);
    wait();`,
};

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (pages[path]) {
    res.writeHead(200, { 'content-type': types[extname(path)] });
    return res.end(pages[path]);
  }
  const file = normalize(join(root, path));
  if (!path.startsWith('/pkg/') || !file.startsWith(join(root, 'pkg'))) return res.writeHead(404).end();
  try {
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const name of ['static', 'engine', 'tracker']) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${base}/${name}.html`);
      const result = await page.waitForFunction(() => window.__result, null, { timeout: 10_000 }).then((h) => h.jsonValue());
      if (typeof result.score !== 'number') throw new Error(`${name}: no snapshot`);
      times.push(result.ms);
      await context.close();
    }
    console.log(`${name.padEnd(8)} script start → first snapshot: median ${median(times).toFixed(1)} ms, min ${Math.min(...times).toFixed(1)} ms (${runs} cold loads)`);
  }
} finally {
  await browser.close();
  server.close();
}
