// Delivery without loss: the collector is down while the visitor qualifies; the summary waits
// in localStorage and arrives once the collector is back — exactly once, across a reload.
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
  await requestDemo(page);
  const snap = await stage(page, 'sql');
  await until(() => seen.collect.length > 0, 'a delivery attempt');
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('leadpulse:queue') || '[]'));
  assert.equal(queued.length, 1, 'the summary waits in the queue');
  await sleep(1500); // a retry or two fail meanwhile

  // Back on the same port and database; the visitor reloads.
  server = await startServer({ db, port });
  await page.reload();
  await ready(page);
  const stored = await until(async () => { const l = await leads(server.url); return l.length ? l : null; }, 'the queued summary', 20000);
  assert.equal(stored[0].summary.qualifiedAt, snap.qualifiedAt);
  await until(async () => (await page.evaluate(() => localStorage.getItem('leadpulse:queue'))) === null, 'the queue to drain');

  // Further reloads and pages neither resend nor duplicate it.
  await page.reload();
  await ready(page);
  await follow(page, '/pricing');
  await sleep(2000);
  assert.equal((await leads(server.url)).length, 1, 'exactly one summary stored');
  assert.deepEqual(seen.errors, []);
  await context.close();
});
