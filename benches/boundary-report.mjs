// The side-by-side table of benches/boundary.sh: wasm bytes (raw, gzip -9) and per-event cost
// of the two input boundaries. Each variant runs in its own Node process
// (benches/boundary-track.mjs), so neither warms the JIT for the other, twice, taking turns,
// and the faster run of each counts (a busy moment of the machine then hits only one run);
// both must give every visitor the same score (the boundary reads inputs, not results).
//   node benches/boundary-report.mjs WALK_DIR SWB_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { fail, gzip9, record, table } from './common.mjs';

const [walkDir, swbDir] = process.argv.slice(2);
const here = fileURLToPath(new URL('.', import.meta.url));
const track = (dir) => JSON.parse(execFileSync('node', [join(here, 'boundary-track.mjs'), dir], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const variant = (name, dir, runs) => {
  const wasm = readFileSync(join(dir, 'leadpulse_core_bg.wasm'));
  if (!(runs[0].scores[0] > 0)) fail(`${name}: pricing visitor scored ${runs[0].scores[0]}`);
  const best = (key) => Math.min(...runs.map((r) => r[key]));
  return { name, raw: wasm.length, gz: gzip9(wasm), ...runs[0], track: best('track'), trackAll: best('trackAll') };
};
const walkRuns = [];
const swbRuns = [];
for (let i = 0; i < 2; i++) {
  walkRuns.push(track(walkDir));
  swbRuns.push(track(swbDir));
}
const walk = variant('js-sys walk (default)', walkDir, walkRuns);
const swb = variant('serde-wasm-bindgen (swb-input)', swbDir, swbRuns);
for (const key of ['scores', 'scoresAll']) {
  const i = walk[key].findIndex((s, k) => s !== swb[key][k]);
  if (i >= 0) fail(`the variants disagree on visitor ${i} (${key}): ${walk[key][i]} vs ${swb[key][i]}`);
}
console.log('browser wasm (leadpulse_core_bg.wasm), by JS-input boundary; Node, built-in model:');
table([walk, swb], [
  ['variant', (r) => r.name], ['wasm raw B', (r) => r.raw], ['wasm gzip -9 B', (r) => r.gz],
  ['track() µs/event', (r) => r.track.toFixed(2)], ['trackAll() µs/event', (r) => r.trackAll.toFixed(2)],
]);
const d = swb.gz - walk.gz;
console.log(`gzip difference: serde-wasm-bindgen ${d >= 0 ? '+' : ''}${d} B (${(d / 1024).toFixed(1)} KB) over the js-sys walk; ` +
  `track() ${(swb.track / walk.track).toFixed(2)}×, trackAll() ${(swb.trackAll / walk.trackAll).toFixed(2)}× the walk's time`);
record({ row: 'boundary: wasm gz KB, walk vs swb-input', ours: (walk.gz / 1024).toFixed(1), peer: (swb.gz / 1024).toFixed(1), ratio: walk.gz / swb.gz, budget: '-', ok: null });
record({ row: 'boundary: track() µs, walk vs swb-input', ours: walk.track.toFixed(2), peer: swb.track.toFixed(2), ratio: walk.track / swb.track, budget: '-', ok: null });
