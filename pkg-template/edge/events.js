// Which requests are scored, and the LeadPulse events a request stands for.

/** Extensions of static assets: never scored. */
const ASSET = /\.(?:js|mjs|cjs|css|map|json|txt|xml|wasm|png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|pdf|zip|gz|br)$/i;

/** Why a request is not scored (a string), or null when it is. */
export function skipReason(request, url) {
  if (request.method !== 'GET' && request.method !== 'POST') return 'method';
  if (ASSET.test(url.pathname)) return 'asset';
  const purpose = request.headers.get('sec-purpose') ?? request.headers.get('purpose') ?? '';
  if (/prefetch|prerender/i.test(purpose)) return 'prefetch';
  // NOTE: fetch()/XHR/sendBeacon from a page (dest "empty") are API calls, not page views;
  // clients that send no Sec-Fetch-Dest (old browsers, curl) count as navigations.
  const dest = request.headers.get('sec-fetch-dest');
  if (dest && dest !== 'document' && dest !== 'iframe') return 'subresource';
  return null;
}

/** Host of an external referrer, or null for none, a malformed one, or the site itself. */
export function externalReferrer(request, url) {
  const referer = request.headers.get('referer');
  if (!referer) return null;
  try {
    const ref = new URL(referer);
    if (ref.host === url.host || (ref.protocol !== 'http:' && ref.protocol !== 'https:')) return null;
    // NOTE: only the origin leaves the request: paths and queries of other sites are not ours.
    return `${ref.protocol}//${ref.host}/`;
  } catch {
    return null;
  }
}

/** Segment-style `context` from the request: user agent, language, Cloudflare geo/network. */
export function requestContext(request) {
  const context = {};
  const ua = request.headers.get('user-agent');
  if (ua) context.userAgent = ua.slice(0, 512);
  const lang = request.headers.get('accept-language');
  if (lang) context.locale = lang.split(',')[0].trim().slice(0, 35);
  const cf = request.cf;
  if (cf && typeof cf === 'object') {
    if (typeof cf.country === 'string') context.location = { country: cf.country };
    if (typeof cf.asOrganization === 'string') context.network = { asOrganization: cf.asOrganization.slice(0, 128) };
  }
  return context;
}

/** The page event a GET request stands for (null for POST: those only carry hook events). */
export function pageEvent(request, url, visitor, nowMs) {
  if (request.method !== 'GET') return null;
  const properties = { path: url.pathname };
  if (url.search) properties.search = url.search.slice(0, 512);
  const referrer = externalReferrer(request, url);
  if (referrer) properties.referrer = referrer;
  return { type: 'page', anonymousId: visitor, timestamp: nowMs, properties, context: requestContext(request) };
}

/**
 * Completes events returned by a user hook: the visitor key, time and context are the edge's,
 * whatever the hook said, so a hook cannot score another visitor or another time.
 */
export function stampEvent(event, request, visitor, nowMs) {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return null;
  const { userId: _ignored, ...rest } = event;
  return { ...rest, anonymousId: visitor, timestamp: nowMs, context: requestContext(request) };
}
