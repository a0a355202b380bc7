/** An event in the LeadPulse contract format (Segment-spec shaped; extra fields are ignored). */
export type LeadEvent = PageEvent | TrackEvent | IdentifyEvent | EngagementEvent | AnswerEvent;

interface EventBase {
  /** Visitor key (preferred). Defaults to the session's visitor. */
  anonymousId?: string;
  userId?: string;
  /** ISO-8601 string or epoch milliseconds; defaults to `nowMs`. */
  timestamp?: string | number;
  /** Repeated ids are ignored. */
  messageId?: string;
  context?: { userAgent?: string; webdriver?: boolean; [key: string]: unknown };
}
export interface PageEvent extends EventBase {
  type: 'page';
  properties: { path?: string; url?: string; referrer?: string; title?: string; search?: string; [key: string]: unknown };
}
export interface TrackEvent extends EventBase {
  type: 'track';
  event: string;
  properties?: { [key: string]: unknown };
}
export interface IdentifyEvent extends EventBase {
  type: 'identify';
  traits: { [key: string]: unknown };
}
export interface EngagementEvent extends EventBase {
  type: 'engagement';
  properties: { seconds: number; scroll?: number; path?: string };
}
export interface AnswerEvent extends EventBase {
  type: 'answer';
  properties: { slot: string; value: string | number | boolean };
}

export type Stage = 'visitor' | 'lead' | 'mql' | 'sql';
export type Status = 'cold' | 'warm' | 'hot';

/** One rule's contribution after decay and caps; reasons sum exactly to the score. */
export interface Reason { rule: string; points: number }

export interface Coverage {
  /** Filled slots as a whole percentage. */
  coverage: number;
  filled: string[];
  missing: string[];
}

export interface NextQuestion { slot: string; question: string; options: string[] }

export interface Snapshot {
  score: number;
  fit: number;
  engagement: number;
  grade: string;
  /** Forward-only: the highest stage reached. */
  stage: Stage;
  status: Status;
  qualified: boolean;
  qualifiedAt: string | null;
  /** How the stage was entered: `score`, or a route's id (e.g. `hand_raise`); null below MQL. */
  route: string | null;
  reasons: Reason[];
  frameworks: { [framework: string]: Coverage };
  /** Answers and traits that disqualify (they count as no coverage). */
  disqualifiers: Disqualifier[];
  nextQuestion: NextQuestion | null;
  action: { [key: string]: string };
  bot: boolean;
  botReason: string | null;
  sessions: number;
  engagedSeconds: number;
  firstSeen: string | null;
}

/** What one event did (`session.track`, `trackAll`, `answer`): the scores as of the event. */
export interface Step {
  score: number;
  fit: number;
  engagement: number;
  grade: string;
  /** Forward-only: the highest stage reached. */
  stage: Stage;
  status: Status;
  qualified: boolean;
  /** The stage moved up with this event. */
  stageChanged: boolean;
  /** A slot or a trait changed: framework coverage and the next question may differ. */
  progressChanged: boolean;
  /** A summary is due: call `session.handoff()`. */
  summaryDue: boolean;
  /** The event's `messageId` was seen before: nothing changed. */
  duplicate: boolean;
  /** The visitor is flagged as a bot (never qualifies). */
  bot: boolean;
}

export interface Touch { referrer: string | null; utm: { [key: string]: string } }

/** The qualified-lead summary: the only thing that leaves the device. */
/** A disqualifying slot answer (`slot`, `value`) or trait rule (`rule`). */
export interface Disqualifier { slot?: string; value?: string | number | boolean; rule?: string }

