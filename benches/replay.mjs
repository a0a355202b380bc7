// Row 4: native replay throughput and peak memory, against Python's json.loads over the same file.
//   cargo build --release -p leadpulse-cli && node benches/replay.mjs [runs=3]
//
// Files (benches/gen-replay.mjs, deterministic, 20,000 visitors): 500k and 2M lines under
// $BENCH_TMP (default /tmp/leadpulse-bench), generated once and reused.
//   ours   `target/release/leadpulse replay FILE > /dev/null` under `/usr/bin/time -v`: wall time
//          (measured here, median of RUNS), lines/s, and Maximum resident set size;
//   peer   `python3 benches/replay-peer.py FILE` (json.loads per line, parse only), the same way.
// The 2M-line file (same visitors, 4× the events) is replayed once by ours: its peak memory
// against the 500k run's tells whether memory follows visitors (it should) or events.
// Correctness: one run on the 500k file with its output kept must print one snapshot per
// visitor, the first (v0, who opened /pricing) with pricing_page among its reasons.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { VISITORS, generate } from './gen-replay.mjs';
import { fail, median, record, table } from './common.mjs';

const runs = Number(process.argv[2] ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'target/release/leadpulse');
const tmp = process.env.BENCH_TMP ?? '/tmp/leadpulse-bench';
const BUDGET_LPS = 1e6;
if (!existsSync(bin)) fail(`${bin} is missing: cargo build --release -p leadpulse-cli`);
mkdirSync(tmp, { recursive: true });

async function file(lines) {
  const path = join(tmp, `replay-${lines}.jsonl`);
  if (!existsSync(path)) {
    console.log(`generating ${path}`);
    await generate(lines, path + '.part');
    spawnSync('mv', [path + '.part', path]);
  }
  return path;
}

/** One timed run under /usr/bin/time -v, stdout to `out` (default /dev/null). */
function timed(cmd, args, out = '/dev/null') {
  const fd = openSync(out, 'w');
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  closeSync(fd);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  return { seconds, rssMB: rss / 1024 };
}
const best = (list) => ({ seconds: median(list.map((r) => r.seconds)), rssMB: Math.max(...list.map((r) => r.rssMB)) });

const small = await file(500_000);
const big = await file(2_000_000);

// Correctness first: a replay that prints the wrong thing fast is no result.
const check = join(tmp, 'replay-500000.out');
timed(bin, ['replay', small], check);
const out = readFileSync(check, 'utf8').trimEnd().split('\n');
rmSync(check);
if (out.length !== VISITORS) fail(`replay printed ${out.length} snapshots for ${VISITORS} visitors`);
const first = JSON.parse(out.find((l) => l.startsWith('{"visitor":"v0"')) ?? 'null');
if (!first || !(first.score > 0) || !first.reasons.some((r) => r.rule === 'pricing_page')) fail(`visitor v0: ${JSON.stringify(first)?.slice(0, 300)}`);
const py = spawnSync('python3', [join(root, 'benches/replay-peer.py'), small], { encoding: 'utf8' });
if (py.status !== 0 || Number(py.stdout) !== 500_000) fail(`python3 peer: ${py.stderr || py.stdout}`);

const ours = best(Array.from({ length: runs }, () => timed(bin, ['replay', small])));
const peer = best(Array.from({ length: runs }, () => timed('python3', [join(root, 'benches/replay-peer.py'), small])));
const ours2M = timed(bin, ['replay', big]);

const rows = [
  { name: 'ours: leadpulse replay (score)', lines: 500_000, ...ours },
  { name: 'python3 json.loads (parse only)', lines: 500_000, ...peer },
  { name: 'ours: leadpulse replay (score)', lines: 2_000_000, ...ours2M },
];
console.log(`replay of ${VISITORS} visitors, wall time median of ${runs} (2M: one run), peak RSS from /usr/bin/time -v:`);
table(rows, [
  ['command', (r) => r.name], ['lines', (r) => r.lines], ['s', (r) => r.seconds.toFixed(2)],
  ['M lines/s', (r) => (r.lines / r.seconds / 1e6).toFixed(2)], ['peak RSS MB', (r) => r.rssMB.toFixed(1)],
]);
const lps = 500_000 / ours.seconds;
const peerLps = 500_000 / peer.seconds;
const growth = ours2M.rssMB / ours.rssMB;
const bounded = growth <= 1.5;
console.log(`ours/python lines/s: ${(lps / peerLps).toFixed(2)}; budget ≥ 1 M lines/s: ${lps >= BUDGET_LPS ? 'within' : 'OVER'}`);
console.log(`peak memory 500k → 2M lines (same visitors): ${ours.rssMB.toFixed(1)} → ${ours2M.rssMB.toFixed(1)} MB (×${growth.toFixed(2)}): ${bounded ? 'bounded by visitors' : 'GROWS WITH EVENTS'}`);

record({ row: 'replay M lines/s vs python json.loads', ours: (lps / 1e6).toFixed(2), peer: (peerLps / 1e6).toFixed(2), ratio: lps / peerLps, budget: '≥ 1 M lines/s', ok: lps >= BUDGET_LPS });
record({ row: 'replay peak RSS MB, 500k → 2M lines', ours: `${ours.rssMB.toFixed(0)} → ${ours2M.rssMB.toFixed(0)}`, peer: `py ${peer.rssMB.toFixed(0)}`, ratio: growth, budget: 'bounded (×≤1.5)', ok: bounded });
