// Row 1: script-tag embed weight, minified + gzip -9, ours against three peers' browser bundles.
//   make pkg && node benches/embed-size.mjs
//
// Ours: what the one-tag embed loads, counted as scripts/size-report.mjs counts it:
// pkg/leadpulse.js + leadpulse_core.js + leadpulse_step.js (each minified by esbuild, then
// gzip -9) + leadpulse_core_bg.wasm (gzip -9).
//
// Peers (exact versions in package.json), the file a site loads with the vendor's script tag:
//   posthog-js              dist/array.js: what the snippet loads from the CDN (`/static/array.js`),
//                           the full browser SDK without the lazily loaded extras (recorder,
//                           surveys…), which it fetches on demand.
//   @segment/analytics-next dist/umd/standalone.js: the CDN `analytics.min.js` (standalone
//                           build, no npm bundler); its lazily loaded chunks (destinations,
//                           middleware) are not counted, only what every page loads.
//   @growthbook/growthbook  dist/bundles/auto.min.js: the documented script-tag embed (UMD SDK
//                           + auto-wrapper that reads data-* attributes, like ours); the bare
//                           UMD SDK (index.min.js) is printed too for reference.
// A file already minified (one long line) is measured as shipped; otherwise esbuild minifies it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

import { fail, gzip9, record, table } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUDGET = 40 * 1024;

const minified = (text) => text.length / (text.split('\n').length) > 1000; // average line length
const minGz = (file) => {
  const text = readFileSync(file, 'utf8');
  return minified(text) ? gzip9(Buffer.from(text)) : gzip9(Buffer.from(transformSync(text, { minify: true, loader: 'js' }).code));
};

const pkg = join(root, 'pkg');
const ourFiles = ['leadpulse.js', 'leadpulse_core.js', 'leadpulse_step.js', 'leadpulse_core_bg.wasm'];
let ours = 0;
const ourRows = [];
for (const f of ourFiles) {
  let bytes;
  try {
    bytes = f.endsWith('.wasm') ? gzip9(readFileSync(join(pkg, f))) : gzip9(Buffer.from(transformSync(readFileSync(join(pkg, f), 'utf8'), { minify: true, loader: 'js' }).code));
  } catch (e) {
    fail(`pkg/${f}: ${e.message} (run make pkg)`);
  }
  ourRows.push({ name: `pkg/${f}`, bytes });
  ours += bytes;
}

// Resolve each peer's package directory through Node (exports maps may hide package.json).
const require = createRequire(join(root, 'package.json'));
const pkgDir = (name) => {
  const main = require.resolve(name);
  let dir = dirname(main);
  while (!dir.endsWith(join('node_modules', name))) dir = dirname(dir);
  return dir;
};
const peerFiles = [
  ['posthog-js', 'dist/array.js'],
  ['@segment/analytics-next', 'dist/umd/standalone.js'],
  ['@growthbook/growthbook', 'dist/bundles/auto.min.js'],
  ['@growthbook/growthbook', 'dist/bundles/index.min.js', 'reference only'],
];
const peers = peerFiles.map(([name, file, note]) => {
  const dir = pkgDir(name);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  let bytes;
  try {
    bytes = minGz(join(dir, file));
  } catch (e) {
    fail(`${name}/${file}: ${e.message} (npm install)`);
  }
  if (bytes < 1000) fail(`${name}/${file}: ${bytes} B is not an SDK bundle`);
  return { name: `${name}@${version} ${file}`, peer: name, bytes, note };
});

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('embed weight, minified + gzip -9 (GNU gzip):');
table([...ourRows, { name: 'ours: total', bytes: ours }], [['file', (r) => r.name], ['bytes', (r) => r.bytes]]);
console.log('');
table(peers, [
  ['peer file', (r) => r.name + (r.note ? ` (${r.note})` : '')],
  ['bytes', (r) => r.bytes],
  ['KB', (r) => kb(r.bytes)],
  ['ours/peer', (r) => (ours / r.bytes).toFixed(2)],
]);
console.log(`ours ${ours} B = ${kb(ours)}; budget ${kb(BUDGET)}: ${ours <= BUDGET ? 'within' : 'OVER'}`);

for (const p of peers.filter((p) => !p.note)) {
  record({ row: `embed min+gz vs ${p.peer}`, ours: kb(ours), peer: kb(p.bytes), ratio: ours / p.bytes, budget: '≤ 40 KB', ok: ours <= BUDGET });
}
