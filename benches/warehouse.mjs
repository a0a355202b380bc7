// Parquet replay (docs/warehouse.md): M events/s on 1 and 2 cores, 1M and 10M events, against
// the JSONL replay of the same events in the same run. Not part of `make bench`: it needs the
// release binary built with the `warehouse` feature (DataFusion; the build cost is in
// benches/README.md, "Parquet replay").
//   cargo build --release -p leadpulse-cli --features warehouse && node benches/warehouse.mjs [runs=3]
//   LEADPULSE_BIN=/path/to/leadpulse node benches/warehouse.mjs   # another build
//
// Files under $BENCH_TMP (default /tmp/leadpulse-bench), generated once and reused: the JSONL
// of benches/gen-replay.mjs (20,000 visitors; 1M lines = 50 events each, 10M = 500) and its
// Parquet written by `leadpulse export` (one file, nested parts as JSON text, snappy).
//   ours   `leadpulse replay --threads N FILE.parquet > /dev/null` under /usr/bin/time -v, N = 1
//          and 2: wall time (median of RUNS at 1M, one run at 10M), events/s, peak RSS;
//   peer   `leadpulse replay FILE.jsonl` (reads on one thread, scores on another), the same way.
// Checked first: the 1M Parquet replay on 2 threads prints exactly the JSONL replay's bytes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { generate } from './gen-replay.mjs';
import { fail, median, record, table } from './common.mjs';

const runs = Number(process.argv[2] ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = process.env.LEADPULSE_BIN ?? join(root, 'target/release/leadpulse');
const tmp = process.env.BENCH_TMP ?? '/tmp/leadpulse-bench';
if (!existsSync(bin)) fail(`${bin} is missing: cargo build --release -p leadpulse-cli --features warehouse`);
const help = spawnSync(bin, ['export', '--help'], { encoding: 'utf8' });
if (help.status !== 0) fail(`${bin} has no export command: build it with -p leadpulse-cli --features warehouse`);
mkdirSync(tmp, { recursive: true });

async function files(lines) {
  const jsonl = join(tmp, `replay-${lines}.jsonl`);
  const parquet = join(tmp, `replay-${lines}.parquet`);
  if (!existsSync(jsonl)) {
    console.log(`generating ${jsonl}`);
    await generate(lines, jsonl + '.part');
    spawnSync('mv', [jsonl + '.part', jsonl]);
  }
  if (!existsSync(parquet)) {
    console.log(`exporting ${parquet}`);
    const r = spawnSync(bin, ['export', jsonl, '--out', parquet], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) fail(`export exited ${r.status}: ${r.stderr.slice(-2000)}`);
  }
  return { jsonl, parquet };
}

/** One timed run under /usr/bin/time -v, stdout to `out` (default /dev/null). */
function timed(args, out = '/dev/null') {
  const fd = openSync(out, 'w');
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', bin, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  closeSync(fd);
  if (r.status !== 0) fail(`leadpulse ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  return { seconds, rssMB: rss / 1024 };
}
const best = (list) => ({ seconds: median(list.map((r) => r.seconds)), rssMB: Math.max(...list.map((r) => r.rssMB)) });
const digest = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

const small = await files(1_000_000);
const big = await files(10_000_000);

// Correctness first: the same bytes from both inputs.
const outJ = join(tmp, 'warehouse-jsonl.out');
const outP = join(tmp, 'warehouse-parquet.out');
timed(['replay', small.jsonl], outJ);
timed(['replay', '--threads', '2', small.parquet], outP);
if (digest(outJ) !== digest(outP)) fail(`Parquet and JSONL replays differ: ${outJ} ${outP}`);
rmSync(outJ);
rmSync(outP);

const rows = [];
for (const [events, f, n] of [[1_000_000, small, runs], [10_000_000, big, 1]]) {
  const each = (args) => best(Array.from({ length: n }, () => timed(args)));
  rows.push({ name: 'JSONL replay (reader + scorer threads)', events, ...each(['replay', f.jsonl]) });
  for (const threads of [1, 2]) {
    rows.push({ name: `Parquet replay, --threads ${threads}`, events, threads, ...each(['replay', '--threads', String(threads), f.parquet]) });
  }
}
console.log(`replay of 20,000 visitors, wall time (1M: median of ${runs}; 10M: one run), peak RSS from /usr/bin/time -v:`);
table(rows, [
  ['command', (r) => r.name], ['events', (r) => r.events], ['s', (r) => r.seconds.toFixed(2)],
  ['M events/s', (r) => (r.events / r.seconds / 1e6).toFixed(2)], ['peak RSS MB', (r) => r.rssMB.toFixed(1)],
]);
const rate = (name, events) => {
  const r = rows.find((x) => x.name === name && x.events === events);
  return r.events / r.seconds / 1e6;
};
for (const events of [1_000_000, 10_000_000]) {
  const one = rate('Parquet replay, --threads 1', events);
  const two = rate('Parquet replay, --threads 2', events);
  const jsonl = rate('JSONL replay (reader + scorer threads)', events);
  console.log(`${events / 1e6}M events: Parquet ${one.toFixed(2)} M/s on 1 core, ${two.toFixed(2)} M/s on 2 (×${(two / one).toFixed(2)}); JSONL ${jsonl.toFixed(2)} M/s`);
  record({ row: `Parquet replay M events/s, 2 cores vs 1 (${events / 1e6}M)`, ours: two.toFixed(2), peer: one.toFixed(2), ratio: two / one, budget: '—', ok: null });
}
