// Changing secrets under a running edge (docs/edge.md, "Rotating secrets"): the example worker
// in real workerd (tests/edge/config.capnp, its "outage" worker, whose collector is the external
// service "collector") in front of real `leadpulse serve` processes that are restarted with
// other secrets on the same port and database, and workerd itself restarted with other
// secrets, as a deploy would. The test clock (`x-leadpulse-test-now`) makes re-sends due.
//
// "Nothing more was stored" is asserted after a marker hand-off (journeys.mjs), never a sleep.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { openCookie } from './cookie-tools.mjs';
import { eventually, freePort, startOrigin, startWorkerd } from './harness.mjs';
import { FORM, HOUR, MINUTE, handRaiser, marker, revisions } from './journeys.mjs';
import { DAY, Visitor } from './visitor.mjs';

const COOKIE = '__Host-lp';
const COOKIE_OLD = 'rotation-cookie-old-0123456789abcdef';
const COOKIE_NEW = 'rotation-cookie-new-0123456789abcdef';
const SIGNING_OLD = 'rotation-signing-old-0123456789abcdef';
const SIGNING_NEW = 'rotation-signing-new-0123456789abcdef';

let origin; // serves the site's pages (ORIGIN); never restarted
let rig; // the collector and workerd that the tests restart: { port, dir, collector, edge }

before(async () => {
  origin = await startOrigin();
  rig = { port: await freePort(), dir: mkdtempSync(join(tmpdir(), 'leadpulse-edge-rotation-')), collector: null, edge: null };
});

after(async () => {
  if (process.env.EDGE_TEST_VERBOSE) process.stderr.write(rig?.edge?.logs() ?? '');
  await rig?.edge?.stop();
  await rig?.collector?.stop();
  await origin?.stop();
  if (rig) rmSync(rig.dir, { recursive: true, force: true });
});

/** (Re)starts the collector on its port and database: `secret` current, `previous` also verified. */
async function collector({ secret, previous }) {
  await rig.collector?.stop({ keep: true });
  rig.collector = null;
  const extra = previous ? ['--previous-signing-secret', previous] : [];
  rig.collector = await startOrigin({ port: rig.port, dir: rig.dir, secret, extra });
  return rig.collector;
}

async function stopCollector() {
  await rig.collector?.stop({ keep: true });
  rig.collector = null;
}

/** (Re)deploys the edge with these secrets; returns the base URL of its "outage" worker. */
async function deploy({ cookie, previousCookie = '', signing }) {
  await rig.edge?.stop();
  rig.edge = await startWorkerd({
    config: 'tests/edge/config.capnp',
    sockets: ['http', 'broken', 'outage'],
    external: { origin: `127.0.0.1:${origin.port}`, collector: `127.0.0.1:${rig.port}` },
    // NOTE: empty means "no previous cookie secret", as an emptied binding would in production.
    env: { LEADPULSE_COOKIE_SECRET: cookie, LEADPULSE_PREVIOUS_COOKIE_SECRET: previousCookie, LEADPULSE_SIGNING_SECRET: signing },
  });
  return rig.edge.urls.outage;
}

/** The collector's one lead for `visitor`, after a marker: every hand-off before it has arrived. */
async function onlyLead(base, visitor) {
  await marker(base, rig.collector);
  const leads = (await rig.collector.leads()).filter((l) => l.visitor === visitor);
  assert.equal(leads.length, 1, 'one lead for the visitor');
  return leads[0];
}

