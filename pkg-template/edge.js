// `leadpulse/edge`: score requests in a Cloudflare Worker / workerd.
//
//   import { withLeadPulse } from 'leadpulse/edge';
//   export default withLeadPulse(async (request, env, ctx, lead) => {
//     const response = await fetch(request);            // your origin
//     return lead ? personalise(response, lead.snapshot) : response;
//   });
//
// Workers refuse to compile WebAssembly from bytes at run time, so the module is imported as a
// compiled `WebAssembly.Module` and instantiated with `initSync` on the first scored request.
// Secrets, cookie format and delivery guarantees: docs/edge.md.

import wasm from './leadpulse_author_bg.wasm';
import { initSync, Scorer } from './leadpulse_author.js';
import {
  attachCookie, createEdge, defaultConsent, DeliveryRefusedError, DeliveryUnauthorizedError, LeadPulseConfigError,
  LeadPulseShadowError,
} from './edge/core.js';

const edge = createEdge(() => {
  initSync({ module: wasm });
  return { Scorer };
});

/** Scores one request; never throws (null = pass through). See edge.d.ts. */
export const scoreRequest = edge.scoreRequest;
/** Wraps a fetch handler: scores, calls it with the result, sets the cookie. See edge.d.ts. */
export const withLeadPulse = edge.withLeadPulse;
export {
  attachCookie, createEdge, defaultConsent, DeliveryRefusedError, DeliveryUnauthorizedError, LeadPulseConfigError,
  LeadPulseShadowError,
};
