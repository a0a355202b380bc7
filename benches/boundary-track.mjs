// One boundary variant (benches/boundary.sh) in Node: loads DIR/leadpulse_core.js with
// initSync from DIR/leadpulse_core_bg.wasm (the browser build: built-in model, so
// `new Scorer()` works) and prints, as JSON, its per-event cost on the benches/events.mjs
// stream (the method of benches/js-track.mjs: median over visitors of the visitor's time / 50)
// and every visitor's last score, which the report compares across variants.
//   node benches/boundary-track.mjs DIR [events=50000]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { VISITOR_EVENTS, events } from './events.mjs';
import { median } from './common.mjs';

const dir = resolve(process.argv[2]);
const total = Number(process.argv[3] ?? 50_000);
const { initSync, Scorer } = await import(pathToFileURL(join(dir, 'leadpulse_core.js')).href);
initSync({ module: readFileSync(join(dir, 'leadpulse_core_bg.wasm')) });

const stream = events(total);
const visitors = [];
for (let i = 0; i + VISITOR_EVENTS <= total; i += VISITOR_EVENTS) visitors.push(stream.slice(i, i + VISITOR_EVENTS));
const scorer = new Scorer();
let n = 0;
function time(perVisitor) {
  const run = (list) => list.map((evs) => {
    const s = scorer.session(`v${n++}`);
    const t = performance.now();
    const step = perVisitor(s, evs);
    return { us: ((performance.now() - t) * 1000) / evs.length, score: step.score };
  });
  run(visitors.slice(0, 100)); // JIT warm-up
  const out = run(visitors);
  return { us: median(out.map((r) => r.us)), scores: out.map((r) => r.score) };
}
const track = time((s, evs) => {
  let step;
  for (const e of evs) step = s.track(e, e.timestamp);
  return step;
});
const trackAll = time((s, evs) => s.trackAll(evs, evs[evs.length - 1].timestamp));
console.log(JSON.stringify({ track: track.us, trackAll: trackAll.us, scores: track.scores, scoresAll: trackAll.scores }));
