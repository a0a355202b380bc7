// The TypeScript declarations of what crosses the wasm boundary (crates/leadpulse-wasm/src/
// types.d.ts, embedded in the package's .d.ts) checked against the Rust types they describe.
// The Rust types are the source: every shared fixture case is replayed through the built
// package, and every Step, Snapshot and Summary the binding returns (with their reasons,
// coverage, disqualifiers, next questions, sources and shadow scores) is written into a
// TypeScript file as a typed literal, and so is every error it throws for a refused event or
// model. `tsc --strict --exactOptionalPropertyTypes` then fails
// when Rust produces a field the declarations lack, or a value of another type; and a key
// record per type (`{ [K in keyof T]-?: true }`) fails when the declarations keep a field Rust
// never produces. Two files that drift on purpose show the check can fail. Needs `make pkg`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as leadpulse from '../../pkg/node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'target/ts-conformance');
const CASES = join(ROOT, 'tests/fixtures/cases');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const SHADOW = { model: '0123456789abcdef', score: 12, stage: 'lead' };
/** Thrown, not returned: their samples are the name, the message and the own fields. */
const ERRORS = new Set(['InputError', 'ModelDocumentError']);
const thrown = (error) => ({ name: error.name, message: error.message, ...error });

/** Where each declared type occurs inside the values the binding returns. */
const NESTED = {
  Snapshot: { reasons: ['Reason'], frameworks: ['Coverage', 'map'], disqualifiers: ['Disqualifier'], nextQuestion: ['NextQuestion', 'one'] },
  Summary: { reasons: ['Reason'], frameworks: ['Coverage', 'map'], disqualifiers: ['Disqualifier'], shadow: ['ShadowScore', 'one'] },
};

/** Every value the binding returned, by declared type (deduplicated as JSON text). */
function collect() {
  const samples = new Map();
  const add = (type, value) => {
    if (value === null || value === undefined) return;
    if (!samples.has(type)) samples.set(type, new Map());
    samples.get(type).set(JSON.stringify(value), value);
    for (const [field, [inner, shape]] of Object.entries(NESTED[type] ?? {})) {
      const v = value[field];
      if (shape === 'one') add(inner, v);
      else if (shape === 'map') Object.values(v ?? {}).forEach((x) => add(inner, x));
      else (v ?? []).forEach((x) => add(inner, x));
    }
    if (type === 'Summary') {
      add('Touch', value.source.first);
      add('Touch', value.source.last);
    }
  };
  const files = readdirSync(CASES).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 5, 'the shared fixture cases are there');
  for (const file of files) {
    const fixture = JSON.parse(readFileSync(join(CASES, file), 'utf8'));
    const scorer = typeof fixture.model === 'object' || typeof fixture.model === 'string' && fixture.model !== 'builtin'
      ? new leadpulse.Scorer(fixture.model) : new leadpulse.Scorer();
    const rejected = new Set((fixture.rejected ?? []).map((r) => r.index));
    const sessions = new Map();
    const at = Date.parse(fixture.at);
    fixture.events.forEach((event, index) => {
      const key = event.anonymousId ?? event.userId;
      if (!sessions.has(key)) sessions.set(key, scorer.session(key ?? 'no-key'));
      const session = sessions.get(key);
      if (rejected.has(index)) {
        assert.throws(() => session.track(event, at), (error) => {
          add('InputError', thrown(error));
          return true;
        });
        return;
      }
      const t = typeof event.timestamp === 'number' ? event.timestamp : Date.parse(event.timestamp);
      const now = Number.isFinite(t) ? t : at;
      add('Step', session.track(event, now));
      add('Snapshot', session.snapshot(now));
      add('NextQuestion', session.nextQuestion());
    });
    for (const session of sessions.values()) {
      add('Snapshot', session.snapshot(at));
      add('Summary', session.summary(at, { runtime: 'edge', includeEmail: true }));
      add('Summary', session.summary(at, { runtime: 'browser', shadow: SHADOW }));
      const challenger = scorer.shadowSession(session.visitor, session.save(), true, true);
      add('ShadowScore', challenger.shadowView(at));
      challenger.free();
      const handed = session.handoff(at, { runtime: 'native' });
      if (handed !== undefined) add('Summary', JSON.parse(handed));
      session.free();
    }
    scorer.free();
  }
  assert.throws(() => new leadpulse.Scorer({ version: 1, name: 'broken', rules: 'none' }), (error) => {
    add('ModelDocumentError', thrown(error));
    return true;
  });
  return samples;
}

