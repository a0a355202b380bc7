// The summary a request sends, if any: the hand-off it produced, else — once its re-send is
// due — the pending one. A pending summary is re-derived from the state rather than stored:
// its JSON (up to a few KB) does not fit in the cookie next to the state. `session.summary()`
// is read-only and gives the revision last handed off; if that is no longer the pending id
// (a newer revision replaced it), the newer one is sent, which is what the collector keeps.

import { dueEntry, wasDelivered } from './outbox.js';

const SUMMARY_ID = /^lp_([0-9a-f]{16})$/;

/**
 * @param {{ summary(nowMs: number, options: object): { id: string } | null }} session
 * @param {string | null} handedOff the JSON text `session.handoff()` returned in this request
 * @returns {null
 *   | { id: string, hex: string, body: string, attemptsBefore: number }  send this
 *   | { id: string, hex: string, delivered: true }                       acknowledged already
 *   | { id: string, hex: string, unheld: true, attemptsBefore: number }}
 *       pending, but the visitor holds no hand-off stage now: nothing to re-derive until they
 *       qualify again (then a new revision is sent); checked again with the same backoff
 */
export function outgoingSummary(session, handedOff, outbox, nowMs, summaryOptions) {
  if (handedOff) {
    const id = JSON.parse(handedOff).id;
    const hex = SUMMARY_ID.exec(id)?.[1];
    return hex ? { id, hex, body: handedOff, attemptsBefore: 0 } : null;
  }
  const due = dueEntry(outbox, nowMs);
  if (!due) return null;
  const summary = session.summary(nowMs, summaryOptions);
  if (!summary) return { id: `lp_${due.id}`, hex: due.id, unheld: true, attemptsBefore: due.attempts };
  const hex = SUMMARY_ID.exec(summary.id)?.[1];
  if (!hex) return null;
  if (wasDelivered(outbox, hex)) return { id: summary.id, hex, delivered: true };
  return { id: summary.id, hex, body: JSON.stringify(summary), attemptsBefore: hex === due.id ? due.attempts : 0 };
}
