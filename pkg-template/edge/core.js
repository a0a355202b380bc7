// Request scoring at the edge, independent of how the wasm module is loaded: `edge.js` wires
// it to workerd's wasm module import; other runtimes (Deno, tests) pass their own loader.
//
// One request: read the cookie (keys.js, cookie.js) → score the page view and hook events →
// hand off a newly due summary, or re-send a pending one (outgoing.js, forward.js, outbox.js)
// → write the cookie with the new state and delivery record. docs/edge.md has the guarantees.
//
// Nothing here runs at module top level: the wasm module is initialised, keys are imported
// and randomness / clocks are read inside the request handler only.

import { clearStateCookie, getCookie, readStateCookie, writeStateCookie } from './cookie.js';
import { toBase64Url } from './encoding.js';
import { pageEvent, skipReason, stampEvent } from './events.js';
import { DeliveryRefusedError, send } from './forward.js';
import { cookieKeys, resolveSecrets, signingKey } from './keys.js';
import { acknowledged, afterAttempt, deliveryView, EMPTY_OUTBOX } from './outbox.js';
import { outgoingSummary } from './outgoing.js';

export { DeliveryRefusedError } from './forward.js';
export { LeadPulseConfigError } from './keys.js';

const DEFAULT_COOKIE = '__Host-lp';
const DEFAULT_MAX_AGE_DAYS = 30;
const DEFAULT_DELIVERY_WAIT_MS = 300;
const MAX_HOOK_EVENTS = 8;
const MAX_CACHED_SCORERS = 4;
const MAX_LOGGED = 64;
const UNHELD = 'the visitor holds no hand-off stage now, so the pending summary cannot be '
  + 're-derived; the next hand-off (when they qualify again) is sent instead';

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

  /** To `options.onError`, else one `console.warn` per message (per isolate, bounded memory). */
  function report(options, error, what = 'request passed through unscored') {
    if (options.onError) {
      try { options.onError(error); } catch { /* the hook must not break the request */ }
      return;
    }
    const message = String(error?.message ?? error);
    if (logged.has(message)) return;
    if (logged.size >= MAX_LOGGED) logged.clear();
    logged.add(message);
    console.warn(`leadpulse: ${what}: ${message}`);
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
    const name = options.cookieName ?? DEFAULT_COOKIE;
    const maxAgeSeconds = Math.round((options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS) * 86400);
    const consent = options.consent ? options.consent(request, env) : defaultConsent(request);
    const persist = consent === 'granted';
    const endpoint = options.endpoint ?? env.LEADPULSE_ENDPOINT;
    const cookieHeader = request.headers.get('cookie');
    // NOTE: checked before anything else, so a misconfiguration passes every request through
    // with its explanation rather than scoring without a cookie.
    const secrets = persist ? resolveSecrets(options, env, { forwarding: Boolean(endpoint) }) : null;
    const keys = secrets && await cookieKeys(secrets.cookie);

    const saved = persist
      ? await readStateCookie(cookieHeader, { name, keys, nowMs, maxAgeSeconds })
      : { visitor: null, state: null, outbox: EMPTY_OUTBOX, counter: 0, problem: 'not-read' };
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
        report(options, error, 'hook events dropped');
      }
    }
    if (events.length === 0) return null;

    const scorer = scorerFor(options.model ?? env.LEADPULSE_MODEL);
    const session = scorer.session(visitor, saved.state ?? undefined);
    const summaryOptions = { runtime: 'edge', includeEmail: options.includeEmail ?? true };
    let step;
    let snapshot;
    let state;
    let outgoing = null;
    const restoreError = session.restoreError ?? null;
    try {
      for (const event of events) {
        try {
          step = session.track(event, nowMs);
        } catch (error) {
          if (event === page) throw error;
          report(options, error, 'hook event dropped'); // a malformed hook event; the rest still count
        }
      }
      if (!step || step.bot) return null;
      if (persist) {
        // NOTE: handed off before saving, so the state remembers it; the core decides what is due.
        const handedOff = step.summaryDue ? session.handoff(nowMs, summaryOptions) ?? null : null;
        if (endpoint) outgoing = outgoingSummary(session, handedOff, saved.outbox, nowMs, summaryOptions);
      }
      snapshot = session.snapshot(nowMs);
      state = session.save();
    } finally {
      session.free?.();
    }

    const { outbox, seen } = await deliver(outgoing, saved.outbox, { endpoint, secrets, nowMs, env, ctx, options });

    let setCookie = null;
    const counter = persist ? saved.counter + 1 : 0;
    if (persist) {
      setCookie = await writeStateCookie({ name, keys, nowMs, maxAgeSeconds, visitor, state, outbox, counter });
    } else if (consent === 'denied' && getCookie(cookieHeader, name) !== null) {
      setCookie = clearStateCookie(name);
    }
    return {
      visitor, snapshot, setCookie,
      forwarded: seen?.sent ? seen.id : null,
      delivery: deliveryView(outbox, seen),
      consent, cookie: saved.problem ?? 'valid', counter: setCookie ? counter : saved.counter, restoreError,
    };
  }

  /** Sends `outgoing` (if any) and returns the delivery record to save and what this request saw. */
  async function deliver(outgoing, outbox, { endpoint, secrets, nowMs, env, ctx, options }) {
    if (!outgoing) return { outbox, seen: null };
    const { id, hex } = outgoing;
    if (outgoing.delivered) return { outbox: acknowledged(outbox, hex), seen: { id, hex, sent: false } };
    if (outgoing.unheld) {
      report(options, new Error(`summary ${id} is pending: ${UNHELD}`), 'delivery');
      // NOTE: backed off like a failed attempt, so it is looked at again later, not every request.
      const next = afterAttempt(outbox, hex, { state: 'pending', status: outbox.entry?.status ?? null },
        { nowMs, attemptsBefore: outgoing.attemptsBefore, random: Math.random() });
      return { outbox: next, seen: { id, hex, sent: false, note: UNHELD } };
    }
    const fetcher = options.collector ?? env.LEADPULSE_COLLECTOR ?? { fetch: (u, init) => fetch(u, init) };
    const outcome = await send(outgoing, {
      endpoint, key: await signingKey(secrets.signing), fetcher,
      waitMs: options.deliveryWaitMs ?? DEFAULT_DELIVERY_WAIT_MS,
      retryDelaysMs: options.retryDelaysMs,
      waitUntil: ctx?.waitUntil ? (promise) => ctx.waitUntil(promise) : undefined,
      onRefused: (refusal) => report(options, new DeliveryRefusedError(id, refusal), 'delivery'),
    });
    const next = afterAttempt(outbox, hex, outcome, { nowMs, attemptsBefore: outgoing.attemptsBefore, random: Math.random() });
    return { outbox: next, seen: { id, hex, sent: true, outcome } };
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
