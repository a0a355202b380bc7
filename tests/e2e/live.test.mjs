// Changes pushed to an open dashboard (GET /api/events, read with fetch and the token in a
// header) against the real collector: a new SQL appears while polling could not have brought
// it; the stream reconnects after the collector restarts; a dashboard beyond the cap on
// streams polls instead and still sees new leads; metrics on screen follow pushed changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { API_TOKEN, launchBrowser, leads, newVisitor, startServer, STRICT_CSP, tempDir, until, watch } from './harness.mjs';
import { raiseHand, signIn } from './journey.mjs';

let tmp, server, browser;
const serve = (port = 0) => startServer({
  db: join(tmp.dir, 'leads.db'), port, csp: STRICT_CSP,
  extra: ['--owner', 'Ana Ruiz', '--max-event-streams', '1'],
});
before(async () => {
  tmp = tempDir();
  server = await serve();
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
  const { context, lead } = await raiseHand(browser, server.url, { name: `Live prospect ${visitors}`, email: `live${visitors}@halcyonfreight.com` });
  await context.close();
  return lead;
}

/** A signed-in dashboard; `requests` records every URL it asked for and the stream's headers. */
async function dashboard() {
  const context = await newVisitor(browser);
  const seen = watch(context);
  const requests = { urls: [], stream: [] };
  context.on('request', (r) => {
    requests.urls.push(r.url());
    if (new URL(r.url()).pathname === '/api/events') requests.stream.push(r.headers());
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/dashboard`);
  await signIn(page);
  return { context, page, seen, requests };
}

const row = (page, lead) => page.locator(`[data-testid="lead-row"][data-id="${lead.id}"]`);
const live = (page, how) => page.waitForSelector(`[data-testid="dash-status"][data-live="${how}"]`, { timeout: 20000 });

test('a new SQL is pushed to the open dashboard (polling cannot bring it); the stream comes back after a restart', async () => {
  const { context, page, seen, requests } = await dashboard();
  await live(page, 'push');
  // From here on the list cannot be read by polling: what appears was pushed.
  await page.route('**/api/leads?*', (route) => route.abort());
  const lead = await handRaiser();
  await row(page, lead).waitFor();
  assert.match(await row(page, lead).textContent(), /Live prospect \d+/);

  // The token travels in a header only: never in a URL the page asked for.
  assert.ok(requests.stream.length >= 1);
  assert.ok(requests.stream.every((h) => h.authorization === `Bearer ${API_TOKEN}`));
  assert.deepEqual(requests.urls.filter((u) => u.includes(API_TOKEN)), []);

  // The collector restarts: the dashboard falls back, then reconnects on its own.
  const port = server.port;
  await server.stop();
  await page.waitForSelector('[data-testid="dash-status"]:not([data-live="push"])');
  server = await serve(port);
  await live(page, 'push');
  const next = await handRaiser();
  await row(page, next).waitFor();
  await page.unroute('**/api/leads?*');
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('beyond the cap on streams a dashboard polls and still sees new leads; metrics on screen follow a pushed change', async () => {
  const first = await dashboard();
  await live(first.page, 'push');
  const second = await dashboard();
  await live(second.page, 'poll'); // the only stream is taken: 503, polling instead
  const lead = await handRaiser();
  await row(second.page, lead).waitFor();
  await row(first.page, lead).waitFor();

  // The metrics on screen: another rep's answer (through the API) shows without a reload.
  await first.page.click('[data-testid="view-metrics"]');
  await first.page.waitForSelector('[data-testid="metrics-figures"]');
  const accepted = async () => Number(/(\d+) of/.exec(await first.page.textContent('[data-testid="kpi-sal"] small'))[1]);
  const was = await accepted();
  const answer = await fetch(`${server.url}/api/leads/${lead.id}/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'accepted', by: 'Ben Cole' }),
  });
  assert.equal(answer.status, 200);
  await until(async () => (await accepted()) === was + 1, 'the metrics counting the acceptance');
  assert.deepEqual(first.seen.errors, []);
  assert.deepEqual(second.seen.errors, []);
  await first.context.close();
  await second.context.close();
});
