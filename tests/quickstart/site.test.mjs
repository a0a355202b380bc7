// README's quick starts for a site, as its owner would follow them: the package installed from
// the packed tarball into a project outside this repository, the model compiled, the page (or
// the bundle: Vite, webpack, esbuild) served by a plain static file server, in real Chromium,
// against the real collector. The model is the project's own (tests/quickstart/model.json), so
// scoring with any other model cannot pass: its rules have their own ids and points.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LEADS, MODEL, project } from './project.mjs';
import { collector, freePort, launchBrowser, newVisitor, staticServer, until } from './services.mjs';


let browser;
const cleanup = [];
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const stop of cleanup.reverse()) await stop();
});

/**
 * Quick start `name` set up against its own collector and served (its `served` folder) by a
 * static server. `own`: the site's own files the docs leave to it.
 */
async function site(name, { served = 'public', own = {}, edit } = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const sales = await collector({ db: join(mkdtempSync(join(tmpdir(), 'leadpulse-qs-db-')), 'leads.db'), origin, model: MODEL });
  cleanup.push(sales.stop);
  const { dir } = await project(name, { [LEADS]: sales.url }, own);
  edit?.(dir);
  const host = await staticServer(join(dir, served), port);
  cleanup.push(host.stop);
  return { dir, url: host.url, sales };
}

/** The tracker's first snapshot on `url`, or the Error `ready` rejected with. */
async function firstSnapshot(page, url) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => Boolean(window.leadpulse && window.leadpulse.ready));
  const result = await page.evaluate(() => window.leadpulse.ready.then((s) => ({ snapshot: s }), (e) => ({ error: e.message, name: e.name })));
  return { ...result, errors };
}

describe('script tag (README "Script tag")', () => {
  test('the page scores with the site\'s own model', async () => {
    const { url } = await site('script-tag');
    const context = await newVisitor(browser);
    const page = await context.newPage();
    const { snapshot, error, errors } = await firstSnapshot(page, `${url}/index.html`);
    assert.equal(error, undefined, error);
    assert.deepEqual(snapshot.reasons, [{ rule: 'acme_landing', points: 7 }], 'the custom model, not the built-in one');
    assert.deepEqual(errors, []);
    await context.close();
  });

  // A site's model is used, or nothing is: never the built-in model in silence.
  for (const [what, model, message] of [
    ['a model document where a compiled model is expected', '/model.json', /model document \(JSON\).*npx leadpulse compile/],
    ['a broken compiled model', '/broken.lpm', /cannot be used.*npx leadpulse compile/],
    ['a model that is not there (404)', '/missing.lpm', /HTTP 404/],
  ]) {
    test(`${what}: ready rejects naming the fix, an error event, nothing scored or sent`, async () => {
      const { url, sales } = await site('script-tag', {
        own: { 'public/model.json': readFileSync(MODEL, 'utf8'), 'public/broken.lpm': 'TFBNnot-a-model' },
        edit: (dir) => {
          const page = readFileSync(join(dir, 'public/index.html'), 'utf8');
          assert.ok(page.includes('data-model="/model.lpm"'));
          writeFileSync(join(dir, 'public/index.html'), page.replace('data-model="/model.lpm"', `data-model="${model}"`));
        },
      });
      const context = await newVisitor(browser);
      const collected = [];
      context.on('request', (r) => { if (r.url().startsWith(sales.url)) collected.push(r.url()); });
      const page = await context.newPage();
      // NOTE: the listener is attached the moment the tag assigns `window.leadpulse` (before
      // its model request can fail): polling for it could attach after a fast 404's event.
      await page.addInitScript(() => {
        window.__errors = [];
        let api;
        Object.defineProperty(window, 'leadpulse', {
          configurable: true,
          get: () => api,
          set: (value) => {
            api = value;
            value.on('error', (e) => window.__errors.push(e.message));
          },
        });
      });
      const { snapshot, error, name } = await firstSnapshot(page, `${url}/index.html`);
      assert.equal(snapshot, undefined, 'nothing scored with another model');
      assert.equal(name, 'LeadPulseStartError');
      assert.match(error, message);
      assert.equal(await page.evaluate(() => window.leadpulse.snapshot()), null);
      await until(() => page.evaluate(() => window.__errors.length > 0), 'the error event');
      await page.evaluate(() => window.leadpulse.track('Demo Requested'));
      assert.equal(await page.evaluate(() => window.leadpulse.snapshot()), null, 'tracking stays off');
      assert.deepEqual(collected, [], 'nothing sent');
      await context.close();
    });
  }
});

/** A bundled page: the title the quick start's main.js sets once the tracker is ready. */
async function bundledTitle(url) {
  const context = await newVisitor(browser);
  const page = await context.newPage();
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  // NOTE: the browser's own favicon request is the only one a plain site may leave unanswered.
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${r.url()}`); });
  page.on('console', (m) => { if (m.type() === 'warning' || (m.type() === 'error' && !/status of 404/.test(m.text()))) failed.push(m.text()); });
  await page.goto(url);
  const title = await until(async () => { const t = await page.title(); return t.includes('·') ? t : null; }, 'the tracker ready in the bundle', 15000)
    .catch((e) => { throw new Error(`${e.message}; ${failed.join('; ')}`); });
  await context.close();
  return { title, failed };
}

describe('bundlers (README "Bundlers")', () => {
  const page = (src, type = 'module') => `<!doctype html><html><head><meta charset="utf-8"><script type="${type}" src="${src}"></script></head><body>Acme</body></html>`;

  test('esbuild, with the one flag the README names', async () => {
    const { url } = await site('esbuild', { own: { 'public/index.html': page('/dist/main.js') } });
    const { title, failed } = await bundledTitle(`${url}/index.html`);
    assert.equal(title, 'visitor · 7', 'the custom model scored the landing page');
    assert.deepEqual(failed, []);
  });

  test('Vite, served as built (the wasm from the installed package, nothing copied by hand)', async () => {
    const { url } = await site('vite', { served: 'dist', own: { 'index.html': page('/src/main.js') } });
    const { title, failed } = await bundledTitle(`${url}/index.html`);
    assert.equal(title, 'visitor · 7');
    assert.deepEqual(failed, []);
  });

  test('webpack, served as built', async () => {
    const { url } = await site('webpack', { own: { 'public/index.html': page('/dist/main.js', 'text/javascript') } });
    const { title, failed } = await bundledTitle(`${url}/index.html`);
    assert.equal(title, 'visitor · 7');
    assert.deepEqual(failed, []);
  });
});

test('every quick-start block in the docs belongs to a quick start these tests run', async () => {
  const { snippets } = await import('./snippets.mjs');
  const run = new Set(['all', 'script-tag', 'esbuild', 'vite', 'webpack', 'edge']);
  for (const block of snippets()) for (const name of block.names) assert.ok(run.has(name), `${block.where}: quickstart:${name} is run by no test`);
});
