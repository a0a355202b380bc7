// The sales dashboard against the real collector: nothing without the API token (a wrong one
// is refused and asked for again), leads that real visitors produced, and sales' answers —
// accept → opportunity → won with the audit trail, reject only with a reason, only the steps
// the lead allows, and the server's reason when another rep got there first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TOKEN, launchBrowser, leads, newVisitor, ROOT, startServer, STRICT_CSP, tempDir, until, visit, watch } from './harness.mjs';
import { accept, downloadCaseStudy, follow, PROSPECT, raiseHand, requestDemo, signIn as signInWith, stage } from './journey.mjs';

let tmp, server, browser, danaToken;
const OWNERS = ['Ana Ruiz', 'Ben Cole'];
before(async () => {
  tmp = tempDir();
  // Under the strict CSP: the dashboard has no inline script or style to be blocked.
  server = await startServer({ db: join(tmp.dir, 'leads.db'), csp: STRICT_CSP, extra: OWNERS.flatMap((o) => ['--owner', o]) });
  browser = await launchBrowser();
  // A rep with her own token: the history records changes as the token's user's
  // (docs/collector.md, "Users and roles"), whatever name the page sends.
  const res = await fetch(`${server.url}/api/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Dana Rep' }),
  });
  assert.equal(res.status, 201);
  danaToken = (await res.json()).token;
});
after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.cleanup();
});

let visitors = 0;
/** A real visitor journey: a hand-raiser on the demo page; resolves with the stored lead. */
async function handRaiser() {
  visitors += 1;
  const who = { name: `Prospect ${visitors} <i>of</i> Halcyon`, email: `buyer${visitors}@halcyonfreight.com` };
  const { context, lead } = await raiseHand(browser, server.url, who);
  await context.close();
  return lead;
}

/** The lead as the API has it now. */
async function apiLead(id) {
  const res = await fetch(`${server.url}/api/leads/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  assert.equal(res.status, 200);
  return res.json();
}

const violations = (seen) => seen.console.filter((m) => /Content Security Policy|Refused to/i.test(m));

async function openDashboard() {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const api = [];
  context.on('response', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) api.push({ url: r.url(), status: r.status() }); });
  const page = await context.newPage();
  await page.goto(`${server.url}/dashboard`);
  return { context, page, seen, api };
}

const signIn = (page, token = API_TOKEN) => signInWith(page, { token });

const row = (page, lead) => page.locator(`[data-testid="lead-row"][data-id="${lead.id}"]`);
const offered = (scope) => scope.locator('[data-step]').evaluateAll((bs) => bs.map((b) => b.dataset.step));
const rowStatus = (page, lead, status) => page.waitForSelector(`[data-testid="lead-row"][data-id="${lead.id}"][data-status="${status}"]`);

/** Starts a step from the lead's row; for a step with a form, fills it and confirms. */
async function step(page, lead, name, fields = {}) {
  await row(page, lead).locator(`[data-step="${name}"]`).click();
  if (name === 'accepted') return;
  await page.waitForSelector('[data-testid="action-dialog"][open]');
  if (fields.reason != null) await page.fill('[data-testid="action-reason"]', fields.reason);
  if (fields.amount != null) await page.fill('[data-testid="action-amount"]', String(fields.amount));
  await page.click('[data-testid="action-confirm"]');
}

