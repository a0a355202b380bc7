// The site knows what sales did: after a hand-off (with consent) the tracker keeps the status
// token the collector answered with, and asks on later pages; the demo site stops pitching a
// demo to a visitor a rep already has (a call with their rep instead), sends a lead sales
// rejected back to the nurture path, and asks nothing without a hand-off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { API_TOKEN, launchBrowser, leads, marker, newVisitor, startServer, tempDir, until, visit, watch } from './harness.mjs';
import { accept, follow, requestDemo } from './journey.mjs';

let tmp, server, browser;
before(async () => {
  tmp = tempDir();
  server = await startServer({ db: join(tmp.dir, 'leads.db'), extra: ['--owner', 'Ana Ruiz=https://cal.example.com/ana'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.cleanup();
});

const cta = (page) => page.textContent('[data-testid="cta"]');
const feedback = (lead, body) => fetch(`${server.url}/api/leads/${lead}/feedback`, {
  method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => assert.equal(r.status, 200));

test('with sales: no demo pitch, the rep instead; recycled: back to nurture; nothing asked without a hand-off', async () => {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const statusAsks = [];
  context.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/status')) statusAsks.push(r.url()); });
  const page = await context.newPage();
  await visit(page, `${server.url}/pricing`);
  await accept(page);
  await follow(page, '/integrations');
  await marker(page, seen);
  assert.deepEqual(statusAsks, [], 'no hand-off yet: nothing to ask');

  await follow(page, '/demo');
  await requestDemo(page);
  await until(async () => (await page.evaluate(() => window.leadpulse.sales()))?.sales === 'with_sales', 'the status after the hand-off');
  assert.deepEqual(await page.evaluate(() => window.leadpulse.sales()), { sales: 'with_sales', owner: { firstName: 'Ana', bookingUrl: 'https://cal.example.com/ana' } });
  // The thank-you note offers the rep's own calendar.
  const book = page.locator('[data-testid="demo-book-owner"]:not([hidden]) a');
  await book.waitFor();
  assert.deepEqual([await book.textContent(), await book.getAttribute('href')], ['Pick a time with Ana now', 'https://cal.example.com/ana']);
  await follow(page, '/pricing');
  await until(async () => (await cta(page)) === 'Book a call with Ana', 'the rep\'s booking page, not a demo pitch, on the next page');
  assert.equal(await page.getAttribute('[data-testid="cta"]', 'href'), 'https://cal.example.com/ana');
  assert.ok(statusAsks.length >= 1);
  assert.ok(statusAsks.every((u) => !u.includes('visitor')), 'the browser asks with its token, never its id');

  const [lead] = (await leads(server.url)).filter((l) => l.owner === 'Ana Ruiz');
  await feedback(lead.id, { status: 'rejected', reason: 'no budget yet' });
  await follow(page, '/integrations');
  await until(async () => (await cta(page)) === 'Read the guide', 'the nurture path after a rejection');
  assert.equal((await page.evaluate(() => window.leadpulse.sales())).sales, 'recycled');
  // How soon a page shows it: the status answer's arrival, in ms since the page's navigation.
  const learned = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname.startsWith('/status/'))?.responseEnd);
  assert.ok(learned > 0, 'the page asked for the status');
  console.log(`the page knew sales sent the lead back ${Math.round(learned)} ms after its navigation started`);
  assert.deepEqual(seen.errors, []);
  await context.close();
});
