// The chat qualifies like a person would: at most three questions, the e-mail when it does not
// know who it talks to, one concrete next step — and a question the visitor types reaches
// sales in the stored lead (`summary.questions`) instead of being dropped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, leads, newVisitor, snapshot, startServer, tempDir, until, visit, watch } from './harness.mjs';
import { accept, answerAll, chatState, follow, nextTurn, openChat, PROSPECT, requestDemo, stage } from './journey.mjs';

let tmp, server, browser;
before(async () => {
  tmp = tempDir();
  server = await startServer({ db: join(tmp.dir, 'leads.db') });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.cleanup();
});

/** Types `text` into the chat and waits for its reply; returns the chat's state after it. */
async function type(page, text) {
  const { turn } = await chatState(page);
  await page.fill('[data-testid="chat-input"]', text);
  await page.click('[data-testid="chat-send"]');
  return nextTurn(page, turn);
}

const visitorId = (page) => page.evaluate(() => localStorage.getItem('leadpulse:id'));
const questionsAsked = (page) => page.locator('[data-testid="chat-question"]').count();

/** The stored lead of this visitor once `ok(lead)` holds. */
const leadOf = (visitor, ok, what) => until(async () => (await leads(server.url)).find((l) => l.visitor === visitor && ok(l)), what);

