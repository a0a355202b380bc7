// Request scoring at the edge, independent of how the wasm module is loaded: `edge.js` wires
// it to workerd's wasm module import; other runtimes (Deno, tests) pass their own loader.
//
// One request: read the cookie (keys.js, cookie.js; rotation.js while the cookie secret
// changes) → score the page view and hook events → (with a shadow model) score the same events
// silently with it, from its own cookie → hand off a newly due summary, or re-send a pending
// one (outgoing.js, forward.js, outbox.js) → write the cookie with the new state and delivery
// record (and the shadow's cookie).
// docs/edge.md has the guarantees.
//
// Nothing here runs at module top level: the wasm module is initialised, keys are imported
// and randomness / clocks are read inside the request handler only.

import {
  clearStateCookie, getCookie, readShadowCookie, readStateCookie, shadowCookieName, writeShadowCookie, writeStateCookie,
} from './cookie.js';
import { toBase64Url } from './encoding.js';
import { pageEvent, skipReason, stampEvent } from './events.js';
import { DeliveryRefusedError, DeliveryUnauthorizedError, send } from './forward.js';
import { cookieKeys, resolveSecrets, signingKey } from './keys.js';
import { answerForm, formEvents, formInUrl, readFormPost, refuseFormInUrl } from './forms.js';
import { markEdgeScored } from './mark.js';
import { acknowledged, afterAttempt, deliveryView, EMPTY_OUTBOX } from './outbox.js';
import { outgoingSummary } from './outgoing.js';
import { salesStatus } from './sales.js';
import { readRotating } from './rotation.js';

export { DeliveryRefusedError, DeliveryUnauthorizedError } from './forward.js';
export { LeadPulseConfigError } from './keys.js';

/** The shadow model failed in a request: reported, and the champion's result is unaffected. */
export class LeadPulseShadowError extends Error {
  constructor(cause) {
    super(`shadow model: ${String(cause?.message ?? cause)}`, { cause });
    this.name = 'LeadPulseShadowError';
  }
}

const DEFAULT_COOKIE = '__Host-lp';
const DEFAULT_MAX_AGE_DAYS = 30;
const DEFAULT_DELIVERY_WAIT_MS = 300;
const MAX_HOOK_EVENTS = 8;
const MAX_CACHED_SCORERS = 4;
const MAX_LOGGED = 64;
const UNHELD = 'the visitor holds no hand-off stage now, so the pending summary cannot be '
  + 're-derived; the next hand-off (when they qualify again) is sent instead';

/** A model option / binding that means "none" for the shadow (for the champion: built-in). */
const unset = (model) => model === undefined || model === null || model === '';

/**
 * The edge API over one wasm module: `scoreRequest` and `withLeadPulse` (edge.d.ts), sharing
 * the isolate's scorers and log. Each step of scoring a request is a function of its own below.
 * @param {() => { Scorer: any }} loadCore initialises the wasm module (once) and returns the API.
 */
export function createEdge(loadCore) {
  const isolate = createIsolate(loadCore);
  return {
    scoreRequest: (request, env = {}, ctx = undefined, options = {}) => scoreRequest(isolate, request, env, ctx, options),
    withLeadPulse: (handler, options = {}) => withLeadPulse(isolate, handler, options),
  };
}

/**
 * What one isolate keeps between requests: the scorers by model (parsed once, a broken model
 * remembered as broken), and the messages already logged.
 * @param {() => { Scorer: any }} loadCore
 */
