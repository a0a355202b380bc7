// The dashboard's reading of server-sent events (www/js/dashboard/stream.js): events split
// across chunks wait for their end, data lines join with line breaks (a summary is stored as
// received, pretty-printed or not), comments (the keep-alives) and unknown fields are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../www/js/dashboard/stream.js';

test('complete events are taken, the unfinished rest is kept for the next chunk', () => {
  const { events, rest } = parse('event: ready\ndata: {}\n\n:\n\nevent: lead\ndata: {"id":');
  assert.deepEqual(events, [{ event: 'ready', data: '{}' }]);
  assert.equal(rest, 'event: lead\ndata: {"id":');
  const next = parse(`${rest}7}\n\n`);
  assert.deepEqual(next.events, [{ event: 'lead', data: '{"id":7}' }]);
  assert.equal(next.rest, '');
});

test('data lines join with line breaks; CRLF, comments, unknown fields and data-less events', () => {
  const text = 'event: lead\r\ndata: {"id": 1,\r\ndata:   "summary": {}}\r\nid: 4\r\nretry: 10\r\n\r\n: keep-alive\n\nevent: nothing\n\ndata:plain\n\n';
  const { events, rest } = parse(text);
  assert.deepEqual(events, [
    { event: 'lead', data: '{"id": 1,\n  "summary": {}}' },
    { event: 'message', data: 'plain' },
  ]);
  assert.deepEqual(JSON.parse(events[0].data), { id: 1, summary: {} });
  assert.equal(rest, '');
});
