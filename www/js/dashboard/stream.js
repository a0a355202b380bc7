// The changes the collector pushes to this dashboard (GET /api/events, server-sent events).
// NOTE: read with fetch, not EventSource: EventSource cannot send the Authorization header,
// and the token must stay out of URLs (and so out of access logs and history). The stream
// reconnects by itself (1 s, doubling to 30 s, jittered; after a 503 — too many streams open
// — when Retry-After says), and a stream silent for longer than three keep-alives is taken
// for dead and replaced. While it is not live the dashboard polls (dashboard.js).
import { session } from './session.js';

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;
/** The collector sends a keep-alive every 15 s. */
const SILENT_MS = 45000;

/**
 * Splits server-sent-event text into complete events and the unfinished rest.
 * @returns {{ events: { event: string, data: string }[], rest: string }}
 */
export function parse(text) {
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop();
  const events = [];
  for (const block of blocks) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/**
 * @param {{ onEvent: (e: { event: string, data: string }) => void,
 *           onState: (state: 'connecting' | 'live' | 'down' | 'refused') => void,
 *           onUnauthorized: (message: string) => void }} hooks
 */
export function eventStream(hooks) {
  let on = false;
  let controller = null;
  let retry = null;
  let delay = FIRST_RETRY_MS;
  // NOTE: each start or stop begins a new generation; a connection of an older one (still
  // settling after a sign-out and a sign-in) neither reports nor reconnects.
  let generation = 0;

  const again = (ms) => {
    clearTimeout(retry);
    retry = on ? setTimeout(connect, ms) : null;
  };

  async function read(body, current) {
    const stream = controller;
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let silent = setTimeout(() => stream.abort(), SILENT_MS);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !current()) return;
        clearTimeout(silent);
        silent = setTimeout(() => stream.abort(), SILENT_MS);
        const parsed = parse(buffer + value);
        buffer = parsed.rest;
        for (const e of parsed.events) {
          if (e.event === 'ready') {
            delay = FIRST_RETRY_MS;
            hooks.onState('live');
          }
          hooks.onEvent(e);
        }
      }
    } finally {
      clearTimeout(silent);
    }
  }

  async function connect() {
    const token = session.token();
    if (!on || !token) return;
    const mine = generation;
    const current = () => on && mine === generation;
    controller = new AbortController();
    hooks.onState('connecting');
    try {
      const res = await fetch('/api/events', {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        cache: 'no-store',
        signal: controller.signal,
      });
      if (!current()) return;
      if (res.status === 401) {
        on = false;
        session.signOut(); // as api.js does: the token is wrong or was changed on the server
        hooks.onUnauthorized('The collector refused the token. Enter it again.');
        return;
      }
      if (res.status === 503) {
        // Too many dashboards stream already: poll, and ask again no sooner than told.
        hooks.onState('refused');
        again((Number(res.headers.get('retry-after')) || 30) * 1000 * (1 + Math.random() / 2));
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      await read(res.body, current);
    } catch {
      // ended, refused or aborted: below
    }
    if (!current()) return;
    hooks.onState('down');
    again(delay * (0.5 + Math.random() / 2));
    delay = Math.min(delay * 2, LAST_RETRY_MS);
  }

  return {
    start() {
      if (on) return;
      on = true;
      generation += 1;
      delay = FIRST_RETRY_MS;
      connect();
    },
    stop() {
      on = false;
      generation += 1;
      clearTimeout(retry);
      controller?.abort();
    },
  };
}
