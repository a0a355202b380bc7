// Consent gates the network: before a choice no request reaches /collect (even for a visitor
// who qualifies), after "Reject" none ever does; "Accept" is what releases the summary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  countTransportCalls, launchBrowser, leads, marker, newVisitor, snapshot, startServer, tempDir, transportCalls, until, visit, watch,
} from './harness.mjs';
import { accept, answerAll, follow, openChat, reject, requestDemo, stage } from './journey.mjs';

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

/** Qualifies on the demo page alone (before consent nothing persists across page loads). */
async function qualifyOnDemoPage(page) {
  await visit(page, `${server.url}/demo`);
  await openChat(page);
  await answerAll(page);
  await page.click('[data-testid="chat-close"]');
  await requestDemo(page);
  return stage(page, 'sql');
}

const storedKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('leadpulse:')));

test('before consent nothing is sent or stored; accepting releases the summary', async () => {
  const context = await newVisitor(browser);
  await countTransportCalls(context);
  const seen = watch(context);
  const page = await context.newPage();

  const snap = await qualifyOnDemoPage(page);
  assert.equal(snap.qualified, true, 'scoring works in memory before consent');
  assert.equal(await page.evaluate(() => window.leadpulse.consent()), 'pending');
  assert.ok(await page.isVisible('[data-testid="consent-banner"]'));
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange'))); // a flush point
  assert.equal(await marker(page, seen), 0, 'no request to /collect before consent');
  assert.equal(await transportCalls(page), 0, 'no fetch or beacon to /collect before consent');
  assert.deepEqual(await storedKeys(page), [], 'nothing in localStorage before consent');
  assert.deepEqual(await leads(server.url), []);

  // Positive control: the same watchers see the summary once the visitor accepts.
  await accept(page);
  await until(() => seen.collect.length > 0, 'a request to /collect after consent');
  assert.ok(await transportCalls(page) > 0);
  const stored = await until(async () => { const l = await leads(server.url); return l.length ? l : null; }, 'the summary');
  assert.equal(stored.length, 1);
  assert.ok((await storedKeys(page)).includes('leadpulse:consent'));
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('after "Reject" no request ever reaches /collect, across pages and reloads', async () => {
  const before = (await leads(server.url)).length;
  const context = await newVisitor(browser);
  await countTransportCalls(context);
  const seen = watch(context);
  const page = await context.newPage();
  await visit(page, `${server.url}/`);
  await reject(page);
  assert.ok(await page.isHidden('[data-testid="consent-banner"]'));

  await follow(page, '/pricing');
  assert.equal(await page.evaluate(() => window.leadpulse.consent()), 'denied', 'the choice is remembered');
  assert.ok(await page.isHidden('[data-testid="consent-banner"]'), 'the banner does not come back');
  const snap = await qualifyOnDemoPage(page);
  assert.equal(snap.qualified, true, 'in-page personalisation still works');
  await page.reload(); // pagehide: the beacon path
  await visit(page, `${server.url}/case-studies/`);

  assert.equal(await marker(page, seen), 0, 'no request to /collect after reject');
  assert.equal(await transportCalls(page), 0, 'no fetch or beacon to /collect after reject');
  assert.deepEqual(await storedKeys(page), ['leadpulse:consent'], 'only the choice itself is stored');
  assert.equal((await leads(server.url)).length, before);
  assert.equal((await snapshot(page)).stage, 'visitor', 'a rejecting visitor is not remembered across pages');
  assert.deepEqual(seen.errors, []);
  await context.close();
});