test('an unknown visitor: three questions at most, then the e-mail, then "book a time"; the typed question reaches sales', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/`);
  await accept(page);
  await follow(page, '/pricing');
  await openChat(page);

  // A question typed while a qualification question is on screen is acknowledged, not dropped,
  // and the qualification question stays.
  const first = await chatState(page);
  assert.equal(first.state, 'question');
  const asked = 'Does Northwind sync with NetSuite and Salesforce?';
  const afterQuestion = await type(page, asked);
  assert.equal(afterQuestion.state, 'question');
  assert.equal(afterQuestion.slot, first.slot, 'the same question is still waiting');
  assert.match(await page.locator('[data-testid="chat-ack"]').last().textContent(), /noted/);

  const slots = await answerAll(page);
  assert.ok(slots.length >= 1 && slots.length <= 3, `answered ${slots}`);
  assert.ok((await questionsAsked(page)) <= 3, 'never more than three questions');
  assert.equal((await chatState(page)).state, 'email', 'then it asks who to reply to');
  assert.ok(await page.isVisible('[data-testid="chat-email-prompt"]'));

  assert.equal((await type(page, 'maya at halcyon')).state, 'email', 'not an address: asked again');
  const done = await type(page, PROSPECT.email);
  assert.equal(done.state, 'done');
  const next = page.locator('[data-testid="chat-next-step"]').last();
  assert.equal(await next.getAttribute('data-next'), 'book', 'an SQL is offered a time');
  assert.equal(await page.getAttribute('[data-testid="chat-book"]', 'href'), '/demo');
  assert.ok((await questionsAsked(page)) <= 3);

  // Leaving an e-mail in the chat is a hand-raise: SQL at once, and the lead carries the question.
  const snap = await snapshot(page);
  assert.equal(snap.stage, 'sql');
  assert.equal(snap.route, 'hand_raise');
  const lead = await leadOf(await visitorId(page), (l) => l.summary.questions.length > 0, 'the lead with the question');
  assert.deepEqual(lead.summary.questions, [asked]);
  assert.equal(lead.summary.traits.email, PROSPECT.email);
  assert.equal(lead.status, 'new');

  // On the next page the chat remembers the conversation: no new round of questions.
  await follow(page, '/integrations');
  await openChat(page);
  await page.waitForSelector('[data-testid="chat-next-step"]');
  assert.equal((await chatState(page)).state, 'done');
  assert.equal(await questionsAsked(page), 0, 'no question asked again after a page change');
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('a known visitor is not asked for an e-mail; a question typed after the hand-off arrives as a revision', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/demo`);
  await accept(page);
  await requestDemo(page);
  await stage(page, 'sql');
  const visitor = await visitorId(page);
  const first = await leadOf(visitor, () => true, 'the hand-raiser\'s lead');
  assert.equal(first.revision, 1);

  await openChat(page);
  const slots = await answerAll(page);
  assert.ok(slots.length <= 3, `answered ${slots}`);
  // Sales has this visitor now (the tracker learned it): no demo pitch, who has them instead.
  const end = await page.waitForSelector('[data-testid="chat-next-step"][data-next="with-sales"]');
  assert.match(await end.textContent(), /has your request and will be in touch/);
  assert.equal(await page.locator('[data-testid="chat-book"]').count(), 0, 'no "book a demo" for a visitor sales has');
  assert.equal(await page.locator('[data-testid="chat-email-prompt"]').count(), 0, 'a known visitor is not asked for an e-mail');

  // Multi-byte text and a control character: printable, cut to 240 bytes on a character boundary.
  const long = `Can we keep the data in the EU\u0007 ${'é'.repeat(200)}?`;
  const state = await type(page, long);
  assert.equal(state.state, 'done');
  const want = `Can we keep the data in the EU ${'é'.repeat(104)}`; // 31 + 2 × 104 = 239 bytes
  const revised = await leadOf(visitor, (l) => l.summary.questions.includes(want), 'the revision with the question');
  assert.ok(revised.revision > first.revision, `revision ${revised.revision}`);
  assert.equal(revised.id, first.id, 'the same lead, revised');
  assert.ok(Buffer.byteLength(want) <= 240);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('before consent an e-mail typed in the chat is a request: it reaches sales, and the chat promises a reply only once the collector has it', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/pricing`);
  assert.equal(await page.evaluate(() => window.leadpulse.consent()), 'pending');
  await openChat(page);
  const asked = 'Can you show the HubSpot sync?';
  await type(page, asked);
  await answerAll(page);
  assert.equal((await chatState(page)).state, 'email');
  const email = 'devon.price@halcyonfreight.com';
  await type(page, email);
  const next = page.locator('[data-testid="chat-next-step"]').last();
  assert.doesNotMatch(await next.textContent(), /will reply/, 'no promise before the collector has it');
  const sent = await page.waitForSelector('[data-testid="chat-request-sent"]');
  assert.match(await sent.textContent(), /will reply by e-mail/);
  assert.equal(await page.evaluate(() => window.leadpulse.consent()), 'pending', 'consent is not needed for a request');
  assert.ok(await page.isVisible('[data-testid="consent-banner"]'));
  const lead = await until(async () => (await leads(server.url)).find((l) => l.visitor === `form:${email}`), 'the request\'s lead');
  assert.deepEqual([lead.basis, lead.status, lead.summary, lead.request.form], ['request', 'new', null, 'chat']);
  assert.equal(lead.request.fields.message, asked, 'the question typed travels with the request');
  assert.equal(lead.request.visitor, undefined, 'no visitor id without consent');
  assert.deepEqual(seen.collect.map((c) => JSON.parse(c.body).type), ['request'], 'nothing but the request');
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('a visitor who skips the e-mail is pointed to the demo form, with no promise of a reply', async () => {
  const context = await newVisitor(browser);
  const page = await context.newPage();
  await visit(page, `${server.url}/`);
  await accept(page);
  await openChat(page);
  await answerAll(page);
  assert.equal((await chatState(page)).state, 'email');
  const { turn } = await chatState(page);
  await page.click('[data-testid="chat-skip"]');
  assert.equal((await nextTurn(page, turn)).state, 'done');
  const end = page.locator('[data-testid="chat-next-step"]').last();
  assert.equal(await end.getAttribute('data-next'), 'browse');
  assert.doesNotMatch(await end.textContent(), /reply/);
  assert.equal(await page.getAttribute('[data-testid="chat-book"]', 'href'), '/demo');
  assert.notEqual((await snapshot(page)).stage, 'sql', 'skipping is not a hand-raise');
  await context.close();
});
