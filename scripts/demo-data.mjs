#!/usr/bin/env node
// Demo data for the dashboard and `leadpulse report`: 120 visitors, each a few minutes of
// browsing just before the run (the collector dates an MQL and an SQL by when it hears of
// them), scored by the real engine (the Node package, built-in model), their summaries posted
// to a real collector, then sales answering back on each lead (accepted, rejected with a reason,
// opportunity, won or lost) through the API, as reps would. Deterministic apart from the
// clock: the same leads and outcomes on every run.
//
//   make pkg && cargo build --release -p leadpulse-cli
//   node scripts/demo-data.mjs [DB]      # default leadpulse.db, the file `make demo` serves
//   target/release/leadpulse report --db leadpulse.db
//
// It starts its own collector on a free loopback port for the run (rate limit off, owners
// ana and ben) and stops it before it exits. Refuses a DB that already holds leads.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BIN, ROOT, startCollector } from './collector.mjs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h') || args.length > 1) {
  console.log('usage: node scripts/demo-data.mjs [DB]   (default leadpulse.db; see the header of this file)');
  process.exit(args.length > 1 ? 2 : 0);
}
const db = resolve(args[0] ?? 'leadpulse.db');
for (const [file, how] of [[BIN, 'cargo build --release -p leadpulse-cli'], [join(ROOT, 'pkg/node.js'), 'make pkg']]) {
  if (!existsSync(file)) {
    console.error(`demo-data: ${file} is missing: run ${how}`);
    process.exit(2);
  }
}
const { Scorer } = await import(join(ROOT, 'pkg/node.js'));

const TOKEN = `demo-data-${process.pid}-token`;
const collector = await startCollector(['--listen', '127.0.0.1:0', '--db', db, '--root', ROOT,
  '--api-token', TOKEN, '--rate-limit', 'off', '--owner', 'ana', '--owner', 'ben']);
const base = collector.url;

const api = async (path, body, token = TOKEN) => {
  const r = await fetch(`${base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
if ((await api('/api/leads?limit=1')).leads.length > 0) {
  console.error(`demo-data: ${db} already holds leads; give another file`);
  process.exit(1);
}

// A small linear congruential generator: the same demo on every run.
let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(random() * list.length)];

const scorer = new Scorer();
const sources = ['google', 'linkedin', 'newsletter', 'g2'];
const titles = ['VP Marketing', 'Head of Revenue Operations', 'Marketing Manager', 'Founder', 'Student', 'Sales Director'];
const sizes = [5, 30, 120, 800, 2500];
const pages = ['/pricing', '/blog/lead-scoring-guide', '/case-studies/halcyon-freight', '/integrations'];
let posted = 0;
for (let i = 0; i < 120; i += 1) {
  const visitor = `demo-${i}`;
  const session = scorer.session(visitor);
  let t = Date.now() - 200e3; // at most 8 events 20 s apart: the last one is in the past
  const track = (event) => { t += 20e3; session.track({ anonymousId: visitor, timestamp: t, ...event }, t); };
  const handOff = async () => {
    const summary = session.handoff(t, { runtime: 'browser', includeEmail: true });
    if (!summary) return;
    const r = await fetch(`${base}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: summary });
    if (!r.ok) throw new Error(`/collect: ${r.status} ${await r.text()}`);
    posted += 1;
  };
  track({ type: 'page', properties: { path: '/', search: `?utm_source=${pick(sources)}&utm_medium=cpc` } });
  for (let k = 0; k < 1 + Math.floor(random() * 4); k += 1) track({ type: 'page', properties: { path: pick(pages) } });
  track({ type: 'engagement', properties: { seconds: 30 + Math.floor(random() * 600), path: '/pricing' } });
  track({ type: 'identify', traits: { email: `${visitor}@acme${i % 7}.example`, title: pick(titles),
    company: { name: `Acme ${i % 7}`, employee_count: pick(sizes), industry: 'software' } } });
  await handOff();
  if (random() < 0.55) {
    track({ type: 'track', event: pick(['Demo Requested', 'Trial Requested']) });
    await handOff();
  }
}

// Sales answers back on every SQL that reached them: a fifth rejected with a reason, the rest
// accepted, most of those worked into an opportunity, half of which are won.
const leads = (await api('/api/leads?limit=1000')).leads.filter((lead) => lead.status === 'new');
// Each rep answers with their own token: the history records the token's user
// (docs/collector.md, "Users and roles").
const tokens = {};
for (const name of ['ana', 'ben']) tokens[name] = (await api('/api/users', { name })).token;
const feedback = (lead, body) => api(`/api/leads/${lead.id}/feedback`, body, tokens[pick(['ana', 'ben'])]);
const tally = { rejected: 0, accepted: 0, won: 0, lost: 0 };
for (const lead of leads) {
  const r = random();
  if (r < 0.2) {
    await feedback(lead, { status: 'rejected', reason: pick(['no budget', 'student', 'wrong company size', 'no budget']) });
    tally.rejected += 1;
    continue;
  }
  await feedback(lead, { status: 'accepted' });
  tally.accepted += 1;
  if (r < 0.75) {
    await feedback(lead, { status: 'opportunity' });
    const won = random() < 0.5;
    await feedback(lead, won ? { status: 'won', amount: 5000 + Math.floor(random() * 20) * 1000 } : { status: 'lost', reason: pick(['went with a competitor', 'no budget this year', 'project shelved']) });
    tally[won ? 'won' : 'lost'] += 1;
  }
}
await collector.stop();
console.log(`demo-data: ${posted} summaries posted to ${db}; sales answered on ${leads.length} leads: `
  + `${tally.accepted} accepted (${tally.won} won, ${tally.lost} lost), ${tally.rejected} rejected; `
  + `the reps' tokens: ana ${tokens.ana}, ben ${tokens.ben}`);
console.log(`next: target/release/leadpulse report --db ${args[0] ?? 'leadpulse.db'}   or   make demo (dashboard: http://127.0.0.1:8080/dashboard)`);
