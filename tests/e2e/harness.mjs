// Shared set-up for the browser end-to-end tests: the real `leadpulse serve` collector (which
// serves www/ and pkg/), headless Chromium through playwright-core, and page helpers.
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startCollector } from '../../scripts/collector.mjs';

export { ROOT };
export const SHOTS = join(ROOT, 'tests', 'artifacts', 'screenshots');
export const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'";

const { chromium } = createRequire(join(ROOT, 'package.json'))('playwright-core');

/** A fresh temporary directory, removed by the returned `cleanup`. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'leadpulse-e2e-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The API token every test server gets (the dashboard asks for it once). */
export const API_TOKEN = 'e2e-api-token-0123456789';

/**
 * Starts `leadpulse serve` on loopback and resolves once it prints its URL.
 * @param {{ db: string, port?: number, csp?: string, extra?: string[] }} o
 */
export function startServer({ db, port = 0, csp, extra = [] }) {
  const args = ['--listen', `127.0.0.1:${port}`, '--api-token', API_TOKEN, '--db', db, '--root', ROOT, ...extra];
  if (csp) args.push('--csp', csp);
  return startCollector(args);
}

/**
 * Headless Chromium as a visitor would run it.
 * NOTE: Playwright's `--enable-automation` makes `navigator.webdriver` true, which LeadPulse
 * rightly flags as a bot (`webdriver: false` keeps that default for the bot test). Dropping it
 * keeps the site's real script tag (no test-only `data-ignore-webdriver`).
 */
export function launchBrowser({ webdriver = false } = {}) {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
  if (!webdriver) args.push('--disable-blink-features=AutomationControlled');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args,
    ignoreDefaultArgs: webdriver ? [] : ['--enable-automation'],
  });
}

/** A browser context (fresh storage) with an ordinary desktop Chrome user agent. */
export function newVisitor(browser, options = {}) {
  const major = browser.version().split('.')[0];
  return browser.newContext({
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    viewport: { width: 1280, height: 800 },
    ...options,
  });
}

/**
 * Collects page errors, console errors/warnings and every request to /collect in a context.
 * Beacons show up here too (Chromium reports them as `ping` requests).
 */
export function watch(context) {
  const seen = { errors: [], console: [], collect: [], markers: [] };
  const onPage = (page) => {
    page.on('pageerror', (e) => seen.errors.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') seen.console.push(`${m.type()}: ${m.text()}`);
    });
  };
  context.pages().forEach(onPage);
  context.on('page', onPage);
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/collect') seen.collect.push({ method: r.method(), type: r.resourceType(), body: r.postData() });
    if (url.searchParams.has('e2e-marker')) seen.markers.push(url.searchParams.get('e2e-marker'));
  });
  return seen;
}

let markers = 0;
/**
 * A request the page must make, issued after everything the page has done so far: once the
 * watcher has seen it, any /collect request issued before it has been seen too. Negative
 * assertions ("nothing was sent") wait for this instead of sleeping.
 * @returns {Promise<number>} how many /collect requests were seen before the marker
 */
export async function marker(page, seen) {
  const name = String(++markers);
  await page.evaluate((n) => fetch(`/robots.txt?e2e-marker=${n}`).then((r) => r.arrayBuffer()), name);
  await until(() => seen.markers.includes(name), `marker request ${name}`);
  return seen.collect.length;
}

/** Counts the page's own calls to fetch('/collect') and sendBeacon('/collect'), across reloads. */
export async function countTransportCalls(context) {
  await context.addInitScript(() => {
    if (location.protocol !== 'http:') return; // about:blank has no storage
    const K = 'e2e:collect-calls';
    if (!sessionStorage.getItem(K)) sessionStorage.setItem(K, '0');
    const bump = () => sessionStorage.setItem(K, String(Number(sessionStorage.getItem(K)) + 1));
    const isCollect = (u) => { try { return new URL(String(u instanceof Request ? u.url : u), location.href).pathname === '/collect'; } catch { return false; } };
    const f = window.fetch;
    window.fetch = function (input, init) { if (isCollect(input)) bump(); return f.call(this, input, init); };
    const b = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
    if (b) navigator.sendBeacon = (u, d) => { if (isCollect(u)) bump(); return b(u, d); };
  });
}
export const transportCalls = (page) => page.evaluate(() => Number(sessionStorage.getItem('e2e:collect-calls') || 0));

/** Navigates and waits until the tracker produced its first snapshot. */
export async function visit(page, url) {
  await page.goto(url);
  return ready(page);
}

export async function ready(page) {
  await page.waitForFunction(() => window.leadpulse && window.leadpulse.ready, null, { timeout: 15000 }).catch((e) => {
    throw new Error(`no window.leadpulse on ${page.url()} (is pkg/ built?): ${e.message}`);
  });
  const first = await page.evaluate(() => window.leadpulse.ready);
  if (!first) throw new Error(`tracker did not start on ${page.url()}`);
  return first;
}

export const snapshot = (page) => page.evaluate(() => window.leadpulse.snapshot());
export const consentState = (page) => page.evaluate(() => window.leadpulse.consent());
export const points = (snap, rule) => (snap.reasons.find((r) => r.rule === rule) || { points: 0 }).points;

/** The leads the dashboard would show (`GET /api/leads` with the token). */
export async function leads(baseUrl, query = '') {
  const res = await fetch(`${baseUrl}/api/leads${query}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  if (!res.ok) throw new Error(`GET /api/leads: ${res.status}`);
  return (await res.json()).leads;
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeout` ms. */
export async function until(fn, what, timeout = 15000, every = 200) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}
