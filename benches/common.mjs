// Helpers shared by the bench scripts: statistics, gzip -9, tables, and the result rows that
// benches/run.sh gathers into its final summary (benches/summary.mjs).
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
};

// GNU gzip, not zlib: budgets are stated in `gzip -9` bytes (zlib's level 9 differs by a few %),
// the same as scripts/size-report.mjs. -n: no name or time stamp in the header.
export const gzip9 = (buf) => execFileSync('gzip', ['-9n'], { input: buf, maxBuffer: 1 << 28 }).length;

/** Right-aligned columns; `columns` = [[title, (row) => cell], …]. */
export function table(rows, columns) {
  const cells = rows.map((r) => columns.map(([, get]) => String(get(r))));
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (cs) => cs.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(columns.map(([title]) => title)));
  for (const c of cells) console.log(line(c));
}

/**
 * One row of the final summary: appended as a JSON line to $BENCH_RESULTS when run.sh set it
 * (a script run alone just prints its own report). `ours`/`peer` are display strings; `ratio`
 * a number (ours / peer) or null; `ok` whether the budget holds (null: no budget).
 */
export function record(row) {
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, JSON.stringify(row) + '\n');
}

/** A failure that makes the script exit non-zero (wrong results, a missing build…). */
export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}
