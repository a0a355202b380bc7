// Type stand-in for the wasm-bindgen glue (`pkg/leadpulse_core.d.ts`, built by `make pkg`),
// so the tracker type-checks without a build: the data types are the core's own
// (crates/leadpulse-wasm/src/types.d.ts, which the glue embeds); the classes mirror crates/leadpulse-wasm/src/{scorer,session}.rs.
// tsconfig.json merges this folder with pkg-template/ through `rootDirs`.
import type { LeadEvent, ModelDocument, NextQuestion, ShadowScore, Snapshot, Step, Summary, SummaryOptions } from '../../../crates/leadpulse-wasm/src/types.js';

export * from '../../../crates/leadpulse-wasm/src/types.js';

export default function init(moduleOrPath?: { module_or_path: RequestInfo | URL | BufferSource | WebAssembly.Module }): Promise<unknown>;
export function initSync(module: { module: BufferSource | WebAssembly.Module }): unknown;
export function version(): string;

export class Scorer {
  constructor(model?: ModelDocument | string | Uint8Array);
  readonly modelHash: string;
  readonly modelName: string;
  session(visitorId?: string | null, savedState?: string | null): Session;
  shadowSession(visitorId: string | null | undefined, savedState: string | null | undefined, savedWhole: boolean,
    championRestored: boolean): Session;
  free(): void;
}

export class Session {
  private constructor();
  readonly visitor: string;
  readonly restoreError: string | undefined;
  readonly wholeHistory: boolean;
  track(event: LeadEvent, nowMs?: number | null): Step;
  trackAll(events: LeadEvent[], nowMs?: number | null): Step;
  answer(slot: string, value: string | number | boolean, nowMs?: number | null): Step;
  snapshot(nowMs?: number | null): Snapshot;
  nextQuestion(): NextQuestion | null;
  shadowView(nowMs?: number | null): ShadowScore | undefined;
  summary(nowMs?: number | null, options?: SummaryOptions): Summary | null;
  handoff(nowMs?: number | null, options?: SummaryOptions): string | undefined;
  save(): string;
  free(): void;
}
