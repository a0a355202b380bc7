// At-least-once delivery from the edge (docs/edge.md), against a fake collector that, like the
// real one, stores each summary id once. "Nothing more was sent" is asserted only after every
// ctx.waitUntil promise has settled (ctx.settled()), never after a sleep.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { DeliveryRefusedError, DeliveryUnauthorizedError } from '../../pkg/edge/core.js';
import {
  DAY, ENDPOINT, NOW, SIGNING_SECRET, context, cookiePair, demoForm, edge, fakeCollector, get, next, opts, qualify, verifyingCollector,
} from './unit.mjs';

const SECOND = 1000;

/** Blog, pricing on days 1, 3 (MQL on day 5), the demo form on day 6 (SQL): each result. */
async function week(extra, ctx = context(), start = NOW - 7 * DAY) {
  const at = (t) => opts({ now: () => t, ...extra });
  const leads = [await edge.scoreRequest(get('/blog/?utm_source=google'), {}, ctx, at(start))];
  for (const day of [1, 3, 5]) leads.push(await next(leads.at(-1), '/pricing', start + day * DAY, extra, ctx));
  leads.push(await next(leads.at(-1), '/demo', start + 6 * DAY, { ...extra, events: demoForm }, ctx));
  return { leads, ctx, start };
}

