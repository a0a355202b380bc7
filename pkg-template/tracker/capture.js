import { safe } from './guard.js';

// Automatic signals, each behind its own switch: page views (incl. SPA navigation through the
// History API and hash routes), engaged time (tab visible AND focused), max scroll depth,
// clicks and submits on elements annotated with data-leadpulse-event, and the landing page's
// referrer and UTM parameters (first/last touch is derived by the core from page events).

/**
 * @typedef {import('../leadpulse.js').CaptureOptions} CaptureOptions
 * @typedef {{ type: 'page' | 'track' | 'engagement', event?: string, properties: Record<string, string | number> }} Signal
 */

/**
 * The page path used for scoring: the location's path, with a hash route (`#/x`, `#!/x`)
 * appended as path segments, so `/app/#/pricing` scores as `/app/pricing`.
 * @param {{ pathname: string, hash: string }} loc
 */
export function routePath({ pathname, hash }) {
  const m = /^#!?(\/[^?]*)/.exec(hash);
  return m ? pathname.replace(/\/$/, '') + m[1] : pathname;
}

/**
 * Only the UTM parameters of a query string (`?utm_source=…&utm_medium=…`), or ''.
 * @param {string} search
 */
export function utmSearch(search) {
  const p = new URLSearchParams(search);
  const utm = new URLSearchParams();
  p.forEach((v, k) => {
    if (k.startsWith('utm_')) utm.append(k, v);
  });
  const s = utm.toString();
  return s ? '?' + s : '';
}

/**
 * The referrer's origin if it is another site, else ''.
 * @param {string} referrer
 * @param {string} host  this page's host
 */
export function externalReferrer(referrer, host) {
  try {
    const u = new URL(referrer);
    return u.host && u.host !== host ? u.origin : '';
  } catch {
    return '';
  }
}

/**
 * Event properties from `data-leadpulse-*` attributes (`data-leadpulse-asset-type="ebook"` →
 * `{ asset_type: 'ebook' }`), except `data-leadpulse-event`, the event name.
 * @param {Iterable<{ name: string, value: string }>} attrs
 * @returns {Record<string, string>}
 */
export function annotationProps(attrs) {
  /** @type {Record<string, string>} */
  const props = {};
  for (const { name, value } of attrs) {
    if (name.startsWith('data-leadpulse-') && name !== 'data-leadpulse-event') props[name.slice(15).replace(/-/g, '_')] = value;
  }
  return props;
}

/**
 * Starts the browser listeners. `flush()` sends the engagement gathered on the current page
 * (the caller calls it when the page is hidden or left).
 * @param {Required<CaptureOptions>} on
 * @param {number} intervalMs  engagement is also flushed this often
 * @param {(s: Signal) => void} record
 */
export function startCapture(on, intervalMs, record) {
  const w = window;
  const d = document;
  /** @type {string | null} */
  let path = null;
  let ms = 0; // engaged ms on this page not yet sent
  let since = 0; // start of the current engaged stretch, 0 if none
  let depth = 0; // max scroll depth on this page, 0–100
  let sentDepth = 0;

  const tick = () => {
    const t = Date.now();
    if (since) ms += t - since;
    since = on.engagement && d.visibilityState === 'visible' && d.hasFocus() ? t : 0;
  };
  const measure = () => {
    const h = d.documentElement.scrollHeight;
    const seen = h > 0 ? Math.round(((w.scrollY + w.innerHeight) / h) * 100) : 100;
    depth = Math.max(depth, Math.min(100, seen));
  };
  const flush = () => {
    tick();
    if (on.scroll) measure();
    const s = Math.floor(ms / 1000);
    if (path === null || !(s > 0 || (on.scroll && depth > sentDepth))) return;
    ms -= s * 1000;
    sentDepth = depth;
    /** @type {Record<string, string | number>} */
    const properties = { path, seconds: s };
    if (on.scroll) properties.scroll = depth;
    record({ type: 'engagement', properties });
  };
  const page = () => {
    const p = routePath(location);
    if (p === path) return;
    const first = path === null;
    flush();
    path = p;
    ms = depth = sentDepth = 0;
    if (!on.pages) return;
    /** @type {Record<string, string>} */
    const properties = { path: p };
    if (first && on.touches) {
      const ref = externalReferrer(d.referrer, location.host);
      const utm = utmSearch(location.search);
      if (ref) properties.referrer = ref;
      if (utm) properties.search = utm;
    }
    record({ type: 'page', properties });
  };

  /** What `stop()` undoes. @type {(() => void)[]} */
  const undo = [];
  /** @param {string} type @param {(e: Event) => void} fn @param {EventTarget} [target] @param {boolean} [capture] */
  const listen = (type, fn, target = w, capture = false) => {
    const handler = safe(fn);
    target.addEventListener(type, handler, { capture, passive: true });
    undo.push(() => target.removeEventListener(type, handler, { capture }));
  };

  const h = /** @type {Record<'pushState' | 'replaceState', History['pushState']>} */ (/** @type {unknown} */ (history));
  for (const m of /** @type {const} */ (['pushState', 'replaceState'])) {
    const orig = h[m];
    /** @this {History} */
    h[m] = function (...args) {
      const r = orig.apply(this, args);
      if (undo.length) safe(page)();
      return r;
    };
  }
  listen('popstate', page);
  listen('hashchange', page);
  for (const t of ['focus', 'blur', 'pageshow']) listen(t, tick);
  listen('visibilitychange', tick, d);
  if (on.scroll) listen('scroll', measure);
  const timer = setInterval(safe(flush), intervalMs);
  undo.push(() => clearInterval(timer));

  if (on.clicks) {
    /** @param {Element} el */
    const annotated = (el) => {
      const name = el.getAttribute('data-leadpulse-event');
      if (name) record({ type: 'track', event: name, properties: annotationProps(el.attributes) });
    };
    listen('click', (e) => {
      const el = e.target instanceof Element ? e.target.closest('[data-leadpulse-event]') : null;
      if (el && el.tagName !== 'FORM') annotated(el);
    }, d, true);
    listen('submit', (e) => {
      // NOTE: a request form is recorded by the forms module, with its fields (forms.js).
      if (e.target instanceof HTMLFormElement && !e.target.hasAttribute('data-leadpulse-form')) annotated(e.target);
    }, d, true);
  }

  page();
  tick();
  return {
    flush,
    /** Stops every listener and timer (tracking is off: the engine could not start). */
    stop() {
      for (const u of undo.splice(0)) u();
    },
  };
}
