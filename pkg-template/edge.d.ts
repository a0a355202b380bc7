// Types for `leadpulse/edge` (Cloudflare Workers / workerd request scoring).
import type { LeadEvent, ModelDocument, ShadowScore, Snapshot } from './leadpulse_core.js';

/** `granted`: persist the signed cookie and forward summaries; `pending`/`denied`: score this
 * request in memory only (`denied` also deletes an existing state cookie). */
export type Consent = 'granted' | 'pending' | 'denied';

/** A `fetch`-like target: a service binding, or an object wrapping the global `fetch`. */
export interface Fetcher {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** The bindings LeadPulse reads when the matching option is not given (docs/edge.md). */
export interface LeadPulseEnv {
  /** Signs and encrypts the visitor cookie (≥ 16 chars). The edge's alone: never give it to
   * the collector, never send it to the browser. */
  LEADPULSE_COOKIE_SECRET?: string;
  /** During a rotation of the cookie secret, the secret it replaced (≥ 16 chars, different from
   * both current secrets; absent or empty = none): cookies it keyed are still read (`cookie:
   * 'previous'`) and rewritten under LEADPULSE_COOKIE_SECRET. Keep it for at least `maxAgeDays`
   * after the change, then remove it (docs/edge.md, "Rotating secrets"). */
  LEADPULSE_PREVIOUS_COOKIE_SECRET?: string;
  /** Signs forwarded summaries (`X-LeadPulse-Signature`; ≥ 16 chars): the collector's
   * `--signing-secret`. Must differ from the cookie secret. Required with an endpoint. */
  LEADPULSE_SIGNING_SECRET?: string;
  /** @deprecated Split into LEADPULSE_COOKIE_SECRET and LEADPULSE_SIGNING_SECRET: set alone,
   * every request passes through with an error saying so. */
  LEADPULSE_SECRET?: string;
  /** Collector URL (`…/collect`) that receives qualified-lead summaries. Without it nothing is forwarded. */
  LEADPULSE_ENDPOINT?: string;
  /** Service binding used to reach the endpoint (else the global `fetch`). */
  LEADPULSE_COLLECTOR?: Fetcher;
  /** Model as JSON text (var/secret) or object (JSON binding); absent = built-in model. */
  LEADPULSE_MODEL?: ModelDocument | string;
  /** A challenger model, scored silently beside LEADPULSE_MODEL (JSON text or object; absent or
   * empty = none). Summaries then carry its `{ model, score, stage }` as `shadow`. */
  LEADPULSE_SHADOW_MODEL?: ModelDocument | string;
  [binding: string]: unknown;
}

export interface EdgeOptions {
  /** Overrides `LEADPULSE_COOKIE_SECRET`. */
  cookieSecret?: string;
  /** Overrides `LEADPULSE_PREVIOUS_COOKIE_SECRET`. */
  previousCookieSecret?: string;
  /** Overrides `LEADPULSE_SIGNING_SECRET`. */
  signingSecret?: string;
  /** @deprecated Split into `cookieSecret` and `signingSecret` (see LeadPulseEnv.LEADPULSE_SECRET). */
  secret?: string;
  /** Overrides `LEADPULSE_ENDPOINT`. */
  endpoint?: string;
  /** Overrides `LEADPULSE_COLLECTOR`. */
  collector?: Fetcher;
  /** Overrides `LEADPULSE_MODEL`. */
  model?: ModelDocument | string;
  /** Overrides `LEADPULSE_SHADOW_MODEL`: a challenger run on the same events with its own state
   * (cookie `<cookieName>-shadow`). It never changes the result, the cookie or the delivery of
   * the champion; its failures go to `onError` as a `LeadPulseShadowError`. Only with consent
   * `granted`. Without it nothing extra runs. */
  shadowModel?: ModelDocument | string;
  /** Cookie name (default `__Host-lp`: host-only, Secure, Path=/ — a sibling subdomain cannot set it). */
  cookieName?: string;
  /** Cookie lifetime, refreshed on every scored request (default 30). A cookie whose signed
   * expiry lies further ahead than this (+ 10 minutes) is not trusted. */
  maxAgeDays?: number;
  /** How long the request that sends a summary waits for the collector's answer before it
   * responds (default 300 ms; 0 = not at all). A 2xx seen in time is recorded in the cookie;
   * anything else stays pending and is re-sent by a later request. */
  deliveryWaitMs?: number;
  /** Quick retries of one send in `ctx.waitUntil` after a network error, 408/425/429 or 5xx:
   * the delays in ms (default `[250, 1000]`). Later requests re-send with backoff anyway. */
  retryDelaysMs?: readonly number[];
  /** Default: DNT or GPC → `denied`, else `granted` (the site obtained consent). */
  consent?: (request: Request, env: LeadPulseEnv) => Consent;
  /** Put `email` into forwarded summaries (only ever with consent `granted`; default true). */
  includeEmail?: boolean;
  /** Extra requests to leave alone (assets, non-GET/POST, prefetches and fetch() calls always are). */
  skip?: (request: Request, url: URL) => boolean;
  /** Events besides the page view, e.g. `identify` from a form POST. The request given is a
   * clone when it has a body. Visitor key, timestamp and context are set by the edge. */
  events?: (request: Request, info: { url: URL; env: LeadPulseEnv; visitor: string; nowMs: number })
    => LeadEvent[] | Promise<LeadEvent[]>;
  /** Clock (epoch ms); default `Date.now()`. Tests inject time here — never from a header in production. */
  now?: (request: Request, env: LeadPulseEnv) => number;
  /** `false`: never ask the collector what sales did (`lead.sales` stays null). */
  sales?: boolean;
  /** `withLeadPulse` only: a last look at every response it returns — the handler's, and the
   * answers it gives LeadPulse forms itself — before the cookie is attached (e.g. to add headers). */
  respond?: (response: Response, lead: LeadResult | null, request: Request, env: LeadPulseEnv) => Response;
  /** Receives what LeadPulse reports: errors that made a request pass through (e.g. a
   * `LeadPulseConfigError`), dropped hook events, a `LeadPulseShadowError` when the shadow model
   * failed in a request, a `DeliveryRefusedError` when the collector refuses a summary, and a
   * `DeliveryUnauthorizedError` when it does not accept a summary's signature (default: one
   * `console.warn` per message). */
  onError?: (error: unknown) => void;
}

/** Why the state cookie was or was not used: `previous` = valid, keyed by the previous cookie
 * secret (`LEADPULSE_PREVIOUS_COOKIE_SECRET`, during a rotation): read as any valid cookie and
 * rewritten under the current one; `version` = an older cookie format (read as a fresh
 * visitor); `expired` = past its signed expiry, or an expiry further ahead than `maxAgeDays`
 * allows. */
export type CookieStatus = 'valid' | 'previous' | 'missing' | 'malformed' | 'version' | 'signature' | 'expired' | 'oversized' | 'not-read';

/** How the shadow's cookie was read: as CookieStatus, plus `unpaired` = signed by this edge but
 * not written with the state cookie the request carries (another visitor id or write counter:
 * a lost `Set-Cookie`, a replay), `reset` = not read, because the champion starts afresh (no
 * trusted state cookie) and the shadow with it, `state` = the core discarded the saved state. */
export type ShadowCookieStatus = Exclude<CookieStatus, 'not-read'> | 'unpaired' | 'reset' | 'state';

/** The shadow model's view of the visitor after this request. */
export interface ShadowResult extends ShadowScore {
  /** `whole`: the shadow has scored every request since the visitor's state began (then, and
   * only then, summaries carry it); `partial`: it started later (its cookie was lost, dropped or
   * unpaired, or the shadow was deployed mid-visit). A partial shadow stays partial. */
  history: 'whole' | 'partial';
  cookie: ShadowCookieStatus;
}

/** `delivered`: the collector answered 2xx; `pending`: not acknowledged yet (no answer, a network
 * error, 408/425/429/5xx, or 401/403: the signature not accepted, as during a rotation of the
 * signing secret), re-sent — signed anew — by a later request at `nextAttemptAt`; `refused`: a
 * final answer (4xx other than 401/403/408/425/429, 3xx), not re-sent. */
export type DeliveryState = 'delivered' | 'pending' | 'refused';

/** The latest hand-off's delivery, as this request leaves it. */
export interface Delivery {
  /** Summary id (`lp_` + 16 hex), the collector's idempotency key. */
  id: string;
  state: DeliveryState;
  /** This request sent (or re-sent) it. */
  sent: boolean;
  /** Last HTTP status seen: 0 = network error; null = no answer within `deliveryWaitMs`, or unknown. */
  status: number | null;
  /** Pending: requests that tried so far. Otherwise 0. */
  attempts: number;
  /** Pending: when (epoch ms) a request may re-send it. Otherwise null. */
  nextAttemptAt: number | null;
  /** The collector's `error` (or the network error) this request saw, or why a pending summary
   * was not re-sent. */
  error: string | null;
  /** The collector's `path`: the summary field it refused. */
  path: string | null;
}

/** What sales did with the visitor's lead (docs/edge.md, "What sales did"). */
export interface SalesStatus {
  sales: 'none' | 'with_sales' | 'recycled' | 'customer';
  /**
   * While with sales: the owner's first name and, when the collector was given one
   * (`--owner NAME=URL`), their booking page (always an absolute http(s) URL).
   */
  owner: { firstName: string; bookingUrl?: string } | null;
}

export interface LeadResult {
  /** Pseudonymous visitor id kept in the cookie (fresh when the cookie was not trusted). */
  visitor: string;
  snapshot: Snapshot;
  /** The state cookie's `Set-Cookie` value, or null (no consent, bot, state too large). */
  setCookie: string | null;
  /** Every `Set-Cookie` value to add to the response, in order: `setCookie` (if any), then the
   * shadow's cookie (written, or deleted when it is dropped or consent is denied).
   * `attachCookie` / `withLeadPulse` add them all. */
  setCookies: string[];
  /** The shadow model's score and stage, or null: no shadow model, consent not `granted`, or
   * the shadow failed in this request (reported to `onError`). */
  shadow: ShadowResult | null;
  /** Summary id this request sent (a new hand-off, or a pending one re-sent), or null. */
  forwarded: string | null;
  /** The latest hand-off's delivery (null: none yet, or no endpoint). */
  delivery: Delivery | null;
  /** What sales did with the lead, for a visitor whose hand-off the collector acknowledged
   * (asked at most every few minutes per isolate; null when not asked, unknown or late). */
  sales: SalesStatus | null;
  consent: Consent;
  cookie: CookieStatus;
  /** The cookie's signed write counter (+1 on every write; 0 when none was read or written).
   * A deployment with per-visitor storage can refuse a counter that goes back (docs/edge.md). */
  counter: number;
  /** Why the core discarded the (validly signed) saved state, e.g. a foreign version. */
  restoreError: string | null;
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** The collector refused a summary with a final status (given to `onError`, else logged once).
 * 401 and 403 are not final: see DeliveryUnauthorizedError. */
export class DeliveryRefusedError extends Error {
  readonly name: 'DeliveryRefusedError';
  readonly summaryId: string;
  readonly status: number;
  /** The collector's `error`. */
  readonly reason: string | null;
  /** The collector's `path`. */
  readonly path: string | null;
}

/** The collector answered 401 or 403 to a summary: it did not accept the signature (the edge's
 * LEADPULSE_SIGNING_SECRET is not one the collector verifies with — a rotation under way, or a
 * misconfiguration). The summary stays pending and is re-sent with backoff, signed with the
 * secret the edge holds then. Given to `onError`, else logged once per summary. */
export class DeliveryUnauthorizedError extends Error {
  readonly name: 'DeliveryUnauthorizedError';
  readonly summaryId: string;
  /** 401 or 403. */
  readonly status: number;
  /** The collector's `error`. */
  readonly reason: string | null;
}

/** The shadow model failed in one request (a broken model, an event it refused, a wasm error):
 * that request's shadow is skipped and its cookie dropped; the champion is unaffected. */
export class LeadPulseShadowError extends Error {
  readonly name: 'LeadPulseShadowError';
  /** What the shadow threw. */
  readonly cause: unknown;
}

/** Missing, short (< 16 characters) or equal secrets (a previous cookie secret included), or
 * the old single `LEADPULSE_SECRET`: every request passes through and this says what to set. */
export class LeadPulseConfigError extends TypeError {
  readonly name: 'LeadPulseConfigError';
}

/**
 * Scores `request`: loads the signed state cookie, derives events (page view with path, UTM
 * query, external referrer, user agent, `cf.country` / `cf.asOrganization` as context, plus
 * `options.events`), saves the state, and sends a newly due summary, signed, to the collector
 * (waiting up to `deliveryWaitMs` for its answer, then in `ctx.waitUntil`); one not
 * acknowledged stays pending in the cookie and is re-sent by a later request. Never throws:
 * `null` means "leave the request alone" (asset, bot, method, no events, or any failure — bad
 * configuration or model, wasm or crypto error).
 *
 * ```js
 * const lead = await scoreRequest(request, env, ctx);
 * const response = await fetch(request);
 * return attachCookie(response, lead);
 * ```
 */
export function scoreRequest(request: Request, env?: LeadPulseEnv, ctx?: ExecutionContextLike,
  options?: EdgeOptions): Promise<LeadResult | null>;

/**
 * Wraps a fetch handler: scores the request, calls `handler(request, env, ctx, lead)`, and appends
 * `lead.setCookies` to its response.
 *
 * ```js
 * export default withLeadPulse(async (request, env, ctx, lead) => fetch(request));
 * ```
 */
export function withLeadPulse<E extends LeadPulseEnv = LeadPulseEnv>(
  handler: (request: Request, env: E, ctx: ExecutionContextLike, lead: LeadResult | null) => Response | Promise<Response>,
  options?: EdgeOptions,
): { fetch(request: Request, env: E, ctx: ExecutionContextLike): Promise<Response> };

/** `response` with every `lead.setCookies` appended (a mutable copy); unchanged when there is none. */
export function attachCookie(response: Response, lead: LeadResult | null): Response;

/** DNT: 1 or Sec-GPC: 1 → `denied`, else `granted`. */
export function defaultConsent(request: Request): Consent;

/** Builds the same API over another wasm loader (e.g. Deno after `await init()`). `Scorer` is
 * the wasm module's class (typed in `leadpulse_author.d.ts`). */
export function createEdge(loadCore: () => { Scorer: unknown }): {
  scoreRequest: typeof scoreRequest;
  withLeadPulse: typeof withLeadPulse;
};