/** A TypeScript module: each sample as a typed literal, and one key record per type. */
function module(samples, edit = (type, values) => values) {
  const types = [...samples.keys()].sort();
  const lines = [`import type { ${types.join(', ')} } from '../../pkg/leadpulse_author.js';`];
  for (const type of types) {
    const values = edit(type, [...samples.get(type).values()]);
    lines.push(`export const ${type}_samples: ${type}[] = ${JSON.stringify(values, null, 1)};`);
    const keys = new Set(values.flatMap((v) => Object.keys(v)));
    // An error's own fields are checked both ways; those of Error itself only one way.
    const own = ERRORS.has(type) ? `Exclude<keyof ${type}, keyof Error>` : `keyof ${type}`;
    const record = [...keys].filter((k) => !ERRORS.has(type) || !['name', 'message'].includes(k))
      .sort().map((k) => `${JSON.stringify(k)}: true`).join(', ');
    lines.push(`export const ${type}_keys: { [K in ${own}]-?: true } = { ${record} };`);
  }
  return `${lines.join('\n')}\n`;
}

/** tsc over the given files: its diagnostics, one per line (empty when they all type-check). */
function typecheck(files) {
  const run = spawnSync(TSC, ['--noEmit', '--strict', '--exactOptionalPropertyTypes', '--target', 'es2022',
    '--lib', 'esnext,dom', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', '', ...files], { encoding: 'utf8' });
  assert.ok(run.status !== null, `tsc ran (${run.error ?? run.signal})`);
  return run.stdout.split('\n').filter((line) => line.includes('error TS'));
}

test('the declarations match every value the Rust types produce, and drift fails the check', () => {
  const samples = collect();
  for (const type of ['Step', 'Snapshot', 'Summary', 'Reason', 'Coverage', 'Disqualifier', 'NextQuestion', 'Touch',
    'ShadowScore', 'InputError', 'ModelDocumentError']) {
    assert.ok(samples.get(type)?.size > 0, `the fixtures produce at least one ${type}`);
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const good = join(OUT, 'samples.ts');
  writeFileSync(good, module(samples));
  // Drift one way: Rust gains a field the declarations do not have.
  const extra = join(OUT, 'drift-extra.ts');
  writeFileSync(extra, module(samples, (type, values) => (type === 'Summary'
    ? values.map((v, i) => (i === 0 ? { ...v, addedInRust: 1 } : v)) : values)));
  // Drift the other way: Rust drops a field the declarations still promise.
  const missing = join(OUT, 'drift-missing.ts');
  writeFileSync(missing, module(samples, (type, values) => (type === 'Step'
    ? values.map(({ summaryDue, ...rest }) => rest) : values)));

  const errors = typecheck([good, extra, missing]);
  const about = (file) => errors.filter((line) => line.includes(`/${file}(`));
  assert.deepEqual(errors.filter((line) => !line.includes('/drift-')), [],
    `the declarations and the Rust types differ:\n${errors.join('\n')}`);
  assert.ok(about('drift-extra.ts').some((line) => line.includes('addedInRust')),
    `an extra field is caught:\n${errors.join('\n')}`);
  assert.ok(about('drift-missing.ts').some((line) => line.includes('summaryDue')),
    `a missing field is caught:\n${errors.join('\n')}`);
});
