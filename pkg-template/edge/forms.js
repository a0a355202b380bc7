// LeadPulse forms at the edge (docs/edge.md, "Forms"): a form that carries the hidden field
// `leadpulse-form` is a visitor's request to be contacted. Posted — by a browser without
// JavaScript, or by the tracker on a page the edge scores — it is answered here: what the
// visitor typed becomes a request, signed and sent to the collector, and the browser is sent
// on to the form's `leadpulse-next` page once the collector has it. The origin never sees the
// post. Sent in a URL (a form without `method="post"`), it is refused, not processed.

import { buildRequest, formEvent, FORM_FIELD, nested, problem, readForm, requestId, traits } from '../request.js';
import { send } from './forward.js';
import { signingKey } from './keys.js';

const FORM_TYPE = /^application\/x-www-form-urlencoded|^multipart\/form-data/i;
/** A form post larger than this is not read (a request is at most 8 KB). */
const MAX_FORM_BYTES = 32 * 1024;
/** How long the visitor's browser waits for the collector before the page says what next. */
const FORM_WAIT_MS = 2500;

/** Whether a GET carries a LeadPulse form in its query (what the visitor typed is in the URL). */
export function formInUrl(request, url) {
  return request.method === 'GET' && url.searchParams.has(FORM_FIELD);
}

/**
 * What a LeadPulse form post carries, or null for any other request.
 * @returns {Promise<{ fields: Record<string, string>, form: string, next: string } | null>}
 */
export async function readFormPost(request) {
  if (request.method !== 'POST' || !FORM_TYPE.test(request.headers.get('content-type') ?? '')) return null;
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > MAX_FORM_BYTES) return null;
  let form;
  try {
    const text = await request.clone().text();
    if (text.length > MAX_FORM_BYTES) return null;
    form = /^multipart/i.test(request.headers.get('content-type') ?? '')
      ? await request.clone().formData()
      : new URLSearchParams(text);
  } catch {
    return null;
  }
  if (!form.has(FORM_FIELD)) return null;
  return readForm(form.entries());
}

/** The events a form stands for in the scoring engine: who the visitor is, and the request. */
export function formEvents(typed) {
  const known = traits(typed.fields);
  const { event, properties } = formEvent(typed.form || 'contact', null);
  const events = [{ type: 'track', event, properties }];
  if (Object.keys(known).length) events.unshift({ type: 'identify', traits: nested(known) });
  return events;
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** A short page for the person who posted the form. */
function page(status, title, text, back) {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>${escape(title)}</title><body style="font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">`
    + `<h1>${escape(title)}</h1><p>${escape(text)}</p>${back ? `<p><a href="${escape(back)}">Back to the site</a></p>` : ''}</body></html>`;
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

/** A form sent in a URL: refused, not processed. */
export function refuseFormInUrl() {
  return page(400, 'Your request was not sent', 'This form sent your details in the page address, which we do not accept. Please go back and send it again.', null);
}

/** The page to go on to: the form's `leadpulse-next` if it is a path on this site. */
function nextPath(next) {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : null;
}

/**
 * Sends the request a form post stands for, signed, and answers the browser: 303 to the form's
 * `leadpulse-next` page (or a thank-you page) once the collector has it; a page saying it is
 * on its way when the collector did not answer in time (the attempt goes on in `waitUntil`);
 * a page saying what to fix when it cannot be sent.
 * @param {{ fields: Record<string, string>, form: string, next: string }} typed
 * @param {{ request: Request, url: URL, visitor: string | null, nowMs: number, endpoint: string | undefined,
 *   signingSecret: string | undefined, fetcher: { fetch: typeof fetch }, waitUntil?: (p: Promise<unknown>) => void,
 *   onRefused: (error: Error) => void }} how
 */
export async function answerForm(typed, how) {
  const referer = how.request.headers.get('referer');
  const back = referer && referer.startsWith(how.url.origin) ? new URL(referer).pathname : null;
  const request = buildRequest({
    id: requestId((bytes) => crypto.getRandomValues(bytes)),
    form: typed.form,
    visitor: how.visitor,
    page: back ?? how.url.pathname,
    at: how.nowMs,
    fields: typed.fields,
    runtime: 'edge',
  });
  const why = problem(request);
  if (why) return page(400, 'Your request was not sent', `Please go back and check the form: ${why}.`, back);
  if (!how.endpoint || !how.signingSecret) {
    how.onRefused(new Error('a LeadPulse form was posted, but no endpoint and signing secret are configured to send it'));
    return page(503, 'Your request was not sent', 'We could not take it just now. Please try again later, or write to us.', back);
  }
  let outcome;
  try {
    outcome = await send({ id: request.id, body: JSON.stringify(request) }, {
      endpoint: how.endpoint,
      key: await signingKey(how.signingSecret),
      fetcher: how.fetcher,
      waitMs: FORM_WAIT_MS,
      waitUntil: how.waitUntil,
      onRefused: (refusal) => how.onRefused(new Error(`the collector refused request ${request.id} with ${refusal.status}${refusal.error ? ` (${refusal.error}${refusal.path ? ` at ${refusal.path}` : ''})` : ''}`)),
    });
  } catch (error) {
    how.onRefused(error);
    return page(503, 'Your request was not sent', 'We could not take it just now. Please try again later, or write to us.', back);
  }
  if (outcome.state === 'delivered') {
    const next = nextPath(typed.next);
    return next
      ? new Response(null, { status: 303, headers: { location: next, 'cache-control': 'no-store' } })
      : page(200, 'Thanks, we have your request', 'Our team will reply by e-mail within one business day.', back);
  }
  if (outcome.state === 'refused') return page(400, 'Your request was not sent', 'Something in the form could not be taken. Please go back, check it and send it again.', back);
  return page(202, 'Your request is on its way', 'We could not confirm it with our team yet; it is being sent again. If you do not hear from us within one business day, please write to us.', back);
}
