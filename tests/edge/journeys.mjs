// Visits the workerd tests replay through the example worker (tests/edge/config.capnp), and the
// positive marker their negative assertions wait on.
import assert from 'node:assert/strict';

import { eventually } from './harness.mjs';
import { DAY, Visitor } from './visitor.mjs';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** The demo form as a VP sends it (a hand-raise: SQL at once). */
export const FORM = {
  'leadpulse-form': 'demo', name: 'Dana Reyes', email: 'dana.reyes@acme-logistics.com', title: 'VP of Revenue Operations',
  company: 'Acme Logistics', employee_count: '500', industry: 'Logistics',
};

/** A week of visits: blog (from search), pricing ×3 (MQL on day 5), demo page, demo form (SQL). */
export async function qualifyingWeek(visitor, start) {
  const steps = [];
  steps.push(await visitor.get('/blog/?utm_source=google&utm_medium=cpc&utm_campaign=q4', start,
    { referer: 'https://www.google.com/search?q=revenue+data' }));
  for (const day of [1, 3, 5]) steps.push(await visitor.get('/pricing', start + day * DAY));
  steps.push(await visitor.get('/demo', start + 6 * DAY));
  steps.push(await visitor.postForm('/demo', FORM, start + 6 * DAY + 2 * MINUTE));
  return steps;
}

/** A VP who opens the demo page and sends the form: an SQL at once (the hand-raiser route). */
export async function handRaiser(base, at) {
  const visitor = new Visitor(base);
  await visitor.get('/demo', at);
  const form = await visitor.postForm('/demo', FORM, at + MINUTE);
  return { visitor, form };
}

/**
 * The positive marker before a negative assertion: a new visitor's hand-off through `base`,
 * awaited until `collector` stores it. Whatever the requests before it sent has been sent by
 * then (each send starts inside its request, before its response).
 */
export async function marker(base, collector) {
  const { visitor, form } = await handRaiser(base, Date.now() - HOUR);
  assert.equal(form.delivery?.sent, true, 'the marker hand-off was sent');
  const stored = await eventually(async () => (await collector.leadOf(visitor.id))?.summaryId === form.delivery.id, 10_000);
  assert.ok(stored, 'the marker reached the collector');
}

/** The revision ids the collector stored for `visitor` (each id at most once, by design). */
export async function revisions(collector, visitor) {
  const lead = await collector.leadOf(visitor);
  return lead ? (await collector.lead(lead.id)).revisions.map((r) => r.id) : [];
}