describe('delivery', () => {
  test('a qualifying week hands off MQL then SQL; each sent once, acknowledged in time and recorded', async () => {
    const sink = fakeCollector([201]);
    const { leads, ctx, start } = await week({ endpoint: ENDPOINT, collector: sink });
    const sent = leads.filter((l) => l.forwarded);
    assert.deepEqual(sent.map((l) => l.snapshot.stage), ['mql', 'sql']);
    for (const lead of sent) assert.deepEqual({ ...lead.delivery, nextAttemptAt: null }, { id: lead.forwarded, state: 'delivered', sent: true, status: 201, attempts: 0, nextAttemptAt: null, error: null, path: null });
    const later = await next(leads.at(-1), '/pricing', start + 6 * DAY + 60 * SECOND, { endpoint: ENDPOINT, collector: sink }, ctx);
    assert.equal(later.forwarded, null);
    assert.equal(later.delivery.state, 'delivered');
    assert.equal(later.delivery.id, sent[1].forwarded);
    await ctx.settled();
    assert.deepEqual(sink.ids(), sent.map((l) => l.forwarded), 'each once, nothing re-sent');
    const bodies = sink.calls.map((c) => JSON.parse(c.init.body));
    assert.deepEqual(bodies.map((b) => [b.stage, b.runtime, b.visitor]), [['mql', 'edge', leads[0].visitor], ['sql', 'edge', leads[0].visitor]]);
    assert.equal(sink.calls[1].init.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', SIGNING_SECRET).update(sink.calls[1].init.body).digest('hex')}`);
  });

  test('the request waits at most deliveryWaitMs, then answers; the send goes on in waitUntil and is re-sent later', async () => {
    const sink = fakeCollector([201, 200]);
    const release = sink.hold();
    const ctx = context();
    const t0 = performance.now();
    const { lead } = await qualify({ endpoint: ENDPOINT, collector: sink, deliveryWaitMs: 100 }, { ctx });
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= 95 && elapsed < 1000, `${elapsed} ms`);
    assert.equal(lead.delivery.state, 'pending');
    assert.equal(lead.delivery.status, null, 'no answer within the wait');
    assert.equal(lead.forwarded, lead.delivery.id);
    release();
    await ctx.settled();
    assert.equal(sink.stored.size, 1, 'it did arrive');
    // The cookie could not know: the next due request re-sends, the collector says duplicate (200).
    const again = await next(lead, '/pricing', lead.delivery.nextAttemptAt, { endpoint: ENDPOINT, collector: sink }, ctx);
    assert.equal(again.delivery.state, 'delivered');
    assert.equal(again.delivery.status, 200);
    await ctx.settled();
    assert.deepEqual(sink.ids(), [lead.forwarded, lead.forwarded]);
    assert.equal(sink.stored.size, 1, 'at-least-once sending, exactly once in the store');
  });

  test('deliveryWaitMs 0: the response never waits; the summary stays pending until seen acknowledged', async () => {
    const sink = fakeCollector([201]);
    const { lead, ctx } = await qualify({ endpoint: ENDPOINT, collector: sink, deliveryWaitMs: 0 });
    assert.equal(lead.delivery.state, 'pending');
    await ctx.settled();
    assert.equal(sink.stored.size, 1);
  });

  test('collector down for the hand-off: pending; re-sent after the backoff by a later request; stored once', async () => {
    const sink = fakeCollector(['down', 'down', 'down', 201]);
    const options = { endpoint: ENDPOINT, collector: sink, retryDelaysMs: [1, 1] };
    const { lead, ctx } = await qualify(options);
    assert.equal(lead.delivery.state, 'pending');
    assert.equal(lead.delivery.status, 0, 'network error');
    assert.match(lead.delivery.error, /connection refused/);
    assert.equal(lead.delivery.attempts, 1);
    const wait = lead.delivery.nextAttemptAt - NOW;
    assert.ok(wait >= 8 * SECOND && wait <= 13 * SECOND, `first re-send after ${wait} ms`);
    await ctx.settled();
    assert.equal(sink.calls.length, 3, 'the hand-off request tried 3 times (1 + 2 quick retries)');

    const early = await next(lead, '/pricing', NOW + 5 * SECOND, options, ctx);
    assert.equal(early.forwarded, null, 'not before its time');
    assert.equal(early.delivery.state, 'pending');
    const due = await next(early, '/integrations', lead.delivery.nextAttemptAt, options, ctx);
    assert.equal(due.forwarded, lead.forwarded, 'the same id, re-sent');
    assert.equal(due.delivery.state, 'delivered');
    const after = await next(due, '/pricing', lead.delivery.nextAttemptAt + DAY, options, ctx);
    assert.equal(after.forwarded, null);
    await ctx.settled();
    assert.deepEqual(sink.ids(), Array(4).fill(lead.forwarded));
    assert.deepEqual([...sink.stored.keys()], [lead.forwarded]);

    // Re-derived from the state, not stored: the same revision of the same lead, signed anew.
    const [first, resent] = [sink.calls[0], sink.calls[3]].map((c) => JSON.parse(c.init.body));
    for (const key of ['id', 'revision', 'visitor', 'stage', 'model', 'qualifiedAt', 'traits']) assert.deepEqual(resent[key], first[key], key);
    assert.equal(sink.calls[3].init.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', SIGNING_SECRET).update(sink.calls[3].init.body).digest('hex')}`);
  });

  test('503 then 201 inside the request: retried quickly, acknowledged in time', async () => {
    const sink = fakeCollector([503, 201]);
    const { lead, ctx } = await qualify({ endpoint: ENDPOINT, collector: sink, retryDelaysMs: [5] });
    assert.equal(lead.delivery.state, 'delivered');
    assert.equal(lead.delivery.status, 201);
    await ctx.settled();
    assert.equal(sink.calls.length, 2);
  });

  test('503 for a while: later requests re-send with growing backoff (≈ 10 s, 1 min, 5 min), then 201', async () => {
    const sink = fakeCollector([503, 503, 503, 201]);
    const options = { endpoint: ENDPOINT, collector: sink, retryDelaysMs: [] };
    let { lead, ctx } = await qualify(options);
    const waits = [];
    for (let n = 1; lead.delivery.state === 'pending'; n += 1) {
      assert.equal(lead.delivery.attempts, n);
      assert.equal(lead.delivery.status, 503);
      const at = lead.delivery.nextAttemptAt;
      waits.push((at - (lead.sentAt ?? NOW)) / SECOND);
      const before = await next(lead, '/pricing', at - 2 * SECOND, options, ctx);
      assert.equal(before.forwarded, null, `attempt ${n + 1} not early`);
      lead = await next(before, '/pricing', at, options, ctx);
      lead.sentAt = at;
      assert.equal(lead.forwarded, lead.delivery.id);
    }
    assert.equal(lead.delivery.status, 201);
    for (const [wait, base] of waits.map((w, i) => [w, [10, 60, 300][i]])) {
      assert.ok(wait >= base * 0.8 && wait <= base * 1.2 + 1, `waited ${wait} s for a ${base} s step`);
    }
    await ctx.settled();
    assert.equal(sink.calls.length, 4);
    assert.equal(sink.stored.size, 1);
  });

  test('a newer revision replaces a pending one: the SQL is sent, the MQL is not re-sent', async () => {
    const sink = fakeCollector(['down', 201]);
    const options = { endpoint: ENDPOINT, collector: sink, retryDelaysMs: [] };
    const { leads, ctx } = await week(options);
    const [mql, sql] = leads.filter((l) => l.forwarded);
    assert.equal(mql.delivery.state, 'pending');
    assert.equal(sql.delivery.state, 'delivered');
    assert.notEqual(sql.forwarded, mql.forwarded);
    const later = await next(sql, '/pricing', NOW + DAY, options, ctx);
    assert.equal(later.forwarded, null);
    await ctx.settled();
    assert.deepEqual(sink.ids(), [mql.forwarded, sql.forwarded]);
    assert.deepEqual([...sink.stored.values()].map((s) => s.stage), ['sql']);
  });
});

describe('final refusals', () => {
  const refusal = { status: 400, body: { error: 'not a plausible time (before 2000 or in the future)', path: 'qualifiedAt' } };

  test('a 400 is reported with its status and path, returned in the result, never re-sent', async () => {
    const sink = fakeCollector([refusal, 201]);
    const errors = [];
    const options = { endpoint: ENDPOINT, collector: sink, onError: (e) => errors.push(e) };
    const { lead, ctx } = await qualify(options);
    assert.deepEqual({ ...lead.delivery }, {
      id: lead.forwarded, state: 'refused', sent: true, status: 400, attempts: 0, nextAttemptAt: null,
      error: 'not a plausible time (before 2000 or in the future)', path: 'qualifiedAt',
    });
    await ctx.settled();
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof DeliveryRefusedError);
    assert.equal(errors[0].summaryId, lead.forwarded);
    assert.equal(errors[0].status, 400);
    assert.equal(errors[0].path, 'qualifiedAt');
    assert.match(errors[0].message, /refused summary lp_[0-9a-f]{16} with 400 \(not a plausible time .* at qualifiedAt\); it is not re-sent/);
    for (const at of [NOW + 60 * SECOND, NOW + 7 * DAY]) {
      const later = await next(lead, '/pricing', at, options, ctx);
      assert.equal(later.forwarded, null);
      assert.equal(later.delivery.state, 'refused', 'still visible');
      assert.equal(later.delivery.status, 400);
    }
    await ctx.settled();
    assert.equal(sink.calls.length, 1, 'one attempt, no retry');
    assert.equal(errors.length, 1, 'reported once');
  });

  test('by default a refusal is logged once with console.warn, path included', async () => {
    const warned = [];
    const warn = console.warn;
    console.warn = (...args) => warned.push(args.join(' '));
    try {
      const sink = fakeCollector([refusal]);
      const { ctx } = await qualify({ endpoint: ENDPOINT, collector: sink, onError: undefined });
      await ctx.settled();
    } finally {
      console.warn = warn;
    }
    assert.equal(warned.length, 1);
    assert.match(warned[0], /^leadpulse: delivery: the collector refused summary lp_[0-9a-f]{16} with 400 .*at qualifiedAt/);
  });

  test('final: 400, 404, 413, 422; pending: 0, 401, 403, 408, 425, 429, 500, 503', async () => {
    for (const status of [400, 404, 413, 422]) {
      const { lead } = await qualify({ endpoint: ENDPOINT, collector: fakeCollector([status]), retryDelaysMs: [] });
      assert.equal(lead.delivery.state, 'refused', String(status));
    }
    for (const status of ['down', 401, 403, 408, 425, 429, 500, 503]) {
      const { lead } = await qualify({ endpoint: ENDPOINT, collector: fakeCollector([status]), retryDelaysMs: [] });
      assert.equal(lead.delivery.state, 'pending', String(status));
      assert.equal(lead.delivery.attempts, 1, String(status));
    }
  });

  test('a refused hand-off does not stop the next revision', async () => {
    const sink = fakeCollector([{ status: 413, body: { error: 'too large' } }, 201]);
    const options = { endpoint: ENDPOINT, collector: sink };
    const { leads, ctx } = await week(options);
    const [mql, sql] = leads.filter((l) => l.forwarded);
    assert.equal(mql.delivery.state, 'refused');
    assert.equal(sql.delivery.state, 'delivered');
    await ctx.settled();
    assert.equal(sink.calls.length, 2);
  });
});