function createIsolate(loadCore) {
  let api = null;
  const scorers = new Map();
  const logged = new Set();

  function scorerFor(model) {
    api ??= loadCore();
    const key = unset(model) ? '' : typeof model === 'string' ? model : JSON.stringify(model);
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

  return { scorerFor, report };
}

/** See edge.d.ts. Never throws: null means "pass the request through untouched". */
async function scoreRequest(isolate, request, env = {}, ctx = undefined, options = {}) {
  try {
    return await score(isolate, request, env ?? {}, ctx, options);
  } catch (error) {
    isolate.report(options, error);
    return null;
  }
}

async function score(isolate, request, env, ctx, options) {
  const url = new URL(request.url);
  if (skipReason(request, url) || options.skip?.(request, url)) return null;
  const how = await settings(request, env, options);
  const saved = how.persist
    ? await readRotating(readStateCookie, how.cookieHeader, {
      name: how.name, keys: how.keys, nowMs: how.nowMs, maxAgeSeconds: how.maxAgeSeconds,
    }, how.secrets.previousCookie)
    : { visitor: null, state: null, outbox: EMPTY_OUTBOX, counter: 0, problem: 'not-read' };
  const visitor = saved.visitor ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const { events, page } = await eventsOf(isolate, request, url, visitor, how.nowMs, env, options);
  if (events.length === 0) return null;
  const scored = await scoreEvents(isolate, { events, page, visitor, saved, how, env, options });
  if (!scored) return null;

  // NOTE: a form's request goes before the summary the same post hands off (withLeadPulse),
  // so the collector can join the two into one message to sales.
  await options.beforeDelivery?.(visitor, how.consent);
  const { endpoint, secrets, nowMs } = how;
  const { outbox, seen } = await deliver(isolate, scored.outgoing, saved.outbox, { endpoint, secrets, nowMs, env, ctx, options });
  // NOTE: only a visitor whose hand-off the collector acknowledged has a lead to ask about.
  const sales = how.persist && endpoint && outbox.delivered.length > 0 && options.sales !== false
    ? await salesStatus({
      visitor, endpoint, signingSecret: secrets.signing,
      fetcher: options.collector ?? env.LEADPULSE_COLLECTOR ?? { fetch: (u, init) => fetch(u, init) },
      waitUntil: ctx?.waitUntil ? (promise) => ctx.waitUntil(promise) : undefined,
    })
    : null;
  const { setCookie, setCookies, counter } = await cookiesFor(how, saved, visitor, scored, outbox);
  const { shadow } = scored;
  return {
    visitor, snapshot: scored.snapshot, setCookie, setCookies,
    shadow: shadow?.view ? { ...shadow.view, history: shadow.history, cookie: shadow.cookie } : null,
    forwarded: seen?.sent ? seen.id : null,
    delivery: deliveryView(outbox, seen), sales,
    consent: how.consent, cookie: saved.problem ?? (saved.previous ? 'previous' : 'valid'), counter,
    restoreError: scored.restoreError,
  };
}

/** What this request is scored under: time, cookie settings, consent, endpoint and keys. */
async function settings(request, env, options) {
  const nowOption = options.now?.(request, env);
  const nowMs = Number.isFinite(nowOption) ? nowOption : Date.now();
  const consent = options.consent ? options.consent(request, env) : defaultConsent(request);
  const persist = consent === 'granted';
  const endpoint = options.endpoint ?? env.LEADPULSE_ENDPOINT;
  // NOTE: checked before anything else, so a misconfiguration passes every request through
  // with its explanation rather than scoring without a cookie.
  const secrets = persist ? resolveSecrets(options, env, { forwarding: Boolean(endpoint) }) : null;
  return {
    nowMs, consent, persist, endpoint, secrets,
    name: options.cookieName ?? DEFAULT_COOKIE,
    maxAgeSeconds: Math.round((options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS) * 86400),
    cookieHeader: request.headers.get('cookie'),
    keys: secrets && await cookieKeys(secrets.cookie),
  };
}

/** The page view and the hook's events (at most MAX_HOOK_EVENTS; a failing hook adds none). */
async function eventsOf(isolate, request, url, visitor, nowMs, env, options) {
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
      isolate.report(options, error, 'hook events dropped');
    }
  }
  return { events, page };
}

/**
 * The visitor's session over the events (and the shadow's, alongside): the snapshot, the
 * state to save and the summary to send, if any. Null for a bot.
 */
async function scoreEvents(isolate, { events, page, visitor, saved, how, env, options }) {
  const scorer = isolate.scorerFor(options.model ?? env.LEADPULSE_MODEL);
  const session = scorer.session(visitor, saved.state ?? undefined);
  const summaryOptions = { runtime: 'edge', includeEmail: options.includeEmail ?? true };
  const restoreError = session.restoreError ?? null;
  const accepted = [];
  let step;
  try {
    for (const event of events) {
      try {
        step = session.track(event, how.nowMs);
        accepted.push(event);
      } catch (error) {
        if (event === page) throw error;
        isolate.report(options, error, 'hook event dropped'); // a malformed hook event; the rest still count
      }
    }
    if (!step || step.bot) return null;
    let shadow = null;
    const shadowModel = how.persist ? options.shadowModel ?? env.LEADPULSE_SHADOW_MODEL : undefined;
    if (!unset(shadowModel)) {
      const { cookieHeader, name, keys, secrets, nowMs, maxAgeSeconds } = how;
      shadow = await runShadow(isolate, shadowModel, accepted, {
        cookieHeader, name: shadowCookieName(name), keys, previousSecret: secrets.previousCookie, nowMs, maxAgeSeconds, visitor, options,
        // NOTE: the shadow restarts with the champion whenever the champion starts from nothing.
        championFresh: !saved.state || restoreError !== null, championCounter: saved.counter,
      });
      // NOTE: the engine gives a view for summaries only when the shadow has scored the
      // visitor's whole history (core::summary::shadow): one started later (cookie lost,
      // dropped, or deployed mid-visit) would compare unfairly against the champion.
      if (shadow.forSummary) summaryOptions.shadow = shadow.forSummary;
    }
    let outgoing = null;
    if (how.persist) {
      // NOTE: handed off before saving, so the state remembers it; the core decides what is due.
      const handedOff = step.summaryDue ? session.handoff(how.nowMs, summaryOptions) ?? null : null;
      if (how.endpoint) outgoing = outgoingSummary(session, handedOff, saved.outbox, how.nowMs, summaryOptions);
    }
    return { snapshot: session.snapshot(how.nowMs), state: session.save(), outgoing, shadow, restoreError };
  } finally {
    session.free?.();
  }
}