describe('rotating secrets, in workerd against real collectors', () => {
  test('401 while the collector holds another signing secret: pending, then delivered by the visitor\'s next due request', async () => {
    await collector({ secret: SIGNING_OLD });
    const base = await deploy({ cookie: COOKIE_OLD, signing: SIGNING_NEW });
    const t0 = Date.now() - HOUR;
    const { visitor, form } = await handRaiser(base, t0);
    assert.equal(form.stage, 'sql');
    const pending = form.delivery;
    assert.deepEqual([pending.sent, pending.state, pending.status, pending.attempts], [true, 'pending', 401, 1], JSON.stringify(pending));
    assert.match(pending.error, /X-LeadPulse-Signature does not match the body/);
    assert.ok(pending.nextAttemptAt > t0 + MINUTE, 'backed off');
    const warned = await eventually(() => rig.edge.logs().includes(`the collector answered 401 to summary ${pending.id}`));
    assert.ok(warned, `workerd logged it:\n${rig.edge.logs().slice(-2000)}`);

    // The collector takes the edge's secret (restarted with it).
    await collector({ secret: SIGNING_NEW });
    await marker(base, rig.collector); // its first store may be slow: not the one under test
    const early = await visitor.get('/', t0 + MINUTE + 1000);
    assert.deepEqual([early.delivery.sent, early.delivery.state], [false, 'pending'], 'not before its time');
    const due = await visitor.get('/blog/', pending.nextAttemptAt);
    assert.deepEqual([due.delivery.sent, due.delivery.id, due.delivery.state, due.delivery.status], [true, pending.id, 'delivered', 201],
      JSON.stringify(due.delivery));
    const lead = await onlyLead(base, visitor.id);
    assert.deepEqual([lead.summaryId, lead.stage, lead.trust], [pending.id, 'sql', 'verified']);
    assert.deepEqual(await revisions(rig.collector, visitor.id), [pending.id], 'stored once');
  });

  test('a new cookie secret with the old one as previous: the visitor, state and pending hand-off are kept', async () => {
    await stopCollector(); // down for the hand-off: it stays pending in the cookie
    let base = await deploy({ cookie: COOKIE_OLD, signing: SIGNING_NEW });
    const t0 = Date.now() - HOUR;
    const { visitor, form } = await handRaiser(base, t0);
    const pending = form.delivery;
    assert.deepEqual([pending.state, pending.status], ['pending', 0], JSON.stringify(pending));
    const id = visitor.id;

    await collector({ secret: SIGNING_NEW });
    base = await deploy({ cookie: COOKIE_NEW, previousCookie: COOKIE_OLD, signing: SIGNING_NEW });
    visitor.base = base;
    await marker(base, rig.collector);
    const read = await visitor.get('/', t0 + MINUTE + 1000);
    assert.deepEqual([read.cookie, visitor.id, read.stage], ['previous', id, 'sql']);
    assert.deepEqual([read.delivery.id, read.delivery.state, read.delivery.sent, read.delivery.attempts], [pending.id, 'pending', false, 1]);
    const value = visitor.cookies.get(COOKIE);
    assert.equal(openCookie(value, { name: COOKIE, secret: COOKIE_NEW }).signatureOk, true, 'rewritten under the new secret');
    assert.equal(openCookie(value, { name: COOKIE, secret: COOKIE_OLD }).signatureOk, false);

    const due = await visitor.get('/blog/', pending.nextAttemptAt);
    assert.deepEqual([due.cookie, due.delivery.sent, due.delivery.id, due.delivery.state], ['valid', true, pending.id, 'delivered'],
      JSON.stringify(due.delivery));
    const lead = await onlyLead(base, id);
    assert.deepEqual([lead.summaryId, lead.trust], [pending.id, 'verified']);
  });

  test('the runbook, both secrets: a visitor who qualifies during it arrives once, verified, and keeps their state', async () => {
    // Before: one signing secret on both sides, one cookie secret.
    await collector({ secret: SIGNING_OLD });
    let base = await deploy({ cookie: COOKIE_OLD, signing: SIGNING_OLD });
    await marker(base, rig.collector);
    const visitor = new Visitor(base);
    const idle = new Visitor(base); // comes once, before the cookie secret changes, never again
    const start = Date.now() - 10 * DAY;
    await visitor.get('/blog/?utm_source=google', start);
    await idle.get('/pricing', start);
    for (const day of [1, 3]) await visitor.get('/pricing', start + day * DAY);

    // Signing secret, step 1: the collector takes NEW, and OLD as previous. The edge (OLD) is
    // still accepted: the visitor becomes an MQL and it is delivered at once.
    await collector({ secret: SIGNING_NEW, previous: SIGNING_OLD });
    await marker(base, rig.collector);
    const mql = await visitor.get('/pricing', start + 5 * DAY);
    assert.equal(mql.stage, 'mql');
    assert.deepEqual([mql.delivery.sent, mql.delivery.state, mql.delivery.status], [true, 'delivered', 201], JSON.stringify(mql.delivery));

    // Step 2: the edge signs with NEW. The visitor sends the demo form: an SQL, delivered.
    base = await deploy({ cookie: COOKIE_OLD, signing: SIGNING_NEW });
    visitor.base = base;
    await marker(base, rig.collector);
    await visitor.get('/demo', start + 6 * DAY);
    const sql = await visitor.postForm('/demo', FORM, start + 6 * DAY + 2 * MINUTE);
    assert.equal(sql.stage, 'sql');
    assert.deepEqual([sql.delivery.sent, sql.delivery.state, sql.delivery.status], [true, 'delivered', 201], JSON.stringify(sql.delivery));

    // Step 3: OLD dropped at the collector; the edge's summaries (NEW) are still taken.
    await collector({ secret: SIGNING_NEW });
    await marker(base, rig.collector);

    // Cookie secret, step 1: NEW current, OLD previous. The visitor is read and rewritten.
    base = await deploy({ cookie: COOKIE_NEW, previousCookie: COOKIE_OLD, signing: SIGNING_NEW });
    visitor.base = base;
    idle.base = base;
    const id = visitor.id;
    const read = await visitor.get('/', start + 6 * DAY + 10 * MINUTE);
    assert.deepEqual([read.cookie, visitor.id, read.stage], ['previous', id, 'sql']);
    assert.deepEqual([read.delivery.id, read.delivery.state, read.delivery.sent], [sql.delivery.id, 'delivered', false], 'the delivery record too');
    assert.equal(openCookie(visitor.cookies.get(COOKIE), { name: COOKIE, secret: COOKIE_NEW }).signatureOk, true);
    // Step 2: after the cookie lifetime (30 days + 10 minutes of slack) the previous secret
    // opens nothing any more: a cookie last written under OLD has expired.
    const lapsed = await idle.get('/pricing', start + 30 * DAY + 11 * MINUTE);
    assert.equal(lapsed.cookie, 'expired');

    // Step 3: the previous cookie secret removed. The rewritten cookie needs it no more.
    base = await deploy({ cookie: COOKIE_NEW, signing: SIGNING_NEW });
    visitor.base = base;
    const after = await visitor.get('/blog/', start + 6 * DAY + 20 * MINUTE);
    assert.deepEqual([after.cookie, visitor.id, after.stage, after.delivery.sent], ['valid', id, 'sql', false]);

    const lead = await onlyLead(base, id);
    assert.deepEqual([lead.stage, lead.trust, lead.summaryId], ['sql', 'verified', sql.delivery.id]);
    assert.deepEqual(await revisions(rig.collector, id), [mql.delivery.id, sql.delivery.id], 'each revision once');
  });
});
