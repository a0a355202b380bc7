// Delivery without loss: the collector is down while the visitor qualifies; the summary and the
// demo request wait in localStorage and arrive once the collector is back — exactly once, across
// reloads; the page says the request is on its way, never "booked in" before it arrived.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, leads, newVisitor, ready, sleep, startServer, tempDir, until, visit, watch } from './harness.mjs';
import { accept, answerAll, downloadCaseStudy, follow, openChat, requestDemo, stage } from './journey.mjs';

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

/** Reloads a tab that shows Chromium's network error page (its frame may still be swapping). */
async function reloadAfterError(page, url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.goto(url);
    } catch (e) {
      if (attempt === 5 || !/not attached|interrupted|destroyed/i.test(e.message)) throw e;
      await sleep(300);
    }
  }
}

test('a summary queued while the collector is down arrives exactly once after it is back', async () => {
  const db = join(tmp.dir, 'leads.db');
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/`);
  await accept(page);
  await follow(page, '/pricing');
  await follow(page, '/case-studies/');
  await follow(page, '/case-studies/halcyon-freight');
  await downloadCaseStudy(page);
  await follow(page, '/pricing');
  await follow(page, '/demo');

  // The collector goes away; the visitor keeps going and qualifies.
  const { port } = server;
  await server.stop();
  await openChat(page);
  await answerAll(page);
  await page.click('[data-testid="chat-close"]');
  await requestDemo(page, undefined, 'demo-queued');
  assert.ok(await page.isHidden('[data-testid="demo-success"]'), 'no "booked in" while the collector is down');
  const snap = await stage(page, 'sql');
  // MQL summaries may have gone out before the collector went away: the one that matters is
  // the latest SQL revision the tracker tried to send while it was down.
  const sqlSent = () => seen.collect.map((c) => JSON.parse(c.body)).filter((b) => b.stage === 'sql');
  await until(() => sqlSent().length > 0, 'a delivery attempt of the SQL');
  const { id } = sqlSent().reduce((a, b) => (b.revision > a.revision ? b : a));
  await page.click('[data-testid="debug-toggle"]');
  assert.match(await page.textContent('[data-testid="debug-summaries"]'), new RegExp(id), 'the debug panel lists it');
  const waiting = await page.evaluate((id) => Object.entries(localStorage).some(([k, v]) => k.startsWith('leadpulse:') && k !== 'leadpulse:state' && v.includes(id)), id);
  assert.ok(waiting, 'the summary waits in localStorage');
  await sleep(1500); // a retry or two fail meanwhile

  // The visitor reloads while the collector is still down: the page (and its pagehide beacon)
  // goes nowhere, so only what the tracker persisted can deliver the summary later.
  const demoUrl = page.url();
  const down = await page.reload().then(() => null, (e) => e);
  assert.match(String(down && down.message), /ERR_CONNECTION_REFUSED/, 'the site is down');

  // Back on the same port and database; the visitor reloads again.
  server = await startServer({ db, port });
  await reloadAfterError(page, demoUrl);
  await ready(page);
  // NOTE: the pagehide beacon of the first reload went nowhere, but its fate is unknown to the
  // tracker, which leaves a beaconed entry alone for a short lease before it fetches again.
  const stored = await until(async () => {
    const l = await leads(server.url);
    return l.length && l[0].summaryId === id ? l : null;
  }, 'the queued SQL summary', 20000, 250);
  assert.equal(stored.length, 1, 'one lead for the visitor');
  assert.equal(stored[0].summary.qualifiedAt, snap.qualifiedAt);
  const request = seen.collect.map((c) => JSON.parse(c.body)).find((b) => b.type === 'request');
  const withRequest = await until(async () => ((await leads(server.url))[0].request?.id === request.id ? true : null), 'the queued request');
  assert.ok(withRequest, 'the request queued while the collector was down arrived, on the same lead');

  // Further reloads and pages neither resend it nor make another lead. The positive marker:
  // a question typed afterwards is a material change, so its revision must arrive; by then any
  // resend of the delivered summary would have been made.
  const sentBefore = seen.collect.length;
  await page.reload();
  await ready(page);
  await follow(page, '/pricing');
  await page.evaluate(() => window.leadpulse.track('Question Asked', { question: 'Is SSO included?' }));
  const after = await until(async () => {
    const l = await leads(server.url);
    return l.length && l[0].revision > stored[0].revision ? l : null;
  }, 'the revision carrying the question', 20000, 250);
  assert.equal(after.length, 1, 'still one lead');
  assert.deepEqual(after[0].summary.questions, ['Is SSO included?']);
  const resent = seen.collect.slice(sentBefore).filter((c) => [id, request.id].includes(JSON.parse(c.body).id));
  assert.deepEqual(resent, [], 'neither the delivered summary nor the request is sent again');
  assert.deepEqual(seen.errors, []);
  await context.close();
});
