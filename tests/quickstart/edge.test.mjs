// docs/edge.md's quick start: the README worker bundled with the packed package, run by the
// real workerd with the docs' configuration, in front of a plain static site, sending to the
// real collector (which requires the edge's signature). A visitor with JavaScript on and one
// with it off send the demo form: each lead arrives signed, the browser lands on the thank-you
// page, and no personal data travels in a URL; a form sent in a URL is refused.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LEADS, MODEL, project } from './project.mjs';
import { collector, freePort, launchBrowser, leads, newVisitor, receiver, staticServer, until, urlsOf } from './services.mjs';

const SIGNING_SECRET = 'quickstart-signing-secret-0123456789';
const THANKS = '<!doctype html><html><head><meta charset="utf-8"><title>Thanks</title></head><body><h1 id="done">Thanks — we have your request.</h1></body></html>';

let browser, hooks, sales, origin, site, edgeUrl;
before(async () => {
  browser = await launchBrowser();
  hooks = await receiver();
  sales = await collector({ db: join(mkdtempSync(join(tmpdir(), 'leadpulse-qs-db-')), 'leads.db'), hooks: hooks.url, model: MODEL,
    extra: ['--require-signature', '--signing-secret', SIGNING_SECRET] });
  const [originPort, edgePort] = [await freePort(), await freePort()];
  edgeUrl = `http://127.0.0.1:${edgePort}`;
  site = await project('edge', {
    [LEADS]: sales.url,
    '127.0.0.1:8080': `127.0.0.1:${originPort}`,
    '127.0.0.1:8081': `127.0.0.1:${sales.port}`,
    '127.0.0.1:8787': `127.0.0.1:${edgePort}`,
    'your-collectors-signing-secret': SIGNING_SECRET,
  }, { 'public/thanks.html': THANKS });
  origin = await staticServer(join(site.dir, 'public'), originPort);
  await until(async () => (await fetch(`${edgeUrl}/thanks.html`).catch(() => null))?.ok, `workerd on ${edgeUrl}`, 30000, 100)
    .catch((e) => { throw new Error(`${e.message}\n${site.log()}`); });
});
after(async () => {
  await browser?.close();
  site?.stop();
  await origin?.stop();
  await sales?.stop();
  await hooks?.stop();
});

/** Sends the demo form through the edge as `email`; returns the lead the collector holds. */
async function handRaise(context, email) {
  const urls = urlsOf(context);
  const page = await context.newPage();
  await page.goto(`${edgeUrl}/demo.html`);
  await page.fill('input[name=name]', 'Dana Lee');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=title]', 'VP Revenue Operations');
  await page.fill('input[name=company]', 'Acme Logistics');
  await page.click('button');
  await page.waitForURL(`${edgeUrl}/thanks.html`);
  assert.equal(await page.textContent('#done'), 'Thanks — we have your request.');
  assert.deepEqual(urls.filter((u) => u.includes('acme-logistics') || u.includes('Dana')), [], 'no personal data in a URL');
  const lead = await until(async () => (await leads(sales.url)).find((l) => l.request?.fields?.email === email), `the lead of ${email}`);
  return { lead, page };
}

test('JavaScript on: the edge marks its pages, the tracker stands down, the form goes through the edge, signed', async () => {
  const context = await newVisitor(browser);
  const toCollector = [];
  context.on('request', (r) => { if (r.url().startsWith(sales.url)) toCollector.push(r.url()); });
  const page = await context.newPage();
  await page.goto(`${edgeUrl}/demo.html`);
  assert.equal(await page.getAttribute('meta[name="leadpulse"]', 'content'), 'edge');
  await page.waitForFunction(() => Boolean(window.leadpulse));
  const snapshot = await page.evaluate(() => window.leadpulse.ready);
  assert.deepEqual(snapshot.reasons.map((r) => r.rule), ['acme_landing'], 'the site\'s model in the page');
  await page.close();
  const email = 'js-on@acme-logistics.example';
  const { lead } = await handRaise(context, email);
  assert.deepEqual([lead.trust, lead.basis, lead.status, lead.request.basis, lead.request.runtime], ['verified', 'consent', 'new', 'consent', 'edge']);
  assert.equal(lead.request.visitor, lead.visitor, 'the request names the visitor the edge scores');
  const sql = await until(async () => (await leads(sales.url)).find((l) => l.id === lead.id && l.summary), 'the edge\'s SQL summary');
  assert.equal(sql.summary.runtime, 'edge');
  assert.deepEqual(sql.summary.reasons.map((r) => r.rule).sort(), ['acme_demo_form', 'acme_landing', 'acme_senior'], 'scored with the site\'s model');
  assert.deepEqual(toCollector, [], 'the browser never posted to the collector itself');
  // One message to sales for the click: the summary it handed off, carrying the request.
  const hook = await until(() => hooks.hooks.find((h) => h.body.lead?.id === lead.id), 'the webhook');
  assert.equal(hook.body.type, 'lead.sql');
  assert.equal(hook.body.request.fields.email, email);
  assert.equal(hook.body.summary.runtime, 'edge');
  firstLead = lead.id;
  await context.close();
});

let firstLead;

test('JavaScript off: the same form, the same signed lead', async () => {
  const context = await newVisitor(browser, { javaScriptEnabled: false });
  const email = 'js-off@acme-logistics.example';
  const { lead } = await handRaise(context, email);
  assert.deepEqual([lead.trust, lead.basis, lead.request.runtime], ['verified', 'consent', 'edge']);
  await context.close();
});

test('a form sent in a URL is refused, not processed, and never reaches the origin', async () => {
  const before = (await leads(sales.url)).length;
  const response = await fetch(`${edgeUrl}/demo.html?leadpulse-form=demo&name=Dana&email=dana%40acme-logistics.example`);
  assert.equal(response.status, 400);
  assert.doesNotMatch(await response.text(), /dana/i);
  // The marker: a request sent properly afterwards arrives; the one in the URL never did.
  const context = await newVisitor(browser, { javaScriptEnabled: false });
  const { lead } = await handRaise(context, 'after-the-refusal@acme-logistics.example');
  await until(() => hooks.hooks.find((h) => h.body.lead?.id === lead.id), 'the marker\'s webhook');
  await context.close();
  assert.equal((await leads(sales.url)).length, before + 1);
  assert.equal(hooks.hooks.filter((h) => h.body.lead?.id === firstLead).length, 1, 'sales heard once of the first click');
});
