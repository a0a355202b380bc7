// The dashboard's outbox view against the real collector: a delivery its webhook refused for
// good (410 Gone) is listed as dead with the receiver's answer; once the receiver is fixed,
// the Retry button puts it back in its queue, it is delivered, and the row goes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { API_TOKEN, launchBrowser, ROOT, startServer, tempDir, until } from './harness.mjs';
import { signIn } from './journey.mjs';

let tmp, server, browser, receiver;
let answer = 410;
const arrivals = [];

before(async () => {
  tmp = tempDir();
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push({ key: req.headers['idempotency-key'], answered: answer });
      res.writeHead(answer).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  server = await startServer({ db: join(tmp.dir, 'leads.db'),
    extra: ['--webhook', hook, '--webhook-secret', 'e2e-webhook-secret-0123456789', '--rate-limit', 'off'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve()));
  tmp?.cleanup();
});

const outbox = () => fetch(`${server.url}/api/outbox`, { headers: { authorization: `Bearer ${API_TOKEN}` } }).then((r) => r.json());

test('a dead delivery is listed with its error, and Retry delivers it', async () => {
  const summary = readFileSync(join(ROOT, 'tests/fixtures/summary/valid.json'), 'utf8');
  const posted = await fetch(`${server.url}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: summary });
  assert.equal(posted.status, 201);
  await until(async () => (await outbox()).dead.length === 1, 'the delivery dead after the 410');

  const page = await browser.newPage();
  await page.goto(`${server.url}/dashboard`);
  await signIn(page);
  const row = await page.waitForSelector('[data-testid="outbox-row"][data-state="dead"]');
  assert.match(await row.$eval('[data-testid="outbox-error"]', (e) => e.textContent), /410/);
  assert.equal(await row.$eval('[data-testid="outbox-attempts"]', (e) => e.textContent), '1');
  assert.equal(arrivals.length, 1, 'a 410 is not tried again');

  answer = 200;
  await page.click('[data-testid="outbox-retry"]');
  await until(() => arrivals.some((a) => a.answered === 200), 'the retried delivery');
  await page.waitForSelector('[data-testid="outbox-empty"]:not([hidden])');
  assert.equal(await page.$$eval('[data-testid="outbox-row"]', (rows) => rows.length), 0);
  assert.deepEqual(arrivals.map((a) => a.key), [JSON.parse(summary).id, JSON.parse(summary).id]);
  await page.close();
});