describe('a signature the collector does not accept (401, 403): a rotation of the signing secret', () => {
  const OLD = 'unit-old-signing-secret-0123456789';

  test('401 → pending, not retried quickly, reported; re-sent with backoff once the collector takes the secret', async () => {
    const sink = verifyingCollector([OLD]); // the collector still verifies with the old secret only
    const errors = [];
    const options = { endpoint: ENDPOINT, collector: sink, onError: (e) => errors.push(e) };
    const { lead, ctx } = await qualify(options);
    assert.deepEqual({ ...lead.delivery, nextAttemptAt: null }, {
      id: lead.forwarded, state: 'pending', sent: true, status: 401, attempts: 1, nextAttemptAt: null,
      error: 'X-LeadPulse-Signature does not match the body', path: null,
    });
    const wait = lead.delivery.nextAttemptAt - NOW;
    assert.ok(wait >= 8 * SECOND && wait <= 13 * SECOND, `first re-send after ${wait} ms, the usual backoff`);
    await ctx.settled();
    assert.equal(sink.calls.length, 1, 'no quick retry: the same signature would be refused again');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof DeliveryUnauthorizedError);
    assert.deepEqual([errors[0].summaryId, errors[0].status, errors[0].reason], [lead.forwarded, 401, 'X-LeadPulse-Signature does not match the body']);
    assert.match(errors[0].message, /answered 401 to summary lp_[0-9a-f]{16} .*stays pending and is re-sent with backoff/);

    // Still refused at the first re-send: pending again, with the next step of the backoff.
    const again = await next(lead, '/blog/', lead.delivery.nextAttemptAt, options, ctx);
    assert.deepEqual([again.forwarded, again.delivery.state, again.delivery.status, again.delivery.attempts], [lead.forwarded, 'pending', 401, 2]);
    // The collector now verifies with the edge's secret too (its first rotation step): the
    // visitor's next due request delivers the same summary, signed with the current secret.
    sink.accepted.push(SIGNING_SECRET);
    const early = await next(again, '/', again.delivery.nextAttemptAt - 2 * SECOND, options, ctx);
    assert.equal(early.forwarded, null, 'not before its time');
    const due = await next(early, '/blog/', again.delivery.nextAttemptAt, options, ctx);
    assert.deepEqual([due.forwarded, due.delivery.state, due.delivery.status], [lead.forwarded, 'delivered', 201]);
    await ctx.settled();
    assert.deepEqual([...sink.stored.keys()], [lead.forwarded], 'stored once');
    const last = sink.calls.at(-1).init;
    assert.equal(last.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', SIGNING_SECRET).update(last.body).digest('hex')}`);
  });

  test('each re-send is signed with the secret the edge holds then (the edge rotated, the collector had not)', async () => {
    const sink = verifyingCollector([OLD]);
    const { lead, ctx } = await qualify({ endpoint: ENDPOINT, collector: sink }); // signs with SIGNING_SECRET
    assert.deepEqual([lead.delivery.state, lead.delivery.status], ['pending', 401]);
    // The edge goes back to the secret the collector holds: the pending summary is re-signed.
    const due = await next(lead, '/blog/', lead.delivery.nextAttemptAt, { endpoint: ENDPOINT, collector: sink, signingSecret: OLD }, ctx);
    assert.deepEqual([due.forwarded, due.delivery.state, due.delivery.status], [lead.forwarded, 'delivered', 201]);
    await ctx.settled();
    const [first, resent] = sink.calls.map((c) => c.init);
    assert.equal(first.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', SIGNING_SECRET).update(first.body).digest('hex')}`);
    assert.equal(resent.headers['x-leadpulse-signature'], `sha256=${createHmac('sha256', OLD).update(resent.body).digest('hex')}`);
    assert.deepEqual([...sink.stored.keys()], [lead.forwarded]);
  });

  test('403 is treated as 401; by default each summary is logged once with console.warn', async () => {
    const warned = [];
    const warn = console.warn;
    console.warn = (...args) => warned.push(args.join(' '));
    try {
      const sink = fakeCollector([{ status: 403, body: { error: 'forbidden' } }]);
      const options = { endpoint: ENDPOINT, collector: sink, onError: undefined };
      const { lead, ctx } = await qualify(options);
      assert.deepEqual([lead.delivery.state, lead.delivery.status, lead.delivery.error], ['pending', 403, 'forbidden']);
      const again = await next(lead, '/blog/', lead.delivery.nextAttemptAt, options, ctx);
      assert.deepEqual([again.delivery.sent, again.delivery.state, again.delivery.attempts], [true, 'pending', 2]);
      await ctx.settled();
      assert.equal(sink.calls.length, 2);
    } finally {
      console.warn = warn;
    }
    assert.equal(warned.length, 1, warned.join('\n'));
    assert.match(warned[0], /^leadpulse: delivery: the collector answered 403 to summary lp_[0-9a-f]{16} \(forbidden\); it stays pending/);
  });
});

describe('two concurrent requests of one visitor (one cookie)', () => {
  test('the hand-off is sent by the request that produced it, whichever cookie wins', async () => {
    const sink = fakeCollector([201]);
    const options = { endpoint: ENDPOINT, collector: sink };
    const ctx = context();
    let lead = await edge.scoreRequest(get('/pricing'), {}, ctx, opts(options));
    lead = await next(lead, '/demo', NOW + SECOND, options, ctx);
    const cookie = cookiePair(lead);
    const [form, page] = await Promise.all([
      edge.scoreRequest(get('/demo', { cookie }), {}, ctx, opts({ ...options, now: () => NOW + 2 * SECOND, events: demoForm })),
      edge.scoreRequest(get('/pricing', { cookie }), {}, ctx, opts({ ...options, now: () => NOW + 2 * SECOND })),
    ]);
    assert.equal(form.snapshot.stage, 'sql');
    assert.notEqual(page.snapshot.stage, 'sql', 'the page view did not see the form');
    // The browser keeps whichever Set-Cookie came last: say the page's. The SQL is not lost.
    const after = await next(page, '/pricing', NOW + 3 * SECOND, options, ctx);
    assert.notEqual(after.snapshot.stage, 'sql', 'the form is lost from the cookie (last writer wins)');
    await ctx.settled();
    assert.deepEqual([...sink.stored.values()].map((s) => [s.id, s.stage]), [[form.forwarded, 'sql']]);
  });
});
