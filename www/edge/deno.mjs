// The same example application (site.js) under Deno, in front of the same origin:
//
//   ORIGIN_URL=http://127.0.0.1:8080 LEADPULSE_COOKIE_SECRET=… LEADPULSE_SIGNING_SECRET=… \
//     node_modules/.bin/deno run --allow-net=127.0.0.1 --allow-read --allow-env www/edge/deno.mjs
//
// LEADPULSE_COOKIE_SECRET is the edge's alone; LEADPULSE_SIGNING_SECRET is the collector's
// --signing-secret (docs/edge.md). Optional: LEADPULSE_MODEL, and LEADPULSE_SHADOW_MODEL (a
// challenger model scored silently beside it).
//
// Deno has no HTMLRewriter: responses get `x-leadpulse-stage` and the cookie, the CTA is left
// as it is. Uses the package's Deno entry (author.js) and the runtime-neutral edge core.
import { initSync, Scorer } from '../../pkg/author.js';
import { createEdge } from '../../pkg/edge/core.js';
import { handler, options } from './site.js';

/** Serves the example on 127.0.0.1:`port` (0 = any); resolves to the Deno server. */
export function serve({ port = 8787, env = {}, onListen } = {}) {
  const edge = createEdge(() => {
    initSync({ module: Deno.readFileSync(new URL('../../pkg/leadpulse_author_bg.wasm', import.meta.url)) });
    return { Scorer };
  });
  const app = edge.withLeadPulse(handler, options);
  // NOTE: Deno keeps running promises alive by itself; waitUntil only has to not drop them.
  const ctx = { waitUntil: (promise) => promise.catch(() => {}) };
  return Deno.serve({ hostname: '127.0.0.1', port, onListen }, (request) => app.fetch(request, env, ctx));
}

if (import.meta.main) {
  const origin = Deno.env.get('ORIGIN_URL') ?? 'http://127.0.0.1:8080';
  serve({
    port: Number(Deno.env.get('PORT') ?? 8787),
    env: {
      ORIGIN_URL: origin,
      LEADPULSE_COOKIE_SECRET: Deno.env.get('LEADPULSE_COOKIE_SECRET'),
      LEADPULSE_SIGNING_SECRET: Deno.env.get('LEADPULSE_SIGNING_SECRET'),
      // Only while the cookie secret is changed: the one it replaced (docs/edge.md, "Rotating secrets").
      LEADPULSE_PREVIOUS_COOKIE_SECRET: Deno.env.get('LEADPULSE_PREVIOUS_COOKIE_SECRET'),
      LEADPULSE_ENDPOINT: Deno.env.get('LEADPULSE_ENDPOINT') ?? new URL('/collect', origin).href,
      // Optional: the champion model, and a challenger scored silently beside it (unset = the
      // built-in model, no shadow; docs/edge.md, "Shadow model").
      LEADPULSE_MODEL: Deno.env.get('LEADPULSE_MODEL'),
      LEADPULSE_SHADOW_MODEL: Deno.env.get('LEADPULSE_SHADOW_MODEL'),
    },
    onListen: ({ port }) => console.log(`leadpulse edge (deno): http://127.0.0.1:${port}/ → ${origin}`),
  });
}