test('without the token nothing about a lead is shown; a wrong token is refused and asked for again', async () => {
  const lead = await handRaiser();
  const { context, page, seen, api } = await openDashboard();
  await page.waitForSelector('[data-testid="sign-in"]:not([hidden]) [data-testid="sign-in-token"]');
  assert.ok(await page.isHidden('[data-testid="dash-app"]'));
  assert.ok(!(await page.content()).includes(API_TOKEN), 'no token in the page');

  // A wrong token: the API answers 401, the form comes back and says why (the later marker
  // that proves the page did everything it was going to do with no or a wrong token).
  await signIn(page, 'not-the-token-0000');
  await page.waitForSelector('[data-testid="sign-in"]:not([hidden]) [data-testid="sign-in-message"]:has-text("refused")');
  assert.ok(api.length >= 1, 'the wrong token was tried');
  assert.deepEqual(api.filter((r) => r.status !== 401), [], 'every API call so far was refused');
  assert.equal(await page.locator('[data-testid="lead-row"]').count(), 0);
  assert.ok(!(await page.content()).includes(PROSPECT.company), 'no lead data on the page');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dashboard:token')), null, 'the refused token is not kept');

  // The right token shows the lead; signing out forgets the token, also across a reload.
  await signIn(page);
  await row(page, lead).waitFor();
  await page.waitForSelector('[data-testid="dash-rep"]:not([hidden]):has-text("Signed in as api (admin)")');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dashboard:token')), API_TOKEN);
  assert.equal(await page.evaluate(() => localStorage.getItem('dashboard:token')), null, 'never in localStorage');
  await page.click('[data-testid="sign-out"]');
  await page.waitForSelector('[data-testid="sign-in"]:not([hidden])');
  assert.equal(await page.locator('[data-testid="lead-row"]').count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dashboard:token')), null);
  await page.reload();
  await page.waitForSelector('[data-testid="sign-in"]:not([hidden])');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(violations(seen), []);
  await context.close();
});

test('accept → opportunity → won through the dashboard, with only the allowed steps and the history', async () => {
  const lead = await handRaiser();
  const { context, page, seen } = await openDashboard();
  await signIn(page, danaToken);
  await row(page, lead).waitFor();
  await page.waitForSelector('[data-testid="dash-rep"]:not([hidden]):has-text("Signed in as Dana Rep")');

  // What sales sees of the hand-raiser, escaped as text.
  const text = await row(page, lead).textContent();
  assert.match(text, /Prospect \d+ <i>of<\/i> Halcyon/, 'visitor text is shown as text, not markup');
  assert.match(text, /hand raise/);
  assert.ok(OWNERS.includes(lead.owner), `an owner was assigned: ${lead.owner}`);
  assert.equal(await row(page, lead).locator('[data-testid="lead-owner"]').textContent(), lead.owner);
  assert.equal(await row(page, lead).locator('[data-testid="lead-trust"]').textContent(), 'unverified');
  assert.match(await row(page, lead).locator('[data-testid="lead-wait"]').textContent(), /^waiting \d+/);
  assert.deepEqual(await offered(row(page, lead)), ['accepted', 'rejected'], 'a new lead: accept or reject only');

  await step(page, lead, 'accepted');
  await rowStatus(page, lead, 'accepted');
  assert.deepEqual(await offered(row(page, lead)), ['opportunity', 'rejected', 'lost']);
  assert.doesNotMatch(await row(page, lead).locator('[data-testid="lead-wait"]').textContent(), /waiting/, 'time to accept is measured');

  await step(page, lead, 'opportunity', { amount: 25000 });
  await rowStatus(page, lead, 'opportunity');
  assert.deepEqual(await offered(row(page, lead)), ['won', 'lost']);

  // Won needs the amount: the form says so and nothing is sent.
  await step(page, lead, 'won');
  await page.waitForSelector('[data-testid="action-error"]:has-text("amount")');
  assert.equal((await apiLead(lead.id)).lead.status, 'opportunity');
  await page.fill('[data-testid="action-amount"]', '48000');
  await page.click('[data-testid="action-confirm"]');
  await rowStatus(page, lead, 'won');
  assert.deepEqual(await offered(row(page, lead)), [], 'a won lead takes no further step');

  // The detail view: revisions and the audit trail.
  await row(page, lead).locator('[data-testid="lead-open"]').click();
  await page.waitForSelector('[data-testid="lead-detail"][open][data-status="won"] [data-testid="history-entry"]');
  const trail = await page.locator('[data-testid="history-entry"]').evaluateAll((li) => li.map((l) => l.dataset.to));
  assert.deepEqual(trail, ['new', 'accepted', 'opportunity', 'won']);
  const history = await page.textContent('[data-testid="detail-history"]');
  assert.match(history, /Dana Rep/);
  assert.match(history, /48,000/);
  assert.ok((await page.locator('[data-testid="revision-row"]').count()) >= 1);
  assert.equal(await page.locator('[data-testid="detail-actions"] [data-step]').count(), 0);

  const stored = (await apiLead(lead.id)).lead;
  assert.equal(stored.status, 'won');
  assert.equal(stored.amount, 48000);
  assert.ok(stored.acceptedAt);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(violations(seen), []);
  await context.close();
});

test('reject needs a reason; an open form survives the refresh; a step another rep took first is refused with the server\'s reason', async () => {
  const lead = await handRaiser();
  const other = await handRaiser();
  const { context, page, seen } = await openDashboard();
  await signIn(page, danaToken);
  await row(page, lead).waitFor();

  // Reject with no reason: the form says why, and the lead is untouched.
  await step(page, lead, 'rejected', { reason: '' });
  await page.waitForSelector('[data-testid="action-error"]:has-text("reason is required")');
  assert.ok(await page.isVisible('[data-testid="action-dialog"]'));
  const untouched = await apiLead(lead.id);
  assert.equal(untouched.lead.status, 'new');
  assert.equal(untouched.history.length, 1);

  // A half-typed reason survives a refresh behind the dialog (a new lead pushed to the list).
  await page.fill('[data-testid="action-reason"]', 'Student project, no budget');
  const arriving = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/summary/valid.json'), 'utf8'));
  const posted = await fetch(`${server.url}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(arriving) });
  assert.equal(posted.status, 201);
  await page.locator(`[data-testid="lead-row"][data-id="${(await posted.json()).lead}"]`).waitFor();
  assert.equal(await page.inputValue('[data-testid="action-reason"]'), 'Student project, no budget');
  await page.click('[data-testid="action-confirm"]');
  await rowStatus(page, lead, 'rejected');
  assert.deepEqual(await offered(row(page, lead)), []);
  const rejected = await apiLead(lead.id);
  assert.equal(rejected.history.at(-1).reason, 'Student project, no budget');
  assert.equal(rejected.history.at(-1).by, 'Dana Rep');

  // Another rep marks the lead lost while this one has the opportunity form open: the server
  // refuses (409) and its reason is shown; the row catches up.
  await step(page, other, 'accepted');
  await rowStatus(page, other, 'accepted');
  await row(page, other).locator('[data-step="opportunity"]').click();
  await page.waitForSelector('[data-testid="action-dialog"][open]');
  const res = await fetch(`${server.url}/api/leads/${other.id}/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'lost', reason: 'Went with a competitor', by: 'Ben Cole' }),
  });
  assert.equal(res.status, 200);
  await page.click('[data-testid="action-confirm"]');
  await page.waitForSelector('[data-testid="action-error"]:has-text("a lost lead takes no further status")');
  await rowStatus(page, other, 'lost');
  await page.click('[data-testid="action-cancel"]');
  assert.deepEqual(await offered(row(page, other)), []);

  // The status filter asks the server for one status.
  await page.selectOption('[data-testid="status-filter"]', 'rejected');
  await until(async () => {
    const ids = await page.locator('[data-testid="lead-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.id));
    return ids.length === 1 && ids[0] === String(lead.id);
  }, 'only the rejected lead');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(violations(seen), []);
  await context.close();
});

