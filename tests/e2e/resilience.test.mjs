// The host page never breaks: corrupt storage starts fresh, client-side navigation is counted,
// a second tab shares the visitor without double counting, the strict CSP is enough, and a
// WebDriver-controlled browser is flagged as a bot that never reaches sales.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  launchBrowser, leads, newVisitor, points, ready, snapshot, startServer, STRICT_CSP, tempDir, until, visit, watch,
} from './harness.mjs';
import { accept, answerAll, follow, openChat, requestDemo, stage } from './journey.mjs';

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

test('corrupt localStorage: the page works and scoring starts fresh', async () => {
  // A returning visitor who accepted and viewed pricing...
  const first = await newVisitor(browser);
  const page1 = await first.newPage();
  await visit(page1, `${server.url}/`);
  await accept(page1);
  await follow(page1, '/pricing');
  assert.ok(points(await snapshot(page1), 'pricing_page') > 0);
  const saved = await first.storageState();
  await first.close();

  // ...whose stored state comes back damaged: truncated, or not LeadPulse's at all.
  const damage = {
    truncated: (v) => v.slice(0, Math.floor(v.length / 2)),
    garbage: () => '%%% not base64url, not a LeadPulse state %%%',
  };
  for (const [how, mangle] of Object.entries(damage)) {
    const storageState = structuredClone(saved);
    for (const item of storageState.origins[0].localStorage) if (item.name === 'leadpulse:state') item.value = mangle(item.value);
    storageState.origins[0].localStorage.push({ name: 'leadpulse:queue', value: '{"truncated": [' });
    const context = await newVisitor(browser, { storageState });
    const seen = watch(context);
    const page = await context.newPage();
    const snap = await visit(page, `${server.url}/integrations`);
    assert.equal(points(snap, 'pricing_page'), 0, `${how}: the damaged state was discarded`);
    assert.equal(snap.stage, 'visitor');
    assert.ok(points(snap, 'integrations_page') > 0, `${how}: this page view counts`);
    assert.ok(seen.console.some((m) => /leadpulse: saved state discarded/.test(m)), `${how}: a warning says why: ${seen.console}`);
    // The site still works: the chat, navigation, and scoring from the fresh state on.
    await openChat(page);
    await follow(page, '/pricing');
    assert.ok(points(await snapshot(page), 'pricing_page') > 0);
    assert.deepEqual(seen.errors, [], `${how}: no page errors`);
    await context.close();
  }
});

test('client-side (History API) navigation is counted as a page view', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/blog/`);
  await page.evaluate(() => { window.e2eSamePage = true; });
  await page.click('a[href="/blog/pipeline-hygiene-checklist"]');
  await page.waitForURL('**/blog/pipeline-hygiene-checklist');
  await page.waitForSelector('main h1:has-text("pipeline hygiene")');
  assert.equal(await page.evaluate(() => window.e2eSamePage), true, 'the blog navigated without a page load');

  const read = await until(async () => { const s = await snapshot(page); return points(s, 'blog_post') > 0 && s; }, 'the blog post view');
  assert.equal(points(read, 'pricing_page'), 0);
  // The same for any app that routes with the History API.
  await page.evaluate(() => history.pushState({}, '', '/pricing'));
  const snap = await until(async () => { const s = await snapshot(page); return points(s, 'pricing_page') > 0 && s; }, 'the pricing rule after pushState');
  assert.ok(snap.reasons.some((r) => r.rule === 'pricing_page'));
  assert.equal(await page.evaluate(() => window.e2eSamePage), true);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('a second tab shares the visitor and does not double count', async () => {
  const pages = ['/pricing', '/integrations', '/case-studies/halcyon-freight'];
  const rules = (snap) => Object.fromEntries(snap.reasons.map((r) => [r.rule, r.points]));

  // Reference: one tab, the same pages in the same order.
  const solo = await newVisitor(browser);
  const ref = await solo.newPage();
  await visit(ref, `${server.url}/`);
  await accept(ref);
  for (const p of pages) await visit(ref, server.url + p);
  const alone = await snapshot(ref);
  await solo.close();

  // Two tabs of one visitor: A views pricing, B opens integrations, A goes on to a case study.
  const context = await newVisitor(browser);
  const seen = watch(context);
  const a = await context.newPage();
  await visit(a, `${server.url}/`);
  await accept(a);
  await visit(a, server.url + pages[0]);
  const b = await context.newPage();
  await visit(b, server.url + pages[1]);
  assert.equal(await b.evaluate(() => window.leadpulse.consent()), 'granted', 'tab B inherits consent');
  await a.bringToFront();
  await visit(a, server.url + pages[2]);
  await until(async () => (await snapshot(b)).score === (await snapshot(a)).score, 'tab B to see tab A\'s events');

  const [sa, sb] = [await snapshot(a), await snapshot(b)];
  assert.deepEqual(rules(sa), rules(alone), 'tab A: every page counted once, none lost');
  assert.deepEqual(rules(sb), rules(alone), 'tab B agrees');
  assert.equal(sa.sessions, 1, 'one visit, not one per tab');
  assert.equal(sb.sessions, 1);
  assert.equal(await a.evaluate(() => localStorage.getItem('leadpulse:id')), await b.evaluate(() => localStorage.getItem('leadpulse:id')));
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('under the strict CSP everything still works', async () => {
  const csp = await startServer({ db: join(tmp.dir, 'csp.db'), csp: STRICT_CSP });
  try {
    const context = await newVisitor(browser);
    const seen = watch(context);
    const page = await context.newPage();
    const res = await page.goto(`${csp.url}/`);
    assert.equal(res.headers()['content-security-policy'], STRICT_CSP, 'the policy is really in force');
    await ready(page);
    await accept(page);
    for (const path of ['/pricing', '/case-studies/', '/blog/', '/demo']) await follow(page, path);
    await openChat(page);
    await answerAll(page);
    await page.click('[data-testid="chat-close"]');
    await requestDemo(page);
    await stage(page, 'sql');
    await page.click('[data-testid="debug-toggle"]');
    await page.waitForSelector('[data-testid="debug-panel"]:not([hidden])');
    await until(async () => (await leads(csp.url)).length === 1, 'the summary under CSP');
    const violations = seen.console.filter((m) => /Content Security Policy|Refused to/i.test(m));
    assert.deepEqual(violations, [], 'no CSP violations');
    assert.deepEqual(seen.errors, []);
    await context.close();
  } finally {
    await csp.stop();
  }
});

test('a WebDriver-controlled browser is flagged as a bot and never reaches sales', async () => {
  const bots = await launchBrowser({ webdriver: true });
  try {
    const before = (await leads(server.url)).length;
    const context = await newVisitor(bots);
    const page = await context.newPage();
    await visit(page, `${server.url}/`);
    await accept(page);
    await follow(page, '/pricing');
    await follow(page, '/demo');
    await openChat(page);
    await answerAll(page);
    await page.click('[data-testid="chat-close"]');
    // A bot's form is not heard: the page says it was not taken, and nothing is sent.
    await requestDemo(page, undefined, 'demo-refused');
    // The marker: the engine has taken the demo request (so a summary would be due by now).
    const snap = await until(async () => {
      const now = await snapshot(page);
      return points(now, 'demo_request') > 0 ? now : null;
    }, 'the demo request to be scored');
    assert.equal(snap.bot, true);
    assert.equal(snap.qualified, false);
    assert.equal((await leads(server.url)).length, before);
    await context.close();
  } finally {
    await bots.close();
  }
});
