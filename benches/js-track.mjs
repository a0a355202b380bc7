// Per-event cost through the public JS API (built-in model), in Node.
// Usage: make pkg && node benches/js-track.mjs [events=200000]
// `track()`: one event per call, each returning a full snapshot: the median per call, and the
// median of per-batch means (1000 calls each), less disturbed by timer resolution and GC.
// `trackAll()`: each visitor's 50 events in one call (one boundary crossing, one snapshot):
// the median over visitors of (call time / 50).
import { Scorer } from '../pkg/node.js';

const total = Number(process.argv[2] ?? 200_000);
const paths = ['/pricing', '/blog/how-to-score', '/case-studies/globex', '/integrations/slack', '/', '/docs/api'];
const start = Date.parse('2026-01-01T00:00:00Z');
const events = Array.from({ length: total }, (_, i) => {
  const timestamp = start + i * 7 * 60_000;
  switch (i % 4) {
    case 0: case 1: return { type: 'page', timestamp, properties: { path: paths[i % paths.length] } };
    case 2: return { type: 'engagement', timestamp, properties: { seconds: 20, scroll: 60, path: '/blog/how-to-score' } };
    default: return { type: 'track', timestamp, event: 'Asset Downloaded', properties: { asset_type: 'case_study' } };
  }
});

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const scorer = new Scorer();
for (let i = 0; i < 5_000; i++) scorer.session('warm').track(events[i], events[i].timestamp); // JIT warm-up

// Visitors of 50 events each, as on a real site, so per-visitor state stays realistic.
const perCall = [];
const perBatch = [];
let session;
let batchStart = performance.now();
for (let i = 0; i < total; i++) {
  if (i % 50 === 0) session = scorer.session(`v${i}`);
  const t = performance.now();
  session.track(events[i], events[i].timestamp);
  perCall.push(performance.now() - t);
  if ((i + 1) % 1000 === 0) {
    perBatch.push((performance.now() - batchStart) / 1000);
    batchStart = performance.now();
  }
}
const us = (ms) => (ms * 1000).toFixed(2);
console.log(`track(): ${total} events, built-in model, Node ${process.version}`);
console.log(`  median per call            ${us(median(perCall))} µs`);
console.log(`  median of 1000-call means  ${us(median(perBatch))} µs  (includes session creation every 50 events and timer calls)`);
console.log(`  p99 per call               ${us(perCall.sort((a, b) => a - b)[Math.floor(total * 0.99)])} µs`);

const perEventBatched = [];
for (let i = 0; i + 50 <= total; i += 50) {
  const batch = events.slice(i, i + 50);
  const s = scorer.session(`b${i}`);
  const t = performance.now();
  s.trackAll(batch, batch[49].timestamp);
  perEventBatched.push((performance.now() - t) / 50);
}
console.log(`trackAll(): ${perEventBatched.length} visitors × 50 events`);
console.log(`  median per event           ${us(median(perEventBatched))} µs`);
