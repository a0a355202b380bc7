// Row 2: per-event cost in Node through the public JS API (built-in model), against peers
// scoring the same event stream (benches/events.mjs) with equivalent rules (benches/rule-peers.mjs).
//   make pkg && node benches/js-track.mjs [events=100000]
//
// One method for every scorer: visitors of 50 events; each visitor's 50 events are timed
// together (two timer calls per visitor, so timer resolution does not count), the visitor or
// session created before the timer starts; the figure is the median over visitors of time / 50.
//   ours track()      one event per call (each returns a Step)
//   ours trackAll()   the visitor's 50 events in one call (one boundary crossing)
//   peers             one event per call; they have no batch API and no boundary, so the same
//                     figure stands against both of ours.
// json-rules-engine is asynchronous: each event is awaited before the next (as a scorer must:
// the next event's counters depend on it), and that await is part of its cost.
import { Scorer } from '../pkg/node.js';
import { VISITOR_EVENTS, events } from './events.mjs';
import { jsonLogicVisitor, plainVisitor, rulesEngineVisitor } from './rule-peers.mjs';
import { fail, median, quantile, record, table } from './common.mjs';

const total = Number(process.argv[2] ?? 100_000);
const stream = events(total);
const visitors = [];
for (let i = 0; i + VISITOR_EVENTS <= total; i += VISITOR_EVENTS) visitors.push(stream.slice(i, i + VISITOR_EVENTS));
const now = (evs) => evs[evs.length - 1].timestamp;

const scorer = new Scorer();
const us = (ms) => ms * 1000;

// Each bench runs a warm-up pass over the first 100 visitors (JIT), then the measured pass;
// it returns µs/event and each visitor's last score (for the sanity checks below).
function timeSync(make, perVisitor) {
  const run = (list) => list.map((evs) => {
    const v = make();
    const t = performance.now();
    const score = perVisitor(v, evs);
    return { us: us(performance.now() - t) / evs.length, score };
  });
  run(visitors.slice(0, 100));
  const out = run(visitors);
  return { us: median(out.map((r) => r.us)), scores: out.map((r) => r.score) };
}
async function timeAsync(make) {
  const run = async (list) => {
    const out = [];
    for (const evs of list) {
      const v = make();
      let score = 0;
      const t = performance.now();
      for (const e of evs) score = await v.track(e);
      out.push({ us: us(performance.now() - t) / evs.length, score });
    }
    return out;
  };
  await run(visitors.slice(0, 100));
  const out = await run(visitors);
  return { us: median(out.map((r) => r.us)), scores: out.map((r) => r.score) };
}
const perEvent = (v, evs) => {
  let score = 0;
  for (const e of evs) score = v.track(e);
  return score;
};

let n = 0;
const ourTrack = timeSync(() => scorer.session(`t${n++}`), (s, evs) => { for (const e of evs) s.track(e, e.timestamp); }).us;
const ourAll = timeSync(() => scorer.session(`a${n++}`), (s, evs) => s.trackAll(evs, now(evs))).us;

// Per call, for reference: timer overhead included, so read it as an upper bound.
const perCall = [];
for (const evs of visitors.slice(0, 2000)) {
  const s = scorer.session(`c${n++}`);
  for (const e of evs) {
    const t = performance.now();
    s.track(e, e.timestamp);
    perCall.push(us(performance.now() - t));
  }
}

const peers = [
  { name: 'plain JS', short: 'plain JS', ...timeSync(plainVisitor, perEvent) },
  { name: 'json-logic-js', short: 'json-logic-js', ...timeSync(jsonLogicVisitor, perEvent) },
  { name: 'json-rules-engine (async, awaited)', short: 'json-rules-engine', ...(await timeAsync(rulesEngineVisitor)) },
];

// Sanity: the peers agree with each other on every visitor's score (same rules), the pricing
// visitor (v0 starts on /pricing) scores non-zero everywhere, and ours has a reason for every
// rule the peers fired for it.
for (const p of peers) if (!(p.scores[0] > 0)) fail(`${p.name}: pricing visitor scored ${p.scores[0]}`);
for (let i = 0; i < visitors.length; i++) {
  if (peers.some((p) => p.scores[i] !== peers[0].scores[i])) fail(`peers disagree on visitor ${i}: ${peers.map((p) => p.scores[i]).join(' / ')}`);
}
const ours = scorer.session('check');
const step = ours.trackAll(visitors[0], now(visitors[0]));
const reasons = ours.snapshot(now(visitors[0])).reasons.map((r) => r.rule);
if (!(step.score > 0)) fail(`ours: pricing visitor scored ${step.score}`);
for (const rule of ['pricing_page', 'blog_post', 'case_study_download', 'engaged_1min']) {
  if (!reasons.includes(rule)) fail(`ours: no ${rule} among the pricing visitor's reasons (${reasons.join(', ')})`);
}
console.log(`sanity: pricing visitor scores ours ${step.score} (with decay and all built-in rules), peers ${peers[0].scores[0]} (4 rule families, no decay); peers agree on all ${visitors.length} visitors`);

console.log(`\nper-event cost, Node ${process.version}, ${visitors.length} visitors × ${VISITOR_EVENTS} events, median over visitors:`);
const rows = [
  { name: 'ours track() (one event per call)', us: ourTrack },
  { name: 'ours trackAll() (50 per call)', us: ourAll },
  ...peers,
];
table(rows, [
  ['scorer', (r) => r.name],
  ['µs/event', (r) => r.us.toFixed(3)],
  ['track()/this', (r) => (ourTrack / r.us).toFixed(2)],
  ['trackAll()/this', (r) => (ourAll / r.us).toFixed(2)],
]);
console.log(`ours track() per call (timer included): median ${quantile(perCall, 0.5).toFixed(2)} µs, p99 ${quantile(perCall, 0.99).toFixed(2)} µs`);
console.log(`budgets: track() ≤ 2 µs (${ourTrack <= 2 ? 'within' : 'OVER'}), trackAll() ≤ 1 µs (${ourAll <= 1 ? 'within' : 'OVER'})`);

for (const p of peers) {
  record({ row: `track() µs/event vs ${p.short}`, ours: ourTrack.toFixed(2), peer: p.us.toFixed(2), ratio: ourTrack / p.us, budget: '≤ 2 µs', ok: ourTrack <= 2 });
}
for (const p of peers) {
  record({ row: `trackAll() µs/event vs ${p.short}`, ours: ourAll.toFixed(2), peer: p.us.toFixed(2), ratio: ourAll / p.us, budget: '≤ 1 µs', ok: ourAll <= 1 });
}
