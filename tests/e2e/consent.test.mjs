// Consent gates analytics: before a choice no summary reaches /collect (even for a visitor who
// qualifies), after "Reject" none ever does; "Accept" is what releases the summary. A request
// the visitor makes (the demo form) is theirs, not analytics: it goes either way, with what they
// typed and nothing else, and leaves nothing stored once the collector has it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  countTransportCalls, launchBrowser, leads, marker, newVisitor, snapshot, startServer, tempDir, transportCalls, until, visit, watch,
} from './harness.mjs';
import { accept, answerAll, follow, openChat, PROSPECT, reject, requestDemo, stage } from './journey.mjs';

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
async function qualifyOnDemoPage(page, who = PROSPECT) {
  await visit(page, `${server.url}/demo`);
  await openChat(page);
  await answerAll(page);
  await page.click('[data-testid="chat-close"]');
  await requestDemo(page, who);
  return stage(page, 'sql');
}

/** What reached /collect: the one request, with what was typed and no behavioural data. */
function onlyTheRequest(seen, who) {
  assert.equal(seen.collect.length, 1, JSON.stringify(seen.collect));
  const request = JSON.parse(seen.collect[0].body);
  assert.deepEqual([request.type, request.form, request.basis, request.visitor], ['request', 'demo', 'request', undefined]);
  assert.equal(request.fields.email, who.email);
  for (const behavioural of ['score', 'reasons', 'stage', 'sessions', 'source']) assert.equal(request[behavioural], undefined, behavioural);
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
  assert.equal(await marker(page, seen), 1, 'only the demo request reached /collect before consent');
  onlyTheRequest(seen, PROSPECT);
  assert.equal(await transportCalls(page), 1, 'one fetch: the request');
  assert.deepEqual(await storedKeys(page), [], 'nothing left in localStorage once the request is delivered');
  const [asked] = await leads(server.url);
  assert.deepEqual([asked.basis, asked.score, asked.summary, asked.status], ['request', null, null, 'new']);

  // Positive control: the same watchers see the summary once the visitor accepts.
  await accept(page);
  await until(() => seen.collect.length > 1, 'the summary to /collect after consent');
  assert.ok(await transportCalls(page) > 1);
  const stored = await until(async () => { const l = await leads(server.url); return l[0]?.summary ? l : null; }, 'the summary');
  assert.equal(stored.length, 1, 'the request and the summary are one lead (the same e-mail): ' + JSON.stringify(stored.map((l) => [l.visitor, l.basis, l.summary?.traits])));
  assert.equal(stored[0].basis, 'consent');
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
  const who = { ...PROSPECT, email: 'no.consent@halcyonfreight.com' };
  const snap = await qualifyOnDemoPage(page, who);
  assert.equal(snap.qualified, true, 'in-page personalisation still works');
  await page.reload(); // pagehide: the beacon path
  await visit(page, `${server.url}/case-studies/`);

  assert.equal(await marker(page, seen), 1, 'after reject, only the demo request reached /collect');
  onlyTheRequest(seen, who);
  assert.equal(await transportCalls(page), 1, 'one fetch: the request; no summary, no beacon');
  assert.deepEqual(await storedKeys(page), ['leadpulse:consent'], 'only the choice itself is stored');
  const now = await leads(server.url);
  assert.equal(now.length, before + 1, 'the request is a lead of its own');
  assert.equal(now.find((l) => l.visitor === `form:${who.email}`)?.basis, 'request');
  assert.equal((await snapshot(page)).stage, 'visitor', 'a rejecting visitor is not remembered across pages');
  assert.deepEqual(seen.errors, []);
  await context.close();
});