export interface Summary {
  version: 1;
  /** Idempotency key of this revision: `lp_` + 16 hex digits. */
  id: string;
  /** 1 for the first hand-off, one more for each material change after it. */
  revision: number;
  visitor: string;
  model: string;
  stage: Stage;
  /** How the stage was entered: `score` or a route's id. */
  route: string;
  score: number;
  fit: number;
  engagement: number;
  grade: string;
  reasons: Reason[];
  frameworks: { [framework: string]: Coverage };
  disqualifiers: Disqualifier[];
  slots: { [slot: string]: string | number | boolean };
  traits: { [trait: string]: string | number | boolean };
  /** Questions the visitor typed for sales, the latest first (at most 3). */
  questions: string[];
  firstSeen: string;
  qualifiedAt: string;
  sessions: number;
  engagedSeconds: number;
  source: { first: Touch; last: Touch };
  runtime: 'browser' | 'edge' | 'native';
  /** present when a shadow (challenger) model ran beside the model that decided */
  shadow?: ShadowScore;
}

/**
 * A refused event or argument, thrown as a `TypeError` (missing or mistyped field) or a
 * `RangeError` (unacceptable value). The message starts with the path.
 */
export interface InputError extends Error {
  /** The JSON path of the problem (`properties.seconds`, `[2].timestamp`; `''` for the value itself). */
  path: string;
}

/** An invalid model document (`new Scorer(doc)` in the author build): every problem, each with its path. */
export interface ModelDocumentError extends Error {
  problems: Array<{ path: string; message: string }>;
}

/** A challenger model's view of the same visitor (its hash, score and stage). */
export interface ShadowScore { model: string; score: number; stage: Stage }

export interface SummaryOptions { runtime?: 'browser' | 'edge' | 'native'; includeEmail?: boolean; shadow?: ShadowScore }

/** A scoring model document (see docs/model.md for every field). */
export interface ModelDocument {
  $schema?: string;
  version: 1;
  name: string;
  description?: string;
  session?: { inactivityMinutes?: number; maxHours?: number };
  groups?: { [group: string]: { cap: number } };
  caps?: { fit?: number; engagement?: number };
  rules: ModelRule[];
  grades: { fit: GradeBand[]; engagement: GradeBand[] };
  status: { warm: number; hot: number };
  stages: {
    lead?: { traits?: string[] };
    mql: StageThreshold;
    sql: StageThreshold & {
      /**
       * Points a lead sales rejected must gain over its score then before the collector hands
       * it to sales again (default 20; docs/model.md, "Re-arming").
       */
      rearmPoints?: number;
    };
  };
  handoff?: Array<'mql' | 'sql'>;
  slots?: ModelSlot[];
  frameworks?: { [framework: string]: string[] };
  bots?: { userAgents?: string[]; maxPagesPerMinute?: number };
  actions?: { [stage in Stage]?: { [key: string]: string } };
  summary?: { traits?: string[]; reasons?: number };
}
export interface ModelRule {
  id: string;
  description?: string;
  group?: string;
  axis?: 'fit' | 'engagement';
  when: Condition;
  points: number;
  frequency?: 'every' | 'once' | { max: number; per: 'session' } | { max: number; perDays: number };
  cap?: number;
  halfLifeDays?: number;
  windowDays?: number;
}
export type Condition =
  | { page: string; repeat?: { count: number; withinDays: number } }
  | { event: string; properties?: { [key: string]: string | number | boolean | Array<string | number | boolean> } }
  | { engagedSeconds: number; per?: 'session' | 'visitor'; page?: string }
  | { scroll: number; page?: string }
  | { session: number }
  | ({ trait: string } & (
      | { exists: true }
      | { equals: string | number | boolean }
      | { oneOf: string[] }
      | { contains: string[] }
      | { endsWith: string[] }
      | { range: { min?: number; max?: number } }
    ));
export interface GradeBand { min?: number; grade: string }
export interface StageThreshold {
  enter: number;
  exit?: number;
  minFit?: number;
  minEngagement?: number;
  minCoverage?: { framework: string; percent: number };
  /** Only a known visitor (a lead) may enter. */
  known?: boolean;
  cooldownHours?: number;
}
export interface ModelSlot {
  id: string;
  question: string;
  weight?: number;
  axis?: 'fit' | 'engagement';
  shareable?: boolean;
  answers?: Array<{ values: string[]; points: number }>;
  filledBy?: Condition[];
}
