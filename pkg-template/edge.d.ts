// Types for `leadpulse/edge` (Cloudflare Workers / workerd request scoring).
import type { LeadEvent, ModelDocument, Snapshot } from './leadpulse_core.js';

/** `granted`: persist the signed cookie and forward summaries; `pending`/`denied`: score this
 * request in memory only (`denied` also deletes an existing state cookie). */
export type Consent = 'granted' | 'pending' | 'denied';

/** The bindings LeadPulse reads when the matching option is not given. */
export interface LeadPulseEnv {
  /** HMAC secret (≥ 16 chars) for the state cookie and the summary signature. Never sent to the browser. */
  LEADPULSE_SECRET?: string;
  /** Collector URL (`…/collect`) that receives qualified-lead summaries. Without it nothing is forwarded. */
  LEADPULSE_ENDPOINT?: string;
  /** Service binding used to reach the endpoint (else the global `fetch`). */
  LEADPULSE_COLLECTOR?: { fetch(input: string, init?: RequestInit): Promise<Response> };
  /** Model as JSON text (var/secret) or object (JSON binding); absent = built-in model. */
  LEADPULSE_MODEL?: ModelDocument | string;
  [binding: string]: unknown;
}

export interface EdgeOptions {
  secret?: string;
  endpoint?: string;
  collector?: { fetch(input: string, init?: RequestInit): Promise<Response> };
  model?: ModelDocument | string;
  /** Cookie name (default `__Host-lp`: host-only, Secure, Path=/ — a sibling subdomain cannot set it). */
  cookieName?: string;
  /** Cookie lifetime, refreshed on every scored request (default 30). */
  maxAgeDays?: number;
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
  /** Receives errors that made a request pass through (default: one `console.warn` per message). */
  onError?: (error: unknown) => void;
}

/** Why the state cookie was or was not used. */
export type CookieStatus = 'valid' | 'missing' | 'malformed' | 'signature' | 'expired' | 'oversized' | 'not-read';

export interface LeadResult {
  /** Pseudonymous visitor id kept in the cookie (fresh when the cookie was not trusted). */
  visitor: string;
  snapshot: Snapshot;
  /** `Set-Cookie` value to add to the response, or null (no consent, bot, state too large). */
  setCookie: string | null;
  /** Summary id forwarded (in `ctx.waitUntil`) by this request, or null. */
  forwarded: string | null;
  consent: Consent;
  cookie: CookieStatus;
  /** Why the core discarded the (validly signed) saved state, e.g. a foreign version. */
  restoreError: string | null;
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Scores `request`: loads the signed state cookie, derives events (page view with path, UTM
 * query, external referrer, user agent, `cf.country` / `cf.asOrganization` as context, plus
 * `options.events`), saves the state, and forwards a newly qualified summary, signed, through
 * `ctx.waitUntil`. Never throws: `null` means "leave the request alone" (asset, bot, method,
 * no events, or any failure — bad model, wasm or crypto error).
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
 * `lead.setCookie` to its response.
 *
 * ```js
 * export default withLeadPulse(async (request, env, ctx, lead) => fetch(request));
 * ```
 */
export function withLeadPulse<E extends LeadPulseEnv = LeadPulseEnv>(
  handler: (request: Request, env: E, ctx: ExecutionContextLike, lead: LeadResult | null) => Response | Promise<Response>,
  options?: EdgeOptions,
): { fetch(request: Request, env: E, ctx: ExecutionContextLike): Promise<Response> };

/** `response` with `lead.setCookie` appended (a mutable copy); unchanged when there is none. */
export function attachCookie(response: Response, lead: LeadResult | null): Response;

/** DNT: 1 or Sec-GPC: 1 → `denied`, else `granted`. */
export function defaultConsent(request: Request): Consent;

/** Builds the same API over another wasm loader (e.g. Deno after `await init()`). */
export function createEdge(loadCore: () => { Scorer: unknown }): {
  scoreRequest: typeof scoreRequest;
  withLeadPulse: typeof withLeadPulse;
};