/**
 * The cookies to set: with consent the new state and delivery record (and the shadow's);
 * with consent denied, both cleared. `counter` is the cookie's, as the caller reports it.
 */
async function cookiesFor(how, saved, visitor, scored, outbox) {
  const { name, keys, nowMs, maxAgeSeconds, cookieHeader } = how;
  const { state, shadow } = scored;
  let setCookie = null;
  const setCookies = [];
  if (how.persist) {
    const counter = saved.counter + 1;
    setCookie = await writeStateCookie({ name, keys, nowMs, maxAgeSeconds, visitor, state, outbox, counter });
    if (setCookie) setCookies.push(setCookie);
    if (shadow) {
      const shadowName = shadowCookieName(name);
      const written = setCookie && shadow.state && await writeShadowCookie({
        name: shadowName, keys, nowMs, maxAgeSeconds, visitor, state: shadow.state, counter, whole: shadow.history === 'whole',
      });
      // NOTE: a shadow state that cannot be kept is dropped: a stale one would not pair anyway.
      if (written) setCookies.push(written);
      else if (shadow.cookie !== 'missing') setCookies.push(clearStateCookie(shadowName));
    }
    return { setCookie, setCookies, counter: setCookie ? counter : saved.counter };
  }
  if (how.consent === 'denied') {
    // NOTE: withdrawn consent deletes the shadow's state too, whether or not a shadow runs now.
    if (getCookie(cookieHeader, name) !== null) setCookie = clearStateCookie(name);
    if (setCookie) setCookies.push(setCookie);
    const shadowName = shadowCookieName(name);
    if (getCookie(cookieHeader, shadowName) !== null) setCookies.push(clearStateCookie(shadowName));
  }
  return { setCookie, setCookies, counter: saved.counter };
}

/**
 * Runs the shadow model over the events the champion accepted, from the shadow's cookie when
 * it pairs with the champion's. Never throws: the first failure is reported (a
 * LeadPulseShadowError) and the shadow is skipped for this request.
 * @returns {Promise<{ view: { model: string, score: number, stage: string } | null,
 *   forSummary: { model: string, score: number, stage: string } | null, state: string | null,
 *   history: 'whole' | 'partial', cookie: string }>} `view` and `state` null when it failed;
 *   `forSummary`: the view when the engine lets it go into summaries; `cookie` says how its
 *   cookie was read.
 */
async function runShadow(isolate, model, events, how) {
  const { cookieHeader, name, nowMs, visitor, championFresh, championCounter, options } = how;
  let cookie = getCookie(cookieHeader, name) === null ? 'missing' : 'reset';
  /** @type {'whole' | 'partial'} as the engine says; partial until it has */
  let history = 'partial';
  let session = null;
  try {
    const scorer = isolate.scorerFor(model);
    let saved = null;
    let savedWhole = false;
    if (!championFresh && cookie !== 'missing') {
      const read = await readRotating(readShadowCookie, cookieHeader, how, how.previousSecret);
      cookie = read.problem ?? (read.visitor !== visitor || read.counter !== championCounter ? 'unpaired'
        : read.previous ? 'previous' : 'valid');
      if (cookie === 'valid' || cookie === 'previous') {
        saved = read.state;
        savedWhole = read.whole;
      }
    }
    // NOTE: the engine decides whether the shadow has seen the whole history (the tracker
    // asks the same), and so whether its view may go into summaries.
    session = scorer.shadowSession(visitor, saved ?? undefined, savedWhole, !championFresh);
    if (saved !== null && session.restoreError) cookie = 'state';
    history = session.wholeHistory ? 'whole' : 'partial';
    for (const event of events) session.track(event, nowMs);
    // NOTE: one snapshot per request: the engine's view when it may go into summaries, else
    // the same three fields read for `lead.shadow` only.
    const forSummary = session.shadowView(nowMs) ?? null;
    const view = forSummary ?? (({ score, stage }) => ({ model: scorer.modelHash, score, stage }))(session.snapshot(nowMs));
    return { view, forSummary, state: session.save(), history, cookie };
  } catch (error) {
    isolate.report(options, new LeadPulseShadowError(error), 'shadow skipped (the champion is unaffected)');
    return { view: null, forSummary: null, state: null, history, cookie };
  } finally {
    session?.free?.();
  }
}

