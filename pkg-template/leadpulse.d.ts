/**
 * LeadPulse browser tracker.
 *
 * Script tag (auto-starts, exposes `window.leadpulse`):
 * ```html
 * <script type="module" src="/leadpulse/leadpulse.js" data-model="/model.lpm" data-endpoint="/collect"></script>
 * ```
 * Bundlers:
 * ```js
 * import { start } from 'leadpulse/tracker';
 * const lp = start({ model: '/model.lpm', endpoint: '/collect' });   // a compiled model
 * lp.on('stage', ({ to }) => to === 'sql' && showDemoButton());
 * ```
 * No analytics data is stored in localStorage or sent before `consent('granted')`; a request
 * the visitor makes (a `data-leadpulse-form` form, `request()`) is sent whatever the consent.
 * No method ever throws; problems are reported once with `console.warn`.
 */

import type { Snapshot, Stage, Step, Summary, NextQuestion } from './leadpulse_core.js';

// Data shapes of the wasm core (docs/contracts.md), re-exported.
export type {
  Coverage,
  ModelDocument,
  NextQuestion,
  Reason,
  Snapshot,
  Stage,
  Status,
  Step,
  Summary,
  Touch,
} from './leadpulse_core.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `pending` (default): score in memory only. `granted`: persist and forward. `denied`: in-page only. */
export type ConsentState = 'pending' | 'granted' | 'denied';

/** Automatic signals; each is on unless set to `false`. */
export interface CaptureOptions {
  /** page views, incl. SPA navigation (History API, popstate, hash routes) */
  pages?: boolean;
  /** seconds the tab is visible and focused, sent as `engagement` events */
  engagement?: boolean;
  /** max scroll depth (0–100), sent with `engagement` events */
  scroll?: boolean;
  /** clicks and submits on elements with `data-leadpulse-event` (+ `data-leadpulse-*` properties) */
  clicks?: boolean;
  /** the landing page's external referrer and UTM parameters (first/last touch) */
  touches?: boolean;
}

export interface StartOptions {
  /**
   * a compiled model (`npx leadpulse compile model.json -o model.lpm`): the URL of one
   * (fetched), its text or its bytes; default: the built-in model. A model that cannot be used
   * (a model document, a broken file, a failed fetch) is never replaced by another: `ready`
   * rejects with an Error naming the fix, an `error` event fires and tracking stays off.
   */
  model?: string | Uint8Array;
  /**
   * where the engine's wasm module is, when a bundler does not keep it next to the tracker
   * (esbuild: `import wasm from 'leadpulse/wasm'` with `--loader:.wasm=file`); resolved
   * against the tracker's own URL
   */
  wasm?: string | URL;
  /**
   * the edge scores this page (default: when the page carries `<meta name="leadpulse"
   * content="edge">`, which `withLeadPulse` adds): the tracker sends no summaries (the edge hands
   * off, signed) and sends requests to the page itself, for the edge to sign and forward
   */
  edge?: boolean;
  /**
   * a challenger model (compiled, as `model`; attribute `data-shadow-model`): scored silently on
   * the same events; its `{model, score, stage}` goes into every summary as `shadow`, so
   * `leadpulse report --by model` can compare champion and challenger on real outcomes
   */
  shadow?: string | Uint8Array;
  /** collector URL for qualified-lead summaries and requests; without it nothing is ever sent */
  endpoint?: string;
  /** consent when no choice is stored yet (default `pending`) */
  consent?: 'pending' | 'granted' | 'denied';
  /** `false` lets the site override Do Not Track / Global Privacy Control (default `true`: they mean denied) */
  respectDoNotTrack?: boolean;
  /** `true` stops flagging `navigator.webdriver` browsers as bots (for tests) */
  ignoreWebdriver?: boolean;
  /** engagement is also flushed this often while it accrues, seconds (default 15) */
  engagementInterval?: number;
  capture?: CaptureOptions;
}

