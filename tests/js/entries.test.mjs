// The package's entries (pkg/package.json `exports`) resolve per runtime and initialise there:
// Node (node.js), Deno (author.js + init()), workerd (workerd.js, wasm imported as a module),
// and the browser build (index.js: compiled models only).
// Needs `make pkg` and the npm dev tools (deno, workerd). Loopback only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as leadpulse from '../../pkg/node.js';
import { fetchFromWorker } from './workerd.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = join(root, 'pkg');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const dir = mkdtempSync(join(tmpdir(), 'leadpulse-entries-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('node: the API is ready on import', () => {
  assert.equal(typeof leadpulse.version(), 'string');
});

test('exports map: each runtime condition picks its entry', async () => {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(pkg, join(dir, 'node_modules', 'leadpulse'), 'dir');
  const resolve = async (conditions, specifier) => {
    const args = [...conditions.flatMap((c) => ['-C', c]), '--input-type=module', '-e',
      `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`];
    const { stdout } = await run(process.execPath, args, { cwd: dir });
    return stdout.trim().split('/').pop();
  };
  assert.equal(await resolve([], 'leadpulse'), 'node.js');
  assert.equal(await resolve(['workerd'], 'leadpulse'), 'workerd.js');
  assert.equal(await resolve(['edge-light'], 'leadpulse'), 'workerd.js');
  assert.equal(await resolve(['deno'], 'leadpulse'), 'author.js');
  assert.equal(await resolve(['browser'], 'leadpulse'), 'index.js');
  assert.equal(await resolve([], 'leadpulse/author'), 'author.js');
  assert.equal(await resolve([], 'leadpulse/wasm'), 'leadpulse_core_bg.wasm');
});

test('browser build: compiled models only, with a message that says how to compile', async () => {
  const glue = await import('../../pkg/leadpulse_core.js');
  glue.initSync({ module: readFileSync(join(pkg, 'leadpulse_core_bg.wasm')) });
  assert.equal(glue.readsModelDocuments(), false);
  assert.equal(leadpulse.readsModelDocuments(), true);
  const document = JSON.parse(readFileSync(join(root, 'src/core/model/builtin.json'), 'utf8'));
  assert.throws(() => new glue.Scorer(document), /leadpulse compile/);
  const compiled = leadpulse.compileModel(document);
  assert.equal(new glue.Scorer(compiled).modelHash, new leadpulse.Scorer(document).modelHash);
  const step = new glue.Scorer(compiled).session('v').track({ type: 'page', properties: { path: '/pricing' } });
  assert.deepEqual(Object.keys(step), ['score', 'fit', 'engagement', 'grade', 'stage', 'status', 'qualified',
    'stageChanged', 'progressChanged', 'summaryDue', 'duplicate', 'bot']);
  assert.equal(step.score, 10);
});

test('deno: author.js after await init()', async () => {
  const url = new URL('author.js', `file://${pkg}/`).href;
  const code = `import init, { version } from ${JSON.stringify(url)}; await init(); console.log(version());`;
  const { stdout } = await run(bin('deno'), ['eval', '--quiet', code], { cwd: dir });
  assert.equal(stdout.trim(), leadpulse.version());
});

test('workerd: workerd.js initialises lazily inside the handler', async (t) => {
  const wd = join(dir, 'workerd');
  mkdirSync(wd);
  for (const f of ['workerd.js', 'leadpulse_author.js', 'leadpulse_step.js', 'leadpulse_author_bg.wasm']) {
    copyFileSync(join(pkg, f), join(wd, f));
  }
  writeFileSync(join(wd, 'worker.js'), `import init, { version } from './workerd.js';
export default { async fetch() { await init(); return new Response(version()); } };`);
  const { body, stderr } = await fetchFromWorker(t, wd, [['worker.js', 'esModule'], ['workerd.js', 'esModule'],
    ['leadpulse_author.js', 'esModule'], ['leadpulse_step.js', 'esModule'], ['leadpulse_author_bg.wasm', 'wasm']]);
  assert.equal(body, leadpulse.version(), stderr());
});
