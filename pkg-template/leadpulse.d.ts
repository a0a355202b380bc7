/**
 * LeadPulse browser tracker.
 *
 * Script tag (auto-starts, exposes `window.leadpulse`):
 * ```html
 * <script type="module" src="/leadpulse/leadpulse.js" data-model="/model.json" data-endpoint="/collect"></script>
 * ```
 * Bundlers:
 * ```js
 * import { start } from 'leadpulse/tracker';
 * const lp = start({ model: '/model.json', endpoint: '/collect' });
 * lp.on('stage', ({ to }) => to === 'sql' && showDemoButton());
 * ```
 * Nothing is stored in localStorage and nothing is sent before `consent('granted')`.
 * No method ever throws; problems are reported once with `console.warn`.
 */

import type { ModelDocument, Snapshot, Stage, Summary, NextQuestion } from './leadpulse_core.js';

// Data shapes of the wasm core (docs/contracts.md), re-exported.
export type {
  Coverage,
  ModelDocument,
  NextQuestion,
  Reason,
  Snapshot,
  Stage,
  Status,
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
  /** a model document, or the URL of one (fetched); default: the built-in model */
  model?: ModelDocument | JsonObject | string;
  /** collector URL for qualified-lead summaries; without it nothing is ever sent */
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

export interface TrackerEvents {
  /** every new snapshot (own events, engagement, another tab's events, consent changes) */
  snapshot: Snapshot;
  /** the stage changed */
  stage: StageChange;
  /** a summary was queued for the collector */
  qualified: Qualified;
}

export interface Tracker {
  /** Resolves with the first snapshot; with `null` if the engine could not start. */
  readonly ready: Promise<Snapshot | null>;
  /** A named action. Returns the new snapshot, or `null` before `ready` (the event is kept). */
  track(name: string, properties?: JsonObject): Snapshot | null;
  /** Known attributes (Segment trait names: email, title, company.name, …). */
  identify(traits: JsonObject): Snapshot | null;
  /** A chat or form answer to a qualification question. */
  answer(slot: string, value: string | number | boolean): Snapshot | null;
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
}

/** Starts the tracker (once; later calls return the same tracker). */
export function start(options?: StartOptions): Tracker;

declare global {
  interface Window {
    /** Set by the script-tag build. */
    leadpulse?: Tracker;
  }
}