export interface StageChange {
  from: Stage;
  to: Stage;
  snapshot: Snapshot;
}

export interface Qualified {
  summary: Summary;
  snapshot: Snapshot;
}

/** A visitor's request to be contacted (docs/contracts.md, "Request"). */
export interface LeadRequest {
  type: 'request';
  version: 1;
  id: string;
  form: string;
  basis: 'consent' | 'request';
  visitor?: string;
  page: string;
  at: string;
  fields: Record<string, string>;
  runtime: 'browser' | 'edge';
}

/** Where a request is: at the collector, queued (sent again later, across reloads), or refused. */
export type RequestState = 'sent' | 'queued' | 'refused';

export interface RequestUpdate {
  request: LeadRequest;
  state: RequestState;
}

/** What sales did with the visitor's lead (`none` until it reaches sales). */
export interface SalesStatus {
  sales: 'none' | 'with_sales' | 'recycled' | 'customer';
  /**
   * While with sales: the owner's first name and, when the collector was given one
   * (`--owner NAME=URL`), their booking page (always an absolute http(s) URL).
   */
  owner: { firstName: string; bookingUrl?: string } | null;
}

export interface TrackerEvents {
  /** every change of the visitor (own events, engagement, another tab's events, consent);
   * the snapshot is built only while someone listens */
  snapshot: Snapshot;
  /** the stage changed */
  stage: StageChange;
  /** a summary was queued for the collector */
  qualified: Qualified;
  /** a request (a `data-leadpulse-form` form, or `request()`) reached the collector, was queued or was refused */
  request: RequestUpdate;
  /** what sales did with the lead changed (learned at start and after each hand-off, with consent) */
  sales: SalesStatus;
  /** the tracker could not start (the model or the engine could not be loaded); tracking is off */
  error: Error;
}

export interface Tracker {
  /**
   * Resolves with the first snapshot; rejects with an Error naming the fix when the tracker
   * could not start (the model or the engine could not be loaded), and tracking is then off.
   */
  readonly ready: Promise<Snapshot>;
  /**
   * A named action. Returns what it did (a `Step`: score, stage, status, what changed), or
   * `null` before `ready` (the event is kept) and when it was rejected (with a warning).
   * `snapshot()` gives the full picture.
   */
  track(name: string, properties?: JsonObject): Step | null;
  /** Known attributes (Segment trait names: email, title, company.name, …). */
  identify(traits: JsonObject): Step | null;
  /** A chat or form answer to a qualification question. */
  answer(slot: string, value: string | number | boolean): Step | null;
  /** The current snapshot (decayed to now), or `null` before `ready`. */
  snapshot(): Snapshot | null;
  /** The most valuable missing qualification slot and its question. */
  nextQuestion(): NextQuestion | null;
  /** Records the visitor's choice; without an argument returns the consent in force. */
  consent(choice?: 'granted' | 'denied'): ConsentState;
  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof TrackerEvents>(name: K, cb: (payload: TrackerEvents[K]) => void): () => void;
  /** Forgets the visitor: new anonymous id, no history (queued summaries are still delivered). */
  reset(): void;
  /**
   * Sends a request to be contacted (an e-mail given in the chat): what the visitor typed,
   * `fields.email` required, whatever the analytics consent (the visitor id rides along only
   * with it). Returns the request (its outcome comes as a `request` event), or `null` when it
   * could not be sent (no e-mail, no endpoint; with a warning).
   */
  request(form: string, fields: Record<string, string>): LeadRequest | null;
  /** What sales did with the visitor's lead, as last learned (null: nothing learned). */
  sales(): SalesStatus | null;
}

/** Starts the tracker (once; later calls return the same tracker). */
export function start(options?: StartOptions): Tracker;

declare global {
  interface Window {
    /** Set by the script-tag build. */
    leadpulse?: Tracker;
  }
}
