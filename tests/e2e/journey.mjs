// What a prospect does on the Northwind demo site, as reusable steps. Every step goes through
// the site's real UI (links, buttons, forms), never through the tracker API.
import { API_TOKEN, leads, newVisitor, ready, snapshot, until, visit } from './harness.mjs';

export const PROSPECT = {
  name: 'Maya Okafor',
  email: 'maya.okafor@halcyonfreight.com',
  title: 'VP Revenue Operations',
  company: 'Halcyon Freight',
  size: '2500', // 1,001–5,000
  industry: 'Logistics',
};

/** Chat answers a serious buyer gives: the strongest option offered, or free text. */
const PREFERRED = ['approved', 'decision maker', 'pipeline visibility', 'this quarter'];
const FREE_TEXT = {
  metrics: 'Forecast accuracy and pipeline coverage',
  decision_criteria: 'Connector coverage and data freshness',
  decision_process: 'A two-week trial, then a security review',
  champion: 'Our CFO',
};

export async function accept(page) {
  await page.click('[data-testid="consent-accept"]');
  await until(async () => (await page.evaluate(() => window.leadpulse.consent())) === 'granted', 'consent granted');
}

export async function reject(page) {
  await page.click('[data-testid="consent-reject"]');
  await until(async () => (await page.evaluate(() => window.leadpulse.consent())) === 'denied', 'consent denied');
}

/** Follows a link on the current page (a real click, so it is a real navigation). */
export async function follow(page, href) {
  await Promise.all([page.waitForURL((u) => u.pathname === href), page.locator(`a[href="${href}"]:visible`).first().click()]);
  return ready(page);
}

export async function downloadCaseStudy(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="case-study-download"]')]);
  await download.path(); // the PDF really arrived
  return download;
}

export async function openChat(page) {
  await page.click('[data-testid="chat-open"]');
  await page.waitForSelector('[data-testid="chat"]:not([hidden]) [data-testid="chat-opener"]');
}

/** What the chat waits for: `question` (with its slot), `email` or `done` (chat.js `data-state`). */
export const chatState = (page) => page.$eval('[data-testid="chat"]', (c) => ({ state: c.dataset.state, slot: c.dataset.slot, turn: c.dataset.turn }));

/** Waits until the chat has taken its next turn after `turn`. */
export async function nextTurn(page, turn) {
  await page.waitForFunction((t) => document.querySelector('[data-testid="chat"]').dataset.turn !== t, turn);
  return chatState(page);
}

/** Answers the chat's current question with a button; returns the slot answered, or null when it asks none. */
export async function answerOne(page) {
  const { state, slot, turn } = await chatState(page);
  if (state !== 'question') return null;
  const options = await page.$$eval('[data-testid="chat-option"]', (bs) => bs.map((b) => b.dataset.value));
  if (options.length) {
    const value = PREFERRED.find((p) => options.includes(p)) || options[0];
    await page.click(`[data-testid="chat-option"][data-value="${value}"]`);
  } else {
    await page.fill('[data-testid="chat-input"]', FREE_TEXT[slot] || 'We need one pipeline for CRM and billing data');
    await page.click('[data-testid="chat-send"]');
  }
  await nextTurn(page, turn);
  return slot;
}

/** Answers until the chat stops asking (it asks at most three, then the e-mail or the next step). */
export async function answerAll(page, max = 12) {
  const slots = [];
  for (let i = 0; i < max; i++) {
    const slot = await answerOne(page);
    if (!slot) break;
    slots.push(slot);
  }
  return slots;
}

/** Fills in and sends the demo form; waits until the page shows the request's outcome (`want`). */
export async function requestDemo(page, who = PROSPECT, want = 'demo-success') {
  await page.fill('[data-testid="demo-name"]', who.name);
  await page.fill('[data-testid="demo-email"]', who.email);
  await page.fill('[data-testid="demo-title"]', who.title);
  await page.fill('[data-testid="demo-company"]', who.company);
  await page.selectOption('[data-testid="demo-size"]', who.size);
  await page.selectOption('[data-testid="demo-industry"]', who.industry);
  await page.click('[data-testid="demo-submit"]');
  await page.waitForSelector(`[data-testid="${want}"]:not([hidden])`);
}

export const ctaText = (page) => page.textContent('[data-testid="cta"]');

export async function stage(page, want, timeout = 10000) {
  await page.waitForFunction((s) => window.leadpulse.snapshot()?.stage === s, want, { timeout });
  return snapshot(page);
}

/** Signs in to the sales dashboard (it asks for a token once per tab; the collector's by default). */
export async function signIn(page, { token = API_TOKEN } = {}) {
  await page.waitForSelector('[data-testid="sign-in"]:not([hidden]) [data-testid="sign-in-form"]');
  await page.fill('[data-testid="sign-in-token"]', token);
  await page.click('[data-testid="sign-in-submit"]');
}

/**
 * A real hand-raiser in a fresh browser: the demo page, consent, the demo form as `who`, until
 * the tracker says SQL and the collector has the lead. The caller closes `context`.
 * @returns {Promise<{ context: any, page: any, visitor: string, lead: any }>}
 */
export async function raiseHand(browser, serverUrl, who) {
  const context = await newVisitor(browser);
  const page = await context.newPage();
  await visit(page, `${serverUrl}/demo`);
  await accept(page);
  await requestDemo(page, { ...PROSPECT, ...who });
  await stage(page, 'sql');
  const visitor = await page.evaluate(() => localStorage.getItem('leadpulse:id'));
  const lead = await until(async () => (await leads(serverUrl)).find((l) => l.visitor === visitor), 'the hand-raiser\'s lead');
  return { context, page, visitor, lead };
}
