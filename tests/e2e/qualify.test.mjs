// The core promise, end to end in a real browser against the real collector: reading the blog
// does not make a lead; a prospect who revisits pricing, reads a case study, answers the chat
// and requests a demo becomes an SQL, sees the sales CTA, and sales gets exactly one summary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  launchBrowser, leads, newVisitor, points, ready, screenshot, snapshot, startServer, tempDir, until, visit, watch,
} from './harness.mjs';
import { accept, answerAll, answerOne, ctaText, downloadCaseStudy, follow, openChat, PROSPECT, requestDemo, signIn, stage } from './journey.mjs';

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

test('a visitor who only reads the blog stays unqualified', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/`);
  await accept(page);
  const visitorCta = await ctaText(page);
  await follow(page, '/blog/');
  await page.click('a[href="/blog/lead-scoring-guide"]'); // client-side navigation
  await page.waitForURL('**/blog/lead-scoring-guide');
  await page.mouse.wheel(0, 2500);
  const snap = await until(async () => {
    const now = await snapshot(page);
    return points(now, 'blog_post') > 0 ? now : null;
  }, 'the blog read to count');
  assert.equal(snap.bot, false, 'a real visitor is not a bot');
  assert.ok(points(snap, 'blog_post') > 0, `the read counts: ${JSON.stringify(snap.reasons)}`);
  assert.equal(snap.stage, 'visitor');
  assert.equal(snap.qualified, false);
  assert.equal(points(snap, 'pricing_page'), 0);
  assert.equal(await ctaText(page), visitorCta, 'the CTA stays the visitor one');
  assert.deepEqual(await leads(server.url), [], 'nothing reaches sales');
  assert.equal(seen.collect.length, 0, 'no summary is sent');
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('a buying-intent journey becomes an SQL, swaps the CTA and stores exactly one summary', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/?utm_source=google&utm_medium=cpc&utm_campaign=q4-pipelines`, { referer: 'https://www.google.com/' });
  const first = await ready(page);
  assert.equal(first.stage, 'visitor');
  await page.waitForSelector('[data-testid="consent-accept"]');
  await screenshot(page, 'home');
  await accept(page);
  const visitorCta = await ctaText(page);

  // Pricing, a case study (downloaded), pricing again.
  await follow(page, '/pricing');
  await follow(page, '/case-studies/');
  await follow(page, '/case-studies/halcyon-freight');
  await downloadCaseStudy(page);
  await follow(page, '/pricing');
  let snap = await snapshot(page);
  assert.ok(points(snap, 'pricing_page') > 0, `pricing counted: ${JSON.stringify(snap.reasons)}`);
  assert.ok(points(snap, 'case_study_download') > 0, `case study counted: ${JSON.stringify(snap.reasons)}`);
  assert.equal(snap.qualified, false, 'browsing alone does not make an SQL');
  await page.click('[data-testid="debug-toggle"]');
  await page.waitForSelector('[data-testid="debug-panel"]:not([hidden]) [data-testid="debug-reasons"]');
  assert.match(await page.textContent('[data-testid="debug-reasons"]'), /pricing_page/);
  await screenshot(page, 'pricing-debug');
  await page.click('[data-testid="debug-toggle"]');

  // On the demo page the chat asks the most valuable missing question...
  await follow(page, '/demo');
  await openChat(page);
  const opener = await page.textContent('[data-testid="chat-opener"]');
  const firstSlot = await answerOne(page);
  assert.ok(firstSlot, 'the chat asks a qualification question');
  snap = await snapshot(page);
  assert.ok(snap.frameworks.BANT.filled.includes(firstSlot), `${firstSlot} filled by the chat answer`);
  assert.notEqual(snap.stage, 'sql', 'one answer is not enough for sales');
  await screenshot(page, 'chat');
  await page.click('[data-testid="chat-close"]');

  // ...the prospect requests a demo, and the chat finishes the qualification.
  await requestDemo(page);
  snap = await stage(page, 'sql');
  await openChat(page);
  const sqlOpener = await page.locator('[data-testid="chat-opener"]').last().textContent();
  assert.equal(sqlOpener, snap.action.chatOpener, 'the chat greets an SQL with the SQL opener');
  assert.notEqual(sqlOpener, opener, 'the opener changed with the stage');
  await answerAll(page);
  snap = await snapshot(page);
  assert.deepEqual(snap.frameworks.BANT.missing, [], 'BANT complete');
  assert.equal(snap.qualified, true);
  assert.ok(points(snap, 'demo_request') > 0);
  await until(async () => (await ctaText(page)) === snap.action.cta, 'the CTA to follow the stage');
  assert.notEqual(snap.action.cta, visitorCta, 'an SQL sees a different CTA than a visitor');
  assert.equal(await page.getAttribute('[data-testid="cta"]', 'href'), snap.action.ctaHref);

  // One lead reaches the collector, and more activity neither resends its summary nor makes
  // another lead. Positive marker: a question typed later is a material change, so its
  // revision must arrive; any resend would have been issued before it.
  const [lead] = await until(async () => {
    const l = await leads(server.url);
    return l.length && l[0].stage === 'sql' ? l : null;
  }, 'the SQL summary to arrive');
  const sentBefore = seen.collect.length;
  await follow(page, '/pricing');
  await page.reload();
  await ready(page);
  await page.evaluate(() => window.leadpulse.track('Question Asked', { question: 'Can we start next month?' }));
  const stored = await until(async () => {
    const l = await leads(server.url);
    return l.length && l[0].revision > lead.revision ? l : null;
  }, 'the revision carrying the question');
  assert.equal(stored.length, 1, 'one lead per visitor');
  const resent = seen.collect.slice(sentBefore).filter((c) => JSON.parse(c.body).id === lead.summaryId);
  assert.deepEqual(resent, [], 'the stored summary is not sent again');
  const s = lead.summary;
  assert.equal(s.stage, 'sql');
  assert.equal(s.runtime, 'browser');
  assert.equal(s.visitor, await page.evaluate(() => localStorage.getItem('leadpulse:id')));
  assert.equal(s.traits['company.name'], PROSPECT.company);
  assert.equal(s.traits.email, PROSPECT.email, 'e-mail shared: the visitor consented');
  assert.equal(s.slots.budget, 'approved');
  assert.equal(s.source.first.referrer, 'www.google.com');
  assert.equal(s.source.first.utm.source, 'google');
  assert.ok(!JSON.stringify(s).includes('/case-studies/halcyon-freight.pdf'), 'no raw URLs leave the browser');
  assert.ok(seen.collect.length >= 1);
  assert.deepEqual(seen.errors, []);

  // The sales dashboard shows it (after asking for the API token).
  const dash = await context.newPage();
  await dash.goto(`${server.url}/dashboard`);
  await signIn(dash);
  await dash.waitForSelector(`[data-testid="lead-row"][data-id="${lead.id}"]`);
  assert.equal(await dash.locator('[data-testid="lead-row"]').count(), 1);
  assert.match(await dash.textContent('[data-testid="lead-rows"]'), new RegExp(PROSPECT.company));
  await screenshot(dash, 'dashboard');
  await context.close();
});
