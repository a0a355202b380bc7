// The example edge application (see README.md beside this file), runtime-neutral: worker.js
// runs it in Cloudflare Workers / workerd, deno.mjs under Deno.
//
// - proxies every request to the origin (service binding ORIGIN, or ORIGIN_URL);
// - scores page views with LeadPulse, keeping the visitor's state in a signed HttpOnly cookie;
// - (the package answers the demo form itself: a LeadPulse form, posted with or without
//   JavaScript, becomes a signed request to the collector; docs/edge.md, "Forms");
// - sends a newly qualified lead's summary, signed, to the collector (LEADPULSE_ENDPOINT), and
//   re-sends it on the visitor's later requests until the collector acknowledges it;
// - adds `x-leadpulse-stage` and rewrites the CTA (`data-testid="cta"`) for the visitor's stage
//   (where the runtime has HTMLRewriter).
//
// Whatever goes wrong in scoring, the page is served exactly as the origin sent it.

/** The fetch handler given to withLeadPulse: `lead` is the scoring result, or null. */
export async function handler(request, env, ctx, lead) {
  let response = await fromOrigin(request, env);
  if (!lead) return response;
  return personalise(response, lead.snapshot, lead.sales);
}

/** The LeadPulse options: the test-only clock and debug headers (on every response, the
 * answers the package gives the demo form included). */
export const options = {
  now: testClock,
  respond(response, lead, request, env) {
    if (!lead) return response;
    const out = new Response(response.body, response);
    out.headers.set('x-leadpulse-stage', lead.snapshot.stage);
    return env.LEADPULSE_DEBUG_HEADERS === '1' ? debugHeaders(out, lead) : out;
  },
};

function fromOrigin(request, env) {
  if (env.ORIGIN?.fetch) return env.ORIGIN.fetch(request);
  if (env.ORIGIN_URL) {
    const url = new URL(request.url);
    // NOTE: redirects from the origin go back to the browser, as they would without the proxy.
    return fetch(new Request(new URL(url.pathname + url.search, env.ORIGIN_URL), request), { redirect: 'manual' });
  }
  return fetch(request); // a route in front of the origin (Cloudflare proxied DNS)
}

/** The CTA when sales already has the visitor (lead.sales): no demo pitch, as www/js/cta.js. */
const SALES_CTA = {
  with_sales: (owner) => ({ cta: owner ? `Your contact: ${owner.firstName}` : 'Our team has your request', ctaHref: '/case-studies/' }),
  recycled: () => ({ cta: 'Read the guide', ctaHref: '/blog/lead-scoring-guide' }),
  customer: () => ({ cta: 'See integrations', ctaHref: '/integrations' }),
};

/** The stage's CTA in HTML pages (`x-leadpulse-stage` goes on every scored response: `respond`). */
function personalise(origin, snapshot, sales) {
  const response = new Response(origin.body, origin);
  if (!(response.headers.get('content-type') ?? '').includes('text/html')) return response;
  if (typeof HTMLRewriter === 'undefined') return response; // e.g. Deno: the header only
  // NOTE: the page now depends on the visitor: keep it out of shared caches.
  response.headers.set('cache-control', 'private, no-cache');
  const { cta, ctaHref } = (sales && SALES_CTA[sales.sales]?.(sales.owner)) ?? snapshot.action ?? {};
  if (typeof cta !== 'string' && !safeHref(ctaHref)) return response;
  return new HTMLRewriter().on('[data-testid="cta"]', {
    element(element) {
      if (typeof cta === 'string' && cta) element.setInnerContent(cta);
      if (safeHref(ctaHref)) element.setAttribute('href', ctaHref);
      element.setAttribute('data-leadpulse-stage', snapshot.stage);
    },
  }).transform(response);
}

/** Only same-site paths and https links from the model become an href (never `javascript:`). */
function safeHref(href) {
  return typeof href === 'string' && ((href.startsWith('/') && !href.startsWith('//')) || href.startsWith('https://'));
}

/**
 * DEBUG / TEST ONLY: with the binding LEADPULSE_DEBUG_HEADERS = "1" (tests/edge/config.capnp),
 * responses say how the cookie was read (`x-leadpulse-cookie`: valid, missing, expired, …),
 * what became of the latest hand-off (`x-leadpulse-delivery`: lead.delivery as JSON) and, with a
 * shadow model, its view (`x-leadpulse-shadow`: lead.shadow as JSON), so a test can see a
 * re-send or its absence in the response instead of guessing from timing.
 */
function debugHeaders(response, lead) {
  const copy = new Response(response.body, response);
  copy.headers.set('x-leadpulse-cookie', lead.cookie);
  if (lead.delivery) copy.headers.set('x-leadpulse-delivery', JSON.stringify(lead.delivery));
  if (lead.shadow) copy.headers.set('x-leadpulse-shadow', JSON.stringify(lead.shadow));
  return copy;
}

/**
 * TEST ONLY: with the binding LEADPULSE_TEST_CLOCK = "1" (set by tests/edge/config.capnp, never
 * in wrangler.toml or www/edge/config.capnp) the header `x-leadpulse-test-now` (ISO-8601 or epoch
 * ms) sets the scoring clock, so a test can replay a week of visits in seconds.
 */
function testClock(request, env) {
  if (env.LEADPULSE_TEST_CLOCK !== '1') return Date.now();
  const header = request.headers.get('x-leadpulse-test-now');
  if (!header) return Date.now();
  const ms = /^\d+$/.test(header) ? Number(header) : Date.parse(header);
  return Number.isFinite(ms) ? ms : Date.now();
}
