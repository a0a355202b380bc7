// The dashboard's two views against the real collector: the leads come first, on the first
// screen; the metrics are a view of their own that the URL names (a reload and the Back button
// keep it); and after the rep's own action the metrics include it the moment they are looked
// at, instead of on their next 30-second refresh.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, leads, newVisitor, startServer, STRICT_CSP, tempDir, until, watch } from './harness.mjs';
import { raiseHand, signIn } from './journey.mjs';

let tmp, server, browser;
before(async () => {
  tmp = tempDir();
  server = await startServer({ db: join(tmp.dir, 'leads.db'), csp: STRICT_CSP, extra: ['--owner', 'Ana Ruiz'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.cleanup();
});

let visitors = 0;
async function handRaiser() {
  visitors += 1;
  const { context, lead } = await raiseHand(browser, server.url, { name: `View prospect ${visitors}`, email: `view${visitors}@halcyonfreight.com` });
  await context.close();
  return lead;
}

const row = (page, lead) => page.locator(`[data-testid="lead-row"][data-id="${lead.id}"]`);
/** The SQL → accepted figure: "<accepted> of <SQLs>". */
async function accepted(page) {
  const text = await page.textContent('[data-testid="kpi-sal"] small');
  const m = /(\d+) of (\d+)/.exec(text);
  assert.ok(m, `the SAL figure reads ${text}`);
  return { accepted: Number(m[1]), sqls: Number(m[2]) };
}
const loads = async (page) => Number(await page.getAttribute('[data-testid="metrics"]', 'data-loads'));

test('leads first; metrics on a view the URL names; after the rep accepts, the metrics count it when looked at', async () => {
  await handRaiser();
  const lead = await handRaiser();
  const context = await newVisitor(browser);
  const seen = watch(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/dashboard`);
  await signIn(page);
  await row(page, lead).waitFor();

  // The leads are on the first screen (1280 × 800), the metrics not on this view at all.
  const box = await row(page, lead).boundingBox();
  assert.ok(box.y + box.height <= 800, `the lead row is on the first screen (at ${Math.round(box.y)} px)`);
  assert.equal(await page.isVisible('[data-testid="metrics"]'), false);
  assert.equal(await page.getAttribute('[data-testid="view-leads"]', 'aria-current'), 'page');

  // The metrics view: named in the URL, kept across a reload.
  await page.click('[data-testid="view-metrics"]');
  await page.waitForURL((u) => u.hash === '#metrics');
  await page.waitForSelector('[data-testid="metrics"] [data-testid="metrics-figures"]');
  assert.equal(await page.isVisible('[data-testid="lead-rows"]'), false, 'the leads are on their own view');
  assert.equal(await page.getAttribute('[data-testid="view-metrics"]', 'aria-current'), 'page');
  await page.reload();
  await page.waitForSelector('[data-testid="metrics"] [data-testid="metrics-figures"]');
  assert.equal(await page.isVisible('[data-testid="lead-rows"]'), false, 'still the metrics after a reload');
  const before = await accepted(page);
  const loaded = await loads(page);

  // Back to the leads (the Back button), accept there, look at the metrics again.
  await page.goBack();
  await page.waitForURL((u) => u.hash === '' || u.hash === '#leads');
  await row(page, lead).waitFor();
  assert.equal(await page.isVisible('[data-testid="metrics"]'), false);
  await row(page, lead).locator('[data-step="accepted"]').click();
  await page.waitForSelector(`[data-testid="lead-row"][data-id="${lead.id}"][data-status="accepted"]`);
  await page.click('[data-testid="view-metrics"]');
  await until(async () => (await loads(page)) > loaded, 'the metrics read after the action');
  assert.deepEqual(await accepted(page), { accepted: before.accepted + 1, sqls: before.sqls });
  assert.deepEqual(seen.errors, []);
  await context.close();
});
