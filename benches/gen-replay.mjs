// Deterministic JSONL events for benches/replay.mjs: N lines over 20,000 visitors, visitor
// i % 20000, 7 minutes between one visitor's events (one session each up to 2M lines).
// Each visitor cycles through the four kinds (by its round + its number, so every visitor gets
// all four, unlike i % 4, which would give visitor v only kind v % 4):
//   0  page with messageId, context.userAgent and properties.referrer, ISO timestamp
//   1  page, epoch-ms timestamp
//   2  engagement (20 s, 60 % scroll, path)
//   3  track "Asset Downloaded" {asset_type: case_study}
//   node benches/gen-replay.mjs LINES FILE
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const VISITORS = 20_000;
const paths = ['/pricing', '/blog/how-to-score', '/case-studies/globex', '/integrations/slack', '/', '/docs/api', '/blog/pipeline-101'];
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const start = Date.parse('2026-01-01T00:00:00Z');

export function line(i) {
  const v = i % VISITORS;
  const round = Math.floor(i / VISITORS);
  const t = start + round * 420_000 + v;
  const anonymousId = `v${v}`;
  const path = paths[(round + v) % paths.length];
  switch ((round + v) % 4) {
    case 0: return JSON.stringify({ type: 'page', anonymousId, messageId: `m${i}`, timestamp: new Date(t).toISOString(),
      context: { userAgent: UA }, properties: { path, referrer: 'https://www.google.com/' } });
    case 1: return JSON.stringify({ type: 'page', anonymousId, timestamp: t, properties: { path } });
    case 2: return JSON.stringify({ type: 'engagement', anonymousId, timestamp: t, properties: { seconds: 20, scroll: 60, path } });
    default: return JSON.stringify({ type: 'track', anonymousId, timestamp: t, event: 'Asset Downloaded', properties: { asset_type: 'case_study' } });
  }
}

export async function generate(lines, file) {
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += line(i) + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [lines, file] = process.argv.slice(2);
  if (!lines || !file) { console.error('usage: node benches/gen-replay.mjs LINES FILE'); process.exit(2); }
  await generate(Number(lines), file);
}
