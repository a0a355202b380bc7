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
 * Nothing is stored in localStorage and nothing is sent before `consent('granted')`.
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
   * a compiled model (`leadpulse compile model.json`): the URL of one (fetched), its text or
   * its bytes; default: the built-in model. A model document is refused with a warning (the
   * browser build carries no model validator) and the built-in model is used.
   */
  model?: string | Uint8Array;
  /**
   * a challenger model (compiled, as `model`; attribute `data-shadow-model`): scored silently on
   * the same events; its `{model, score, stage}` goes into every summary as `shadow`, so
   * `leadpulse report --by model` can compare champion and challenger on real outcomes
   */
  shadow?: string | Uint8Array;
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
  /** every change of the visitor (own events, engagement, another tab's events, consent);
   * the snapshot is built only while someone listens */
  snapshot: Snapshot;
  /** the stage changed */
  stage: StageChange;
  /** a summary was queued for the collector */
  qualified: Qualified;
}

export interface Tracker {
  /** Resolves with the first snapshot; with `null` if the engine could not start. */
  readonly ready: Promise<Snapshot | null>;
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
}

/** Starts the tracker (once; later calls return the same tracker). */
export function start(options?: StartOptions): Tracker;

declare global {
  interface Window {
    /** Set by the script-tag build. */
    leadpulse?: Tracker;
  }
}
