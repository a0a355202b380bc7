// The demo site on a phone (390 px) and a tablet (768 px): no page scrolls sideways, the menu
// opens and shows its links, the consent banner never covers the chat launcher (or the open
// chat), and the dashboard works. Screenshots next to the desktop ones: <page>-390.png, -768.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, leads, newVisitor, ready, screenshot, startServer, tempDir, until, visit, watch } from './harness.mjs';
import { accept, openChat, requestDemo, signIn, stage } from './journey.mjs';

const WIDTHS = [{ width: 390, height: 844 }, { width: 768, height: 1024 }];
const SITE = ['/', '/pricing', '/demo', '/integrations', '/careers', '/blog/', '/blog/lead-scoring-guide', '/case-studies/', '/case-studies/halcyon-freight'];
const SHOT = { '/': 'home', '/pricing': 'pricing', '/demo': 'demo' };

let tmp, server, browser, lead;
before(async () => {
  tmp = tempDir();
  server = await startServer({ db: join(tmp.dir, 'leads.db'), extra: ['--owner', 'Ana Ruiz'] });
  browser = await launchBrowser();
  // A lead for the dashboard shots, from a real hand-raiser.
  const context = await newVisitor(browser);
  const page = await context.newPage();
  await visit(page, `${server.url}/demo`);
  await accept(page);
  await requestDemo(page);
  await stage(page, 'sql');
  await context.close();
  [lead] = await until(async () => { const l = await leads(server.url); return l.length ? l : null; }, 'the lead');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.cleanup();
});

/** A phone or tablet: touch, and the page's own viewport meta tag in force. */
const device = (viewport) => newVisitor(browser, { viewport, isMobile: true, hasTouch: true });

/** The layout viewport is the device's (it did not grow to fit the page) and nothing sticks out. */
async function assertNoSideways(page, width, path) {
  const m = await page.evaluate(() => ({ inner: innerWidth, scroll: document.documentElement.scrollWidth }));
  assert.equal(m.inner, width, `${path} @${width}: the layout viewport kept the device width`);
  assert.ok(m.scroll <= m.inner, `${path} @${width}: scrollWidth ${m.scroll} > ${m.inner}`);
}

const box = (page, selector) => page.locator(selector).boundingBox();
const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

for (const viewport of WIDTHS) {
  const { width } = viewport;

  test(`${width} px: every page fits, the menu opens, the banner leaves the chat free`, async () => {
    const context = await device(viewport);
    const seen = watch(context);
    const page = await context.newPage();
    for (const path of SITE) {
      await visit(page, server.url + path);
      await page.waitForSelector('[data-testid="consent-banner"]:not([hidden])');
      await page.waitForSelector('[data-testid="chat-open"]');
      await assertNoSideways(page, width, path);

      // The banner (consent pending) and the chat launcher are both on screen, apart.
      const banner = await box(page, '[data-testid="consent-banner"]');
      const launcher = await box(page, '[data-testid="chat-open"]');
      assert.ok(banner && launcher, `${path}: banner and launcher visible`);
      assert.ok(!overlap(banner, launcher), `${path} @${width}: the banner covers the chat launcher ${JSON.stringify({ banner, launcher })}`);
      assert.ok(launcher.y + launcher.height <= viewport.height && launcher.x + launcher.width <= width, `${path}: launcher on screen`);
      if (SHOT[path]) await screenshot(page, `${SHOT[path]}-${width}`);

      // The menu: folded behind its button, then open with every link visible on screen.
      const links = page.locator('#main-nav a');
      assert.equal(await links.first().isVisible(), false, `${path}: the nav is folded`);
      await page.click('[data-testid="menu-toggle"]');
      assert.equal(await page.getAttribute('[data-testid="menu-toggle"]', 'aria-expanded'), 'true');
      for (const link of await links.all()) {
        assert.ok(await link.isVisible(), `${path}: ${await link.textContent()} visible in the open menu`);
        const b = await link.boundingBox();
        assert.ok(b.x >= 0 && b.x + b.width <= width, `${path}: menu link inside the screen`);
      }
      await assertNoSideways(page, width, `${path} (menu open)`);
      await page.keyboard.press('Escape');
      assert.equal(await links.first().isVisible(), false, `${path}: Escape closes the menu`);
    }

    // The open chat sits above the banner: its input is what a tap on it reaches.
    await visit(page, `${server.url}/pricing`);
    await openChat(page);
    const chat = await box(page, '[data-testid="chat"]');
    const banner = await box(page, '[data-testid="consent-banner"]');
    assert.ok(!overlap(chat, banner), `@${width}: the banner covers the open chat`);
    const reachable = await page.$eval('[data-testid="chat-input"]', (input) => {
      const r = input.getBoundingClientRect();
      return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === input;
    });
    assert.ok(reachable, 'the chat input is not covered');
    await screenshot(page, `chat-${width}`);

    // A menu link really navigates.
    await page.click('[data-testid="chat-close"]');
    await page.click('[data-testid="menu-toggle"]');
    await Promise.all([page.waitForURL((u) => u.pathname === '/integrations'), page.click('#main-nav a[href="/integrations"]')]);
    await ready(page);
    // Once the visitor chooses, the launcher goes back down to the corner.
    await accept(page);
    await page.waitForSelector('[data-testid="consent-banner"]', { state: 'hidden' });
    const corner = await box(page, '[data-testid="chat-open"]');
    assert.ok(corner.y + corner.height > viewport.height - 40, `@${width}: launcher back in the corner`);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test(`${width} px: the dashboard lists the lead without scrolling sideways`, async () => {
    const context = await device(viewport);
    const seen = watch(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard`);
    await page.waitForSelector('[data-testid="sign-in"]:not([hidden])');
    await assertNoSideways(page, width, '/dashboard (sign-in)');
    await signIn(page);
    await page.waitForSelector(`[data-testid="lead-row"][data-id="${lead.id}"]`);
    assert.ok(await page.isVisible('nav[aria-label="Dashboard"] a'), 'the dashboard nav shows');
    assert.ok(await page.isVisible('[data-testid="sign-out"]'));
    assert.ok(await page.isVisible(`[data-testid="lead-row"][data-id="${lead.id}"] [data-step="accepted"]`));
    await assertNoSideways(page, width, '/dashboard');
    await screenshot(page, `dashboard-${width}`);
    await page.click(`[data-testid="lead-row"][data-id="${lead.id}"] [data-testid="lead-open"]`);
    await page.waitForSelector('[data-testid="lead-detail"][open] [data-testid="history-entry"]');
    await assertNoSideways(page, width, '/dashboard (detail)');
    const dialog = await box(page, '[data-testid="lead-detail"]');
    assert.ok(dialog.x >= 0 && dialog.x + dialog.width <= width, 'the detail fits the screen');
    await screenshot(page, `dashboard-detail-${width}`);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}
