// The final table of benches/run.sh, from the JSON lines the bench scripts appended to
// $BENCH_RESULTS (benches/common.mjs `record`), plus the scripts that failed.
//   node benches/summary.mjs RESULTS_FILE [failed script names…]
import { existsSync, readFileSync } from 'node:fs';

import { table } from './common.mjs';

const [file, ...failed] = process.argv.slice(2);
const rows = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
console.log('\n=== summary (ratio = ours / peer; lower is better except replay lines/s)');
table(rows, [
  ['row', (r) => r.row],
  ['ours', (r) => r.ours],
  ['peer', (r) => r.peer],
  ['ratio', (r) => (typeof r.ratio === 'number' ? r.ratio.toFixed(2) : '-')],
  ['budget', (r) => r.budget],
  ['verdict', (r) => (r.ok === null || r.ok === undefined ? '-' : r.ok ? 'within' : 'OVER')],
]);
for (const name of failed) console.log(`FAILED: ${name}: see its section above`);
