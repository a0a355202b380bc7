// Request scoring at the edge, independent of how the wasm module is loaded: `edge.js` wires
// it to workerd's wasm module import; other runtimes (Deno, tests) pass their own loader.
//
// Nothing here runs at module top level: the wasm module is initialised, keys are imported
// and randomness / clocks are read inside the request handler only.

import { clearStateCookie, getCookie, readStateCookie, writeStateCookie } from './cookie.js';
import { pageEvent, skipReason, stampEvent } from './events.js';
import { signedDelivery } from './forward.js';
import { hmacKey, toBase64Url } from './hmac.js';

const DEFAULT_COOKIE = '__Host-lp';
const DEFAULT_MAX_AGE_DAYS = 30;
const MAX_HOOK_EVENTS = 8;
const MAX_CACHED_SCORERS = 4;
const SUMMARY_ID = /^lp_([0-9a-f]{16})$/;

/**
 * @param {() => { Scorer: any }} loadCore initialises the wasm module (once) and returns the API.
 */
export function createEdge(loadCore) {
  let api = null;
  const scorers = new Map();
  const logged = new Set();

  function scorerFor(model) {
    api ??= loadCore();
    const key = model === undefined || model === null || model === '' ? ''
      : typeof model === 'string' ? model : JSON.stringify(model);
    let entry = scorers.get(key);
    if (!entry) {
      try {
        entry = { scorer: key === '' ? new api.Scorer() : new api.Scorer(model) };
      } catch (error) {
        // NOTE: a broken model is remembered so it is not re-parsed on every request.
        entry = { error };
      }
      if (scorers.size >= MAX_CACHED_SCORERS) scorers.clear();
      scorers.set(key, entry);
    }
    if (entry.error) throw entry.error;
    return entry.scorer;
  }

  function report(options, error) {
    if (options.onError) {
      try { options.onError(error); } catch { /* the hook must not break the request */ }
      return;
    }
    const message = String(error?.message ?? error);
    if (logged.has(message) || logged.size > 32) return;
    logged.add(message);
    console.warn(`leadpulse: request passed through unscored: ${message}`);
  }

  /** See edge.d.ts. Never throws: null means "pass the request through untouched". */
  async function scoreRequest(request, env = {}, ctx = undefined, options = {}) {
    try {
      return await score(request, env ?? {}, ctx, options);
    } catch (error) {
      report(options, error);
      return null;
    }
  }

  async function score(request, env, ctx, options) {
    const url = new URL(request.url);
    if (skipReason(request, url) || options.skip?.(request, url)) return null;

    const nowOption = options.now?.(request, env);
    const nowMs = Number.isFinite(nowOption) ? nowOption : Date.now();
    const secret = options.secret ?? env.LEADPULSE_SECRET;
    const name = options.cookieName ?? DEFAULT_COOKIE;
    const maxAgeSeconds = Math.round((options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS) * 86400);
    const consent = options.consent ? options.consent(request, env) : defaultConsent(request);
    const persist = consent === 'granted';
    const cookieHeader = request.headers.get('cookie');
    if (persist) await hmacKey(secret); // fail fast (pass through) on a missing or short secret

    const saved = persist
      ? await readStateCookie(cookieHeader, { name, secret, nowMs })
      : { visitor: null, state: null, forwarded: [], problem: 'not-read' };
    const visitor = saved.visitor ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16)));

    const events = [];
    const page = pageEvent(request, url, visitor, nowMs);
    if (page) events.push(page);
    if (options.events) {
      try {
        const extra = await options.events(request.body ? request.clone() : request, { url, env, visitor, nowMs });
        for (const event of (Array.isArray(extra) ? extra : []).slice(0, MAX_HOOK_EVENTS)) {
          const stamped = stampEvent(event, request, visitor, nowMs);
          if (stamped) events.push(stamped);
        }
      } catch (error) {
        report(options, error);
      }
    }
    if (events.length === 0) return null;

    const scorer = scorerFor(options.model ?? env.LEADPULSE_MODEL);
    const session = scorer.session(visitor, saved.state ?? undefined);
    let step;
    let snapshot;
    let state;
    let summary = null;
    const restoreError = session.restoreError ?? null;
    try {
      for (const event of events) {
        try {
          step = session.track(event, nowMs);
        } catch (error) {
          if (event === page) throw error;
          report(options, error); // a malformed hook event is dropped; the rest still count
        }
      }
      if (!step || step.bot) return null;
      // NOTE: handed off before saving, so the state remembers it; the core decides what is due.
      if (persist && step.summaryDue) {
        summary = session.handoff(nowMs, { runtime: 'edge', includeEmail: options.includeEmail ?? true }) ?? null;
      }
      snapshot = session.snapshot(nowMs);
      state = session.save();
    } finally {
      session.free?.();
    }

    let forwarded = saved.forwarded;
    let sent = null;
    const endpoint = options.endpoint ?? env.LEADPULSE_ENDPOINT;
    const id = summary && JSON.parse(summary).id;
    const hex = id && SUMMARY_ID.exec(id)?.[1];
    if (hex && endpoint && !forwarded.includes(hex)) {
      const fetcher = options.collector ?? env.LEADPULSE_COLLECTOR ?? { fetch: (u, init) => fetch(u, init) };
      const { delivery } = await signedDelivery({ id, body: summary }, { endpoint, secret, fetcher });
      ctx?.waitUntil?.(delivery);
      forwarded = [...forwarded, hex];
      sent = id;
    }

    let setCookie = null;
    if (persist) {
      setCookie = await writeStateCookie({ name, secret, nowMs, maxAgeSeconds, visitor, state, forwarded });
    } else if (consent === 'denied' && getCookie(cookieHeader, name) !== null) {
      setCookie = clearStateCookie(name);
    }
    return { visitor, snapshot, setCookie, forwarded: sent, consent, cookie: saved.problem ?? 'valid', restoreError };
  }

  /** See edge.d.ts: an ExportedHandler that scores, calls `handler`, then sets the cookie. */
  function withLeadPulse(handler, options = {}) {
    return {
      async fetch(request, env, ctx) {
        const lead = await scoreRequest(request, env, ctx, options);
        const response = await handler(request, env, ctx, lead);
        return attachCookie(response, lead);
      },
    };
  }

  return { scoreRequest, withLeadPulse };
}

/** The response with `lead.setCookie` appended (a copy, since fetched responses are immutable). */
export function attachCookie(response, lead) {
  if (!lead?.setCookie || !response) return response;
  try {
    const copy = new Response(response.body, response);
    copy.headers.append('set-cookie', lead.setCookie);
    return copy;
  } catch {
    return response; // e.g. a WebSocket upgrade: never break the response for a cookie
  }
}

/** DNT and GPC count as denied; otherwise the site is taken to have consent (see README). */
export function defaultConsent(request) {
  const gpc = request.headers.get('sec-gpc');
  const dnt = request.headers.get('dnt');
  return gpc === '1' || dnt === '1' ? 'denied' : 'granted';
}
