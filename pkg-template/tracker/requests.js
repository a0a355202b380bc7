import { FORM_FIELD } from '../request.js';
import { createQueue } from './queue.js';
import { createTransport } from './transport.js';

// Requests (a visitor asking to be contacted) on their way to the collector. They are the
// visitor's own request, not analytics: they go whatever the analytics consent, and wait in
// localStorage (`leadpulse:rq:<id>`, only the request itself) until the collector has them —
// storage strictly needed for what the visitor asked for; the entry is removed once
// delivered or refused, and a consent denial does not remove it. Same delivery as summaries:
// fetch now, retried with backoff across reloads, sendBeacon when the page is left.
//
// On a page the edge scores, a request goes to the page itself as a form post, which the edge
// signs and forwards (docs/edge.md, "The tracker on an edge-scored site").

/** @typedef {import('../request.js').Request} Request */
/** @typedef {'sent' | 'queued' | 'refused'} RequestState */

/**
 * A queued request's JSON as a form post to the edge: its fields and its form's name.
 * @param {string} body
 */
function asForm(body) {
  const r = /** @type {Request} */ (JSON.parse(body));
  const params = new URLSearchParams(r.fields);
  params.set(FORM_FIELD, r.form);
  return { type: 'application/x-www-form-urlencoded', body: params };
}

/**
 * @param {{
 *   store: import('./storage.js').Store,
 *   endpoint: string,
 *   edge: boolean,
 *   fetch: import('./transport.js').TransportDeps['fetch'],
 *   beacon: import('./transport.js').TransportDeps['beacon'],
 *   now: () => number,
 *   random: () => number,
 *   onState: (request: Request, state: RequestState) => void,
 *   onAccepted?: (answer: unknown) => void,
 * }} d
 */
export function createRequests(d) {
  const queue = createQueue(d.store, d.random, { entry: 'rq:', sent: null });
  /** Requests sent from this page, by id, until their outcome is known. @type {Map<string, Request>} */
  const mine = new Map();
  const transport = createTransport({
    endpoint: d.endpoint,
    queue,
    fetch: d.fetch,
    beacon: d.beacon,
    now: d.now,
    encode: d.edge ? asForm : undefined,
    // NOTE: the edge reads the visitor's cookie to tie the request to the visitor it scores.
    credentials: d.edge ? 'same-origin' : 'omit',
    onAccepted: d.onAccepted,
    onResult(id, outcome) {
      const request = mine.get(id);
      if (!request) return;
      if (outcome !== 'retry') mine.delete(id);
      d.onState(request, outcome === 'done' ? 'sent' : outcome === 'drop' ? 'refused' : 'queued');
    },
  });
  return {
    /**
     * Queues a request and sends it now; its outcome reaches `onState`.
     * @param {Request} request
     * @returns {boolean} queued (false: the same id is queued or done already)
     */
    send(request) {
      const added = queue.add(request.id, JSON.stringify(request), d.now());
      if (added) {
        mine.set(request.id, request);
        transport.pump();
      }
      return added;
    },
    /** Sends what earlier pages left queued (at start, when back online). */
    pump: transport.pump,
    /** The page is hidden or left: what waits goes by sendBeacon. */
    flush: transport.flush,
  };
}
