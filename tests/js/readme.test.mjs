// Runs the README's runnable examples against the built package (`make pkg`). A runnable
// example is a fenced block whose info string is `js test`; it imports from 'leadpulse',
// which resolves to pkg/ (Node entry) through a temporary node_modules symlink.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = existsSync(join(root, 'README.md')) ? readFileSync(join(root, 'README.md'), 'utf8') : '';
const blocks = [...readme.matchAll(/^```js test[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => ({
  code: m[1],
  line: readme.slice(0, m.index).split('\n').length,
}));

const dir = mkdtempSync(join(tmpdir(), 'leadpulse-readme-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(join(root, 'pkg'), join(dir, 'node_modules', 'leadpulse'), 'dir');
after(() => rmSync(dir, { recursive: true, force: true }));

test('README.md has runnable examples (```js test)', () => {
  assert.ok(blocks.length > 0, 'no ```js test block in README.md');
});

for (const { code, line } of blocks) {
  test(`README.md example at line ${line}`, async () => {
    const file = join(dir, `example-${line}.mjs`);
    writeFileSync(file, code);
    try {
      await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 30_000 });
    } catch (error) {
      assert.fail(`example at README.md:${line} failed:\n${error.stderr || error.message}`);
    }
  });
}
