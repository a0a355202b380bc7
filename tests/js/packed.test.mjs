// The package as a user gets it: `npm pack` of pkg/, installed from the tarball into a fresh
// project (offline: the package has no dependencies), then imported by Node, bundled by
// esbuild for workerd and run there, and bundled for the browser. The other package tests use
// pkg/ in place, so only these catch a file left out of `files` or an export that names a file
// the tarball does not have.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fetchFromWorker } from './workerd.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
const dir = mkdtempSync(join(tmpdir(), 'leadpulse-packed-'));
const app = join(dir, 'app');
after(() => rmSync(dir, { recursive: true, force: true }));

let packed; // npm pack's report: { filename, files: [{ path }] }
before(async () => {
  const { stdout } = await run('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--json']);
  [packed] = JSON.parse(stdout);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
    join(dir, packed.filename)], { cwd: app });
});

// Every file path an `exports` condition names (`./x.js`), recursively.
const targets = (value) => (typeof value === 'string' ? [value]
  : Object.values(value).flatMap(targets));

test('the tarball has every file the exports map names, and no sources or tests', () => {
  const files = new Set(packed.files.map((f) => f.path));
  const manifest = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  for (const target of targets(manifest.exports)) {
    assert.ok(files.has(target.replace(/^\.\//, '')), `exports names ${target}, not in the tarball`);
  }
  for (const path of files) assert.doesNotMatch(path, /^(tracker|src|tests)\/|\.rs$|\.map$/, path);
});

const score = `const step = new Scorer().session('v').track({ type: 'page', properties: { path: '/pricing' } });`;

test('node: the installed package scores an event', async () => {
  const code = `import { Scorer } from 'leadpulse'; ${score} console.log(step.score, step.stage);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: app });
  assert.equal(stdout.trim(), '10 visitor');
});

test('esbuild for workerd: the bundle runs in workerd with the wasm as a module', async (t) => {
  const out = join(app, 'worker');
  writeFileSync(join(app, 'worker.js'), `import init, { Scorer } from 'leadpulse';
export default { async fetch() { await init(); ${score} return new Response(step.score + ' ' + step.stage); } };`);
  await run(esbuild, ['worker.js', '--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd',
    '--loader:.wasm=copy', `--outdir=${out}`, '--log-level=warning'], { cwd: app });
  const wasm = readdirSync(out).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one wasm module copied: ${readdirSync(out)}`);
  assert.match(wasm[0], /^leadpulse_author_bg/, 'workerd gets the engine that reads model documents');
  const { body, stderr } = await fetchFromWorker(t, out, [['worker.js', 'esModule'], [wasm[0], 'wasm']]);
  assert.equal(body, '10 visitor', stderr());
});

test('esbuild for the browser: the light engine only', async () => {
  writeFileSync(join(app, 'page.js'), `import init, { Scorer } from 'leadpulse'; await init(); ${score}`);
  const { stdout } = await run(esbuild, ['page.js', '--bundle', '--format=esm', '--platform=browser',
    '--log-level=warning'], { cwd: app, maxBuffer: 64 << 20 });
  assert.match(stdout, /leadpulse_core_bg\.wasm/, 'fetches the browser wasm next to the bundle');
  assert.doesNotMatch(stdout, /leadpulse_author/, 'carries nothing of the author build');
});
