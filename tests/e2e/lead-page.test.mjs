// A lead page sales can trust (issue 17), against the real collector: what is hidden stays
// hidden; every question the visitor typed is on the lead, in order, escaped; each revision
// says what changed, to the second; and the steps offered are the collector's own rules —
// the dashboard renders them from the lead (`allowed`) and the API refuses what they refuse.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { API_TOKEN, launchBrowser, leads, newVisitor, screenshot, startServer, STRICT_CSP, tempDir, until, visit, watch } from './harness.mjs';
import { answerAll, chatState, nextTurn, openChat, raiseHand, signIn, stage } from './journey.mjs';

let tmp, server, browser;
before(async () => {
  tmp = tempDir();
  server = await startServer({ db: join(tmp.dir, 'leads.db'), csp: STRICT_CSP, extra: ['--owner', 'Ana Ruiz'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.cleanup();
});

const apiGet = async (path) => {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  assert.equal(res.status, 200, path);
  return res.json();
};
const feedback = (id, body) => fetch(`${server.url}/api/leads/${id}/feedback`, {
  method: 'POST',
  headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Elements carrying `hidden` that the page still lays out (the site's CSS set their display). */
const hiddenButShown = (page) => page.evaluate(() => [...document.querySelectorAll('[hidden]')]
  .filter((el) => getComputedStyle(el).display !== 'none')
  .map((el) => el.dataset.testid || el.dataset.field || el.outerHTML.slice(0, 60)));

let visitors = 0;
/** A real hand-raiser on the demo page; resolves with the page (still open) and the lead. */
async function handRaiser() {
  visitors += 1;
  return raiseHand(browser, server.url, { name: `Lead page prospect ${visitors}`, email: `page${visitors}@halcyonfreight.com` });
}

/** Types a question into the chat (after the hand-off it is one for sales). */
async function ask(page, text) {
  const { turn } = await chatState(page);
  await page.fill('[data-testid="chat-input"]', text);
  await page.click('[data-testid="chat-send"]');
  await nextTurn(page, turn);
}

async function openDashboard() {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/dashboard`);
  return { context, page, seen };
}

const row = (page, lead) => page.locator(`[data-testid="lead-row"][data-id="${lead.id}"]`);

test('[hidden] wins over the site\'s display rules: signed out, and in every step\'s form', async () => {
  const { context, page, seen } = await openDashboard();
  await page.waitForSelector('[data-testid="sign-in"]:not([hidden])');
  assert.deepEqual(await hiddenButShown(page), [], 'signed out: nothing hidden shows');
  assert.equal(await page.isVisible('[data-testid="sign-out"]'), false, 'no "Sign out" while signed out');

  const { context: visitor, lead } = await handRaiser();
  await visitor.close();
  await signIn(page);
  await row(page, lead).waitFor();
  assert.deepEqual(await hiddenButShown(page), []);
  assert.ok(await page.isVisible('[data-testid="sign-out"]'));

  // Each step's form shows what the step asks for, and nothing else.
  const form = async (step) => {
    await row(page, lead).locator(`[data-step="${step}"]`).click();
    await page.waitForSelector('[data-testid="action-dialog"][open]');
    const shown = { reason: await page.isVisible('[data-field="reason"]'), amount: await page.isVisible('[data-field="amount"]') };
    assert.deepEqual(await hiddenButShown(page), [], `${step}: nothing hidden shows`);
    await page.click('[data-testid="action-cancel"]');
    return shown;
  };
  assert.deepEqual(await form('rejected'), { reason: true, amount: false });
  assert.equal((await feedback(lead.id, { status: 'accepted' })).status, 200);
  await page.waitForSelector(`[data-testid="lead-row"][data-id="${lead.id}"][data-status="accepted"]`);
  assert.deepEqual(await form('opportunity'), { reason: false, amount: true });
  assert.deepEqual(await form('lost'), { reason: true, amount: false });

  // The rest of the site: the demo form's outcomes and the banner hide too.
  for (const path of ['/', '/demo', '/pricing']) {
    const site = await context.newPage();
    await visit(site, `${server.url}${path}`);
    assert.deepEqual(await hiddenButShown(site), [], path);
    await site.close();
  }
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('every question the visitor typed is on the lead and its row, oldest first, once, as text; each revision says what changed, to the second', async () => {
  const { context, page, visitor, lead } = await handRaiser();
  await openChat(page);
  await answerAll(page);
  await page.waitForSelector('[data-testid="chat-next-step"]');
  // Four questions: a summary carries the latest three, so the first falls out of it.
  const asked = [
    'First: does it sync with <b>NetSuite</b>?',
    'Second: is there an EU data centre?',
    'Third: how long does onboarding take?',
    'Fourth: can we pay yearly & by invoice?',
  ];
  for (const q of asked) {
    await ask(page, q);
    await until(async () => (await leads(server.url)).find((l) => l.visitor === visitor && l.summary.questions.includes(q)), `the revision carrying "${q}"`);
  }
  await context.close();
  const latest = (await apiGet(`/api/leads/${lead.id}`));
  assert.equal(latest.lead.summary.questions.length, 3, 'the summary carries the latest three');
  assert.ok(!latest.lead.summary.questions.includes(asked[0]));
  assert.deepEqual(latest.lead.questions, asked, 'the API: every question, oldest first');

  const dash = await openDashboard();
  await signIn(dash.page);
  await row(dash.page, lead).waitFor();
  const texts = (locator) => locator.evaluateAll((items) => items.map((li) => li.textContent));
  assert.deepEqual(await texts(row(dash.page, lead).locator('[data-testid="lead-questions"] li')), asked.map((q) => `“${q}”`));
  assert.equal(await row(dash.page, lead).locator('[data-testid="lead-questions"] b').count(), 0, 'visitor text is not markup');

  await row(dash.page, lead).locator('[data-testid="lead-open"]').click();
  await dash.page.waitForSelector('[data-testid="lead-detail"][open] [data-testid="revision-row"]');
  assert.deepEqual(await texts(dash.page.locator('[data-testid="detail-questions"] li')), asked.map((q) => `“${q}”`));
  assert.equal(await dash.page.locator('[data-testid="detail-questions"] b').count(), 0);

  // Each revision against the one before it: what the API's summaries say changed is said.
  const { revisions } = await apiGet(`/api/leads/${lead.id}`);
  const rows = dash.page.locator('[data-testid="revision-row"]');
  assert.equal(await rows.count(), revisions.length);
  assert.ok(revisions.length >= asked.length + 1, `${revisions.length} revisions`);
  for (let i = 0; i < revisions.length; i++) {
    const r = rows.nth(i);
    const time = await r.locator('[data-testid="revision-at"]').textContent();
    assert.match(time, /\d{1,2}:\d{2}:\d{2}/, `revision ${i + 1} at ${time}: to the second`);
    const changes = await r.locator('[data-testid="revision-changes"]').textContent();
    const now = revisions[i].summary;
    if (i === 0) {
      assert.match(changes, /first/i, 'the first revision says so');
      continue;
    }
    const before = revisions[i - 1].summary;
    if (now.score !== before.score) assert.ok(changes.includes(`${before.score} → ${now.score}`), `score in ${changes}`);
    else assert.doesNotMatch(changes, /Score -?\d/, `no score change in ${changes}`);
    if (now.stage !== before.stage) assert.ok(changes.includes(`${before.stage} → ${now.stage}`), changes);
    for (const [slot, value] of Object.entries(now.slots || {})) {
      if ((before.slots || {})[slot] !== value) assert.ok(changes.includes(String(value)), `slot ${slot}=${value} in ${changes}`);
    }
    for (const q of now.questions) {
      if (before.questions.includes(q)) assert.ok(!changes.includes(q), `"${q}" is not new in revision ${i + 1}`);
      else assert.ok(changes.includes(q), `"${q}" is new in revision ${i + 1}: ${changes}`);
    }
    for (const { rule, points } of now.reasons) {
      const was = before.reasons.find((r) => r.rule === rule);
      if (!was || was.points !== points) assert.ok(changes.includes(rule.replace(/[_-]+/g, ' ')), `reason ${rule} in ${changes}`);
    }
    for (const [trait, value] of Object.entries(now.traits || {})) {
      if ((before.traits || {})[trait] !== value) assert.ok(changes.includes(String(value)), `trait ${trait} in ${changes}`);
    }
    assert.doesNotMatch(changes, /^\s*$/, `revision ${i + 1} says something, if only that nothing sales sees changed`);
  }
  await dash.page.locator('[data-testid="detail-revisions"]').scrollIntoViewIfNeeded();
  await screenshot(dash.page, 'dashboard-lead');
  // Times to the second in the history too.
  assert.match(await dash.page.locator('[data-testid="history-entry"] span').first().textContent(), /\d{1,2}:\d{2}:\d{2}/);
  assert.deepEqual(dash.seen.errors, []);
  await dash.context.close();
});

test('one set of rules: the API refuses lost without a reason, and the dashboard offers and asks what the lead\'s rules say', async () => {
  const { context: visitor, lead } = await handRaiser();
  await visitor.close();
  assert.equal((await feedback(lead.id, { status: 'accepted' })).status, 200);
  const refused = await feedback(lead.id, { status: 'lost', by: 'api' });
  assert.equal(refused.status, 400, 'lost needs a reason at the API too');
  assert.equal((await refused.json()).path, 'reason');
  const { lead: accepted } = await apiGet(`/api/leads/${lead.id}`);
  assert.equal(accepted.status, 'accepted');
  assert.deepEqual(accepted.allowed.find((s) => s.status === 'lost'), { status: 'lost', reason: 'required', amount: null });

  // The dashboard's buttons are the lead's `allowed`, in order; Lost without a reason is stopped
  // in the form (nothing sent), with one the lead is lost.
  const { context, page, seen } = await openDashboard();
  const posts = [];
  context.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/feedback')) posts.push(r.postData()); });
  await signIn(page);
  await row(page, lead).waitFor();
  const offered = () => row(page, lead).locator('[data-step]').evaluateAll((bs) => bs.map((b) => b.dataset.step));
  assert.deepEqual(await offered(), accepted.allowed.map((s) => s.status));
  await row(page, lead).locator('[data-step="lost"]').click();
  await page.waitForSelector('[data-testid="action-dialog"][open]');
  assert.equal(await page.getAttribute('[data-testid="action-reason"]', 'required'), '');
  await page.click('[data-testid="action-confirm"]');
  await page.waitForSelector('[data-testid="action-error"]:has-text("reason")');
  assert.deepEqual(posts, [], 'nothing sent without the reason');
  await page.click('[data-testid="action-cancel"]');

  // What the form asks is read from the lead, not from a copy in the page: the same lead, its
  // rules changed on the way (opportunity needing a reason and taking no amount), is asked so.
  await page.route('**/api/leads?*', async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    for (const l of body.leads) if (l.id === lead.id) l.allowed = [{ status: 'opportunity', reason: 'required', amount: null }];
    await route.fulfill({ response: res, json: body });
  });
  await page.selectOption('[data-testid="status-filter"]', 'accepted');
  await until(async () => JSON.stringify(await offered()) === '["opportunity"]', 'the rules as the lead carries them');
  await row(page, lead).locator('[data-step="opportunity"]').click();
  await page.waitForSelector('[data-testid="action-dialog"][open]');
  assert.equal(await page.isVisible('[data-field="reason"]'), true);
  assert.equal(await page.getAttribute('[data-testid="action-reason"]', 'required'), '');
  assert.equal(await page.isVisible('[data-field="amount"]'), false);
  await page.click('[data-testid="action-cancel"]');
  await page.unroute('**/api/leads?*');

  await page.selectOption('[data-testid="status-filter"]', '');
  await row(page, lead).locator('[data-step="lost"]').click();
  await page.fill('[data-testid="action-reason"]', 'Chose a competitor');
  await page.click('[data-testid="action-confirm"]');
  await page.waitForSelector(`[data-testid="lead-row"][data-id="${lead.id}"][data-status="lost"]`);
  assert.deepEqual(await offered(), []);
  assert.equal(JSON.parse(posts.at(-1)).reason, 'Chose a competitor');
  assert.deepEqual(seen.errors, []);
  await context.close();
});
