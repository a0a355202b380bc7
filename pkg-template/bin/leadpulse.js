#!/usr/bin/env node
// `npx leadpulse compile model.json -o public/model.lpm` — the build step that turns a site's
// model document into the compiled model the browser tracker reads (docs/tracker.md, "The
// model"); `npx leadpulse validate model.json` lists every problem with its JSON path. The same
// commands and output as the native `leadpulse` binary, from the npm package (Node >= 18).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileModel, Scorer } from '../node.js';

const USAGE = `usage: leadpulse compile MODEL.json [-o OUT.lpm]   compile a model for the browser tracker
       leadpulse validate MODEL.json                 check a model: every problem, with its JSON path

Options:
  -o, --out FILE   write the compiled model here (default: standard output)
  -h, --help       this help`;

/** @param {string} message @param {number} [code] */
function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
} catch (e) {
  fail(`leadpulse: ${e instanceof Error ? e.message : e}\n\n${USAGE}`, 2);
}
const { values, positionals } = parsed;
const [command, file, ...extra] = positionals;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!['compile', 'validate'].includes(command) || !file || extra.length) fail(USAGE, 2);
if (command === 'validate' && values.out) fail('leadpulse validate: -o is for compile', 2);

let document;
try {
  document = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  fail(`leadpulse ${command}: ${file}: ${e instanceof Error ? e.message : e}`);
}
let scorer;
try {
  scorer = new Scorer(document);
} catch (e) {
  const problems = /** @type {{ problems?: { path: string, message: string }[] }} */ (e).problems;
  const lines = problems ? problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`) : [`  ${e instanceof Error ? e.message : e}`];
  fail(`${file}: invalid model (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
}
if (command === 'validate') {
  console.log(`${file}: ok — model '${scorer.modelName}' (${scorer.modelHash})`);
  process.exit(0);
}
const compiled = compileModel(document) + '\n';
if (!values.out) {
  process.stdout.write(compiled);
} else {
  // NOTE: written beside and renamed, so a site never serves half a model.
  const temporary = `${values.out}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, compiled);
    renameSync(temporary, values.out);
  } catch (e) {
    fail(`leadpulse compile: cannot write ${values.out}: ${e instanceof Error ? e.message : e}`);
  }
  console.error(`leadpulse compile: model '${scorer.modelName}' (${scorer.modelHash}) → ${values.out}`);
}
