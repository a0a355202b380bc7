// README's form quick start ("A form that reaches sales, with or without consent") on a site
// of its own, served by a plain static server: a visitor who rejects the consent banner, or
// ignores it, or has JavaScript off, fills in the demo form — the request reaches the collector
// and the sales webhook with what they typed and no behavioural data, and no personal data
// travels in a URL. Prints the click → webhook latency (median and p90 of 20, consent denied);
// asserts no timing.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LEADS, MODEL, project } from './project.mjs';
import { collector, freePort, launchBrowser, leads, newVisitor, receiver, staticServer, until, urlsOf } from './services.mjs';

const RUNS = 20;
const THANKS = '<!doctype html><html><head><meta charset="utf-8"><title>Thanks</title></head><body><h1 id="done">Thanks — we have your request.</h1></body></html>';

let browser, hooks, sales, host;
before(async () => {
  browser = await launchBrowser();
  hooks = await receiver();
  const port = await freePort();
  sales = await collector({ db: join(mkdtempSync(join(tmpdir(), 'leadpulse-qs-db-')), 'leads.db'), origin: `http://127.0.0.1:${port}`, hooks: hooks.url, model: MODEL });
  const { dir } = await project('script-tag', { [LEADS]: sales.url }, { 'public/thanks.html': THANKS });
  host = await staticServer(join(dir, 'public'), port);
});
after(async () => {
  await browser?.close();
  await host?.stop();
  await sales?.stop();
  await hooks?.stop();
});

/** Fills in the demo form as `email`; resolves when the click was made (performance.now()). */
async function fillAndSend(page, email) {
  await page.fill('input[name=name]', 'Dana Lee');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=title]', 'VP Revenue Operations');
  await page.fill('input[name=company]', 'Acme Logistics');
  const clicked = performance.now();
  await page.click('button');
  return clicked;
}

/** The webhook that told sales of `email`'s request. */
const hookFor = (email) => until(() => hooks.hooks.find((h) => h.path === '/hook' && h.body.request?.fields?.email === email), `the webhook for ${email}`, 10000, 5);

/** What sales got holds what was typed, on the basis of the request alone, and nothing else. */
function requestOnly(hook, email, page = '/demo.html') {
  const { type, lead, summary, request } = hook.body;
  assert.equal(type, 'lead.sql');
  assert.equal(summary, null, 'no behavioural data: no summary, score, reasons or pages');
  assert.deepEqual([lead.basis, request.basis, request.visitor, request.form], ['request', 'request', undefined, 'demo']);
  assert.deepEqual(request.fields, { company: 'Acme Logistics', email, name: 'Dana Lee', title: 'VP Revenue Operations' });
  assert.equal(request.page, page);
}

test(`consent denied: the demo request reaches the webhook (${RUNS} visitors), and the page says so once it did`, async () => {
  const latencies = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await newVisitor(browser);
    const urls = urlsOf(context);
    const page = await context.newPage();
    await page.goto(`${host.url}/demo.html`);
    await page.waitForFunction(() => Boolean(window.leadpulse));
    await page.click('#reject');
    assert.equal(await page.evaluate(() => window.leadpulse.consent()), 'denied');
    const email = `denied-${run}@acme-logistics.example`;
    const clicked = await fillAndSend(page, email);
    const hook = await hookFor(email);
    latencies.push(hook.at - clicked);
    requestOnly(hook, email);
    await page.waitForSelector('#thanks:not([hidden])');
    assert.equal(await page.getAttribute('form', 'data-leadpulse-state'), 'sent');
    assert.deepEqual(urls.filter((u) => u.includes('acme-logistics')), [], 'no personal data in a URL');
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), ['leadpulse:consent'], 'nothing kept but the choice');
    await context.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(RUNS - 1, Math.ceil(p * RUNS) - 1)];
  console.log(`form request, consent denied, click → webhook, ${RUNS} visitors: median ${((sorted[RUNS / 2 - 1] + sorted[RUNS / 2]) / 2).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)})`);
});

test('banner ignored: the same request, and nothing of the visit with it', async () => {
  const context = await newVisitor(browser);
  const page = await context.newPage();
  await page.goto(`${host.url}/demo.html`);
  await page.waitForFunction(() => Boolean(window.leadpulse));
  assert.equal(await page.evaluate(() => window.leadpulse.consent()), 'pending');
  const email = 'ignored@acme-logistics.example';
  await fillAndSend(page, email);
  requestOnly(await hookFor(email), email);
  await page.waitForSelector('#thanks:not([hidden])');
  const lead = (await leads(sales.url)).find((l) => l.visitor === `form:${email}`);
  assert.deepEqual([lead.basis, lead.status, lead.score, lead.summary], ['request', 'new', null, null]);
  await context.close();
});

test('JavaScript off: the form posts itself to the collector, and the browser lands on the thank-you page', async () => {
  const context = await newVisitor(browser, { javaScriptEnabled: false });
  const urls = urlsOf(context);
  const page = await context.newPage();
  await page.goto(`${host.url}/demo.html`);
  const email = 'no-script@acme-logistics.example';
  await fillAndSend(page, email);
  await page.waitForURL(`${host.url}/thanks.html`);
  assert.equal(await page.textContent('#done'), 'Thanks — we have your request.');
  // NOTE: the browser names only the origin of a page that posts to another site (its default
  // referrer policy), so the collector knows the site, not the page.
  requestOnly(await hookFor(email), email, '/');
  assert.deepEqual(urls.filter((u) => u.includes('acme-logistics') || u.includes('Dana')), [], 'no personal data in a URL');
  await context.close();
});