test('a disqualified hand-raiser still reaches sales, flagged: the disqualifier shown beside accept and reject', async () => {
  // A real journey: pricing twice and a case study, then the demo form as a student. The form is
  // a request (heard whatever the score); the engine's disqualifier travels with the lead.
  const context = await newVisitor(browser);
  const page = await context.newPage();
  await visit(page, `${server.url}/`);
  await accept(page);
  for (const path of ['/pricing', '/case-studies/', '/case-studies/halcyon-freight']) await follow(page, path);
  await downloadCaseStudy(page);
  await follow(page, '/pricing');
  await follow(page, '/demo');
  await requestDemo(page, { ...PROSPECT, title: 'Graduate student', email: 'sam.student@halcyonfreight.com' });
  const visitor = await page.evaluate(() => localStorage.getItem('leadpulse:id'));
  await context.close();
  const lead = await until(async () => (await leads(server.url)).find((l) => l.visitor === visitor && l.summary), 'the lead with its summary');
  assert.equal(lead.status, 'new', 'the request is heard');
  assert.equal(lead.summary.stage, 'mql', 'the score alone did not make it an SQL');
  assert.deepEqual(lead.summary.disqualifiers, [{ rule: 'student_title' }]);
  assert.equal(lead.request.form, 'demo');

  const dash = await openDashboard();
  await signIn(dash.page);
  await row(dash.page, lead).waitFor();
  assert.match(await row(dash.page, lead).locator('.chip-bad').textContent(), /student title/);
  assert.deepEqual(await offered(row(dash.page, lead)), ['accepted', 'rejected'], 'sales decides');
  await row(dash.page, lead).locator('[data-testid="lead-open"]').click();
  await dash.page.waitForSelector('[data-testid="lead-detail"][open][data-status="new"]');
  assert.match(await dash.page.textContent('[data-testid="detail-disqualifiers"]'), /student title/);
  assert.match(await dash.page.textContent('[data-testid="detail-requests"]'), /demo form/);
  assert.deepEqual(dash.seen.errors, []);
  assert.deepEqual(violations(dash.seen), []);
  await dash.context.close();
});
