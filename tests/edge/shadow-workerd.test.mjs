// A shadow (challenger) model in real workerd (tests/edge/shadow.capnp: the example worker with
// LEADPULSE_SHADOW_MODEL) in front of a real `leadpulse serve --require-signature`: the stored
// revisions carry the challenger's { model, score, stage }, its state lives in its own cookie
// across a week of visits, a broken challenger changes nothing the champion does, and without
// one there is no shadow cookie and no shadow field. Absences are asserted on summaries the
// collector did store (or after a marker hand-off), never after a sleep.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Scorer } from '../../pkg/node.js';
import { openCookie, openShadowCookie } from './cookie-tools.mjs';
import { COOKIE_SECRET, WORKER_SECRETS, eventually, startOrigin, startWorkerd } from './harness.mjs';
import { challengerModel } from './unit.mjs';
import { DAY, Visitor } from './visitor.mjs';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const COOKIE = '__Host-lp';
const SHADOW = '__Host-lp-shadow';
const FORM = {
  'leadpulse-form': 'demo', name: 'Dana Reyes', email: 'dana.reyes@acme-logistics.com', title: 'VP of Revenue Operations',
  company: 'Acme Logistics', employee_count: '500', industry: 'Logistics',
};
const CHALLENGER = challengerModel();
const CHALLENGER_HASH = new Scorer(CHALLENGER).modelHash;
const CHAMPION_HASH = new Scorer().modelHash;

let origin;
let edge;

before(async () => {
  origin = await startOrigin();
  edge = await startWorkerd({
    config: 'tests/edge/shadow.capnp',
    sockets: ['shadow', 'broken-shadow', 'plain'],
    external: { origin: `127.0.0.1:${origin.port}` },
    env: { ...WORKER_SECRETS, LEADPULSE_TEST_SHADOW_MODEL: JSON.stringify(CHALLENGER) },
  });
  // The first summary a fresh collector stores can take longer than the edge waits (300 ms).
  await marker(edge.urls.plain);
});

after(async () => {
  await edge?.stop();
  await origin?.stop();
  if (process.env.EDGE_TEST_VERBOSE) process.stderr.write(edge?.logs() ?? '');
});

/** A week of visits: blog (from search), pricing ×3 (MQL on day 5), demo page, demo form (SQL). */
async function qualifyingWeek(visitor, start) {
  const steps = [];
  steps.push(await visitor.get('/blog/?utm_source=google&utm_medium=cpc', start, { referer: 'https://www.google.com/' }));
  for (const day of [1, 3, 5]) steps.push(await visitor.get('/pricing', start + day * DAY));
  steps.push(await visitor.get('/demo', start + 6 * DAY));
  steps.push(await visitor.postForm('/demo', FORM, start + 6 * DAY + 2 * MINUTE));
  return steps;
}

/** The positive marker: a new hand-raiser's SQL through `base`, awaited until it is stored. */
async function marker(base) {
  const visitor = new Visitor(base);
  const at = Date.now() - HOUR;
  await visitor.get('/demo', at);
  const form = await visitor.postForm('/demo', FORM, at + MINUTE);
  assert.equal(form.delivery?.sent, true, 'the marker hand-off was sent');
  const stored = await eventually(async () => (await origin.leadOf(visitor.id))?.summaryId === form.delivery.id, 10_000);
  assert.ok(stored, 'the marker reached the collector');
}

/** Every revision the collector stored for `visitor`, with its summary. */
async function storedRevisions(visitor) {
  const lead = await origin.leadOf(visitor);
  return lead ? (await origin.lead(lead.id)).revisions : [];
}

/** What a step did for the champion, without the visitor-specific ids. */
const championView = (step) => [step.status, step.stage, step.cookie, step.delivery && [step.delivery.state, step.delivery.sent, step.delivery.status]];

