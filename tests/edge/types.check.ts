// Compiled by `tsc -p tests/edge` (run.sh), never run: the edge API used as docs/edge.md shows,
// so a change to pkg-template/edge.d.ts that breaks a documented use fails the build.
import {
  attachCookie, createEdge, DeliveryRefusedError, DeliveryUnauthorizedError, LeadPulseConfigError, LeadPulseShadowError,
  scoreRequest, withLeadPulse,
} from '../../pkg/edge.js';
import type {
  CookieStatus, Delivery, DeliveryState, EdgeOptions, LeadPulseEnv, LeadResult, ShadowCookieStatus, ShadowResult,
} from '../../pkg/edge.js';
import type { ModelDocument, Stage } from '../../pkg/leadpulse_core.js';

const options: EdgeOptions = {
  deliveryWaitMs: 300,
  retryDelaysMs: [250, 1000],
  maxAgeDays: 30,
  onError(error: unknown) {
    if (error instanceof DeliveryRefusedError) {
      const why: string = `${error.summaryId} ${error.status} ${error.reason ?? ''} ${error.path ?? ''}`;
      console.warn(why);
    } else if (error instanceof DeliveryUnauthorizedError) {
      const status: number = error.status;
      console.warn(`${error.summaryId} ${status} ${error.reason ?? ''}: re-sent later`);
    } else if (error instanceof LeadPulseConfigError) {
      console.error(error.message);
    } else if (error instanceof LeadPulseShadowError) {
      const cause: unknown = error.cause;
      console.warn(error.message, cause);
    }
  },
};

declare const challenger: ModelDocument;
const withShadow: EdgeOptions = { ...options, shadowModel: challenger };
const fromText: LeadPulseEnv = { LEADPULSE_SHADOW_MODEL: JSON.stringify(challenger) };

function shadowOf(lead: LeadResult): string {
  const shadow: ShadowResult | null = lead.shadow;
  if (!shadow) return 'no shadow';
  const stage: Stage = shadow.stage;
  const cookie: ShadowCookieStatus = shadow.cookie;
  const history: 'whole' | 'partial' = shadow.history;
  const cookies: string[] = lead.setCookies;
  return `${shadow.model} ${shadow.score} ${stage} ${history} ${cookie} ${cookies.length}`;
}

function describe(delivery: Delivery | null): string {
  if (!delivery) return 'no hand-off yet';
  const state: DeliveryState = delivery.state;
  const next: number | null = delivery.nextAttemptAt;
  return `${delivery.id} ${state} ${delivery.status ?? '-'} ${delivery.attempts} ${next ?? ''} ${delivery.error ?? ''} ${delivery.path ?? ''} ${delivery.sent}`;
}

export const worker = withLeadPulse(async (request: Request, _env: LeadPulseEnv, _ctx, lead: LeadResult | null) => {
  const response = await fetch(request);
  if (lead) console.log(lead.visitor, lead.snapshot.stage, lead.cookie, lead.counter, lead.forwarded, describe(lead.delivery), shadowOf(lead));
  return response;
}, options);

export const shadowWorker = withLeadPulse(async (request: Request) => fetch(request), withShadow);
export const shadowEnv = fromText;

export async function stepByStep(request: Request, env: LeadPulseEnv, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
  const lead = await scoreRequest(request, {
    ...env, LEADPULSE_COOKIE_SECRET: 'a', LEADPULSE_SIGNING_SECRET: 'b',
  }, ctx, { cookieSecret: 'c', signingSecret: 'd', endpoint: 'https://collector.example/collect' });
  return attachCookie(await fetch(request), lead);
}

export const other = createEdge(() => ({ Scorer: class {} }));

// A rotation of the cookie secret: the new one current, the old one still read.
const rotating: EdgeOptions = { ...options, cookieSecret: 'new-cookie-secret-0123', previousCookieSecret: 'old-cookie-secret-0123' };
const rotatingEnv: LeadPulseEnv = { LEADPULSE_COOKIE_SECRET: 'new-cookie-secret-0123', LEADPULSE_PREVIOUS_COOKIE_SECRET: 'old-cookie-secret-0123' };
export const rotatingWorker = withLeadPulse(async (request: Request, _env: LeadPulseEnv, _ctx, lead: LeadResult | null) => {
  const read: CookieStatus | null = lead?.cookie ?? null;
  if (read === 'previous') console.log('rewritten under the new cookie secret');
  return fetch(request);
}, rotating);
export const rotationEnv = rotatingEnv;