/** Sends `outgoing` (if any) and returns the delivery record to save and what this request saw. */
async function deliver(isolate, outgoing, outbox, { endpoint, secrets, nowMs, env, ctx, options }) {
  if (!outgoing) return { outbox, seen: null };
  const { id, hex } = outgoing;
  if (outgoing.delivered) return { outbox: acknowledged(outbox, hex), seen: { id, hex, sent: false } };
  if (outgoing.unheld) {
    isolate.report(options, new Error(`summary ${id} is pending: ${UNHELD}`), 'delivery');
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
    onRefused: (refusal) => isolate.report(options, new DeliveryRefusedError(id, refusal), 'delivery'),
    onUnauthorized: (answer) => isolate.report(options, new DeliveryUnauthorizedError(id, answer), 'delivery'),
  });
  const next = afterAttempt(outbox, hex, outcome, { nowMs, attemptsBefore: outgoing.attemptsBefore, random: Math.random() });
  return { outbox: next, seen: { id, hex, sent: true, outcome } };
}

/**
 * See edge.d.ts: an ExportedHandler that scores, calls `handler`, then sets the cookie. A
 * LeadPulse form posted to any path is answered here (forms.js), a form sent in a URL is
 * refused, and HTML pages are marked as edge-scored for the tracker (mark.js).
 */
function withLeadPulse(isolate, handler, options = {}) {
  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      if (formInUrl(request, url)) return refuseFormInUrl();
      const typed = await readFormPost(request);
      const scoring = typed
        ? { ...options, events: async (req, how) => [...formEvents(typed), ...((await options.events?.(req, how)) ?? [])] }
        : options;
      let answered = null;
      const answer = (visitor) => {
        const now = options.now?.(request, env ?? {});
        return answerForm(typed, {
          request, url, nowMs: Number.isFinite(now) ? now : Date.now(), visitor,
          endpoint: options.endpoint ?? env?.LEADPULSE_ENDPOINT,
          signingSecret: options.signingSecret ?? env?.LEADPULSE_SIGNING_SECRET,
          fetcher: options.collector ?? env?.LEADPULSE_COLLECTOR ?? { fetch: (u, init) => fetch(u, init) },
          waitUntil: ctx?.waitUntil ? (promise) => ctx.waitUntil(promise) : undefined,
          onRefused: (error) => isolate.report(options, error, 'form request'),
        });
      };
      if (typed) {
        // The request names the visitor only with consent; sent once scoring knows who it is.
        scoring.beforeDelivery = async (visitor, consent) => {
          answered = await answer(consent === 'granted' ? visitor : null);
        };
      }
      const lead = await scoreRequest(isolate, request, env ?? {}, ctx, scoring);
      const finish = (response) => (options.respond ? options.respond(response, lead, request, env ?? {}) : response);
      if (typed) {
        // NOTE: a post that was not scored (a bot, no consent to read the cookie, a broken
        // configuration) is still a request: sent without a visitor.
        answered ??= await answer(null);
        return attachCookie(finish(answered), lead);
      }
      const response = await handler(request, env, ctx, lead);
      // NOTE: only a scored page is marked: one the edge passed through (a bot, a broken
      // configuration) is served exactly as the origin sent it.
      return attachCookie(finish(lead ? markEdgeScored(response) : response), lead);
    },
  };
}

/**
 * The response with every `lead.setCookies` (the state cookie, the shadow's) appended: a copy,
 * since fetched responses are immutable.
 */
export function attachCookie(response, lead) {
  const cookies = lead?.setCookies ?? (lead?.setCookie ? [lead.setCookie] : []);
  if (cookies.length === 0 || !response) return response;
  try {
    const copy = new Response(response.body, response);
    for (const cookie of cookies) copy.headers.append('set-cookie', cookie);
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