describe('shadow model in workerd, real collector', () => {
  test('a week of visits: MQL and SQL revisions carry the challenger\'s hash and a higher, growing score', async () => {
    const visitor = new Visitor(edge.urls.shadow);
    const steps = await qualifyingWeek(visitor, Date.now() - 7 * DAY);
    assert.deepEqual(steps.map((s) => s.stage), ['visitor', 'visitor', 'visitor', 'mql', 'mql', 'sql']);

    // Two cookies on every response, the shadow's paired with the state cookie's write.
    for (const [i, step] of steps.entries()) {
      assert.equal(step.setCookies.length, 2, `step ${i}: ${step.setCookies}`);
      assert.match(step.setCookies[1], /^__Host-lp-shadow=s1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      for (const line of step.setCookies) assert.ok(line.length < 4096, `cookie of ${line.length} bytes`);
      assert.equal(step.shadow.model, CHALLENGER_HASH);
      assert.equal(step.shadow.history, 'whole');
      assert.equal(step.shadow.cookie, i === 0 ? 'missing' : 'valid');
    }
    const main = openCookie(visitor.cookies.get(COOKIE), { name: COOKIE, secret: COOKIE_SECRET });
    const shadow = openShadowCookie(visitor.cookies.get(SHADOW), { name: SHADOW, secret: COOKIE_SECRET });
    assert.ok(main.signatureOk && shadow.signatureOk);
    assert.deepEqual([shadow.visitor, shadow.counter, shadow.history], [visitor.id, main.counter, 'w']);

    // The shadow's state persisted: its score grew over the week, like the champion's.
    const scores = steps.map((s) => s.shadow.score);
    for (let i = 1; i < scores.length; i += 1) assert.ok(scores[i] >= scores[i - 1], `shadow scores ${scores}`);
    assert.ok(scores.at(-1) > scores[1] && scores[1] > scores[0], `shadow scores ${scores}`);

    const handOffs = steps.filter((s) => s.delivery?.sent);
    assert.deepEqual(handOffs.map((s) => [s.stage, s.delivery.state]), [['mql', 'delivered'], ['sql', 'delivered']]);
    const revisions = await storedRevisions(visitor.id);
    assert.deepEqual(revisions.map((r) => r.id), handOffs.map((s) => s.delivery.id));
    for (const [i, { summary }] of revisions.entries()) {
      assert.equal(summary.model, CHAMPION_HASH);
      assert.deepEqual(summary.shadow, { model: CHALLENGER_HASH, score: handOffs[i].shadow.score, stage: handOffs[i].shadow.stage });
      assert.ok(summary.shadow.score > summary.score, `challenger ${summary.shadow.score} vs champion ${summary.score}`);
    }
    assert.ok(revisions[1].summary.shadow.score > revisions[0].summary.shadow.score, 'the SQL\'s shadow score is above the MQL\'s');
    const lead = await origin.leadOf(visitor.id);
    assert.deepEqual([lead.stage, lead.trust, lead.summary.shadow.model], ['sql', 'verified', CHALLENGER_HASH]);
  });

  test('a broken challenger: pages, stages, cookie and hand-offs as without one; no shadow stored; logged', async () => {
    const start = Date.now() - 7 * DAY;
    const plain = new Visitor(edge.urls.plain);
    const broken = new Visitor(edge.urls['broken-shadow']);
    const plainSteps = await qualifyingWeek(plain, start);
    const brokenSteps = await qualifyingWeek(broken, start);
    assert.deepEqual(brokenSteps.map(championView), plainSteps.map(championView));
    assert.deepEqual(brokenSteps.map((s) => s.body), plainSteps.map((s) => s.body), 'the same pages');
    for (const step of brokenSteps) {
      assert.equal(step.shadow, null);
      assert.equal(step.setCookies.length, 1, 'the state cookie only');
      assert.match(step.setCookies[0], /^__Host-lp=2\./);
    }
    const revisions = await storedRevisions(broken.id);
    assert.deepEqual(revisions.map((r) => r.summary.stage), ['mql', 'sql'], 'both hand-offs stored');
    for (const { summary } of revisions) assert.equal('shadow' in summary, false);
    const logged = await eventually(() => edge.logs().includes('leadpulse: shadow skipped (the champion is unaffected): shadow model: '), 5000);
    assert.ok(logged, `workerd logged the broken shadow:\n${edge.logs().slice(-2000)}`);
  });

  test('no shadow model: no shadow cookie, no shadow debug view, no shadow field in what the collector stored', async () => {
    const visitor = new Visitor(edge.urls.plain);
    const steps = await qualifyingWeek(visitor, Date.now() - 7 * DAY);
    assert.equal(steps.at(-1).stage, 'sql');
    for (const step of steps) {
      assert.deepEqual(step.setCookies.map((c) => c.split('=')[0]), [COOKIE]);
      assert.equal(step.shadow, null);
    }
    assert.equal(visitor.cookies.has(SHADOW), false);
    const revisions = await storedRevisions(visitor.id);
    assert.deepEqual(revisions.map((r) => r.summary.stage), ['mql', 'sql']);
    for (const { summary } of revisions) assert.equal('shadow' in summary, false);
  });

  test('consent withdrawn (GPC) deletes the shadow cookie with the state cookie', async () => {
    const visitor = new Visitor(edge.urls.shadow);
    await visitor.get('/pricing', Date.now() - HOUR);
    assert.deepEqual([...visitor.cookies.keys()].sort(), [COOKIE, SHADOW]);
    const denied = await visitor.get('/pricing', Date.now() - HOUR + MINUTE, { 'sec-gpc': '1' });
    assert.deepEqual(denied.setCookies.map((c) => c.split(';').slice(0, 2).join(';')), [`${COOKIE}=; Max-Age=0`, `${SHADOW}=; Max-Age=0`]);
    assert.equal(visitor.cookies.size, 0);
  });
});
