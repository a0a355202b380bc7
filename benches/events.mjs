// The JS event stream of benches/js-track.mjs and benches/boundary-track.mjs: visitors of 50
// events, a mix of page views (pricing, blog, case study, integrations, home, docs), engagement
// pings (20 s, 60 % scroll) and case-study downloads, 7 minutes apart (one session each).
export const VISITOR_EVENTS = 50;
const paths = ['/pricing', '/blog/how-to-score', '/case-studies/globex', '/integrations/slack', '/', '/docs/api'];
const start = Date.parse('2026-01-01T00:00:00Z');

export function events(total) {
  return Array.from({ length: total }, (_, i) => {
    const timestamp = start + i * 7 * 60_000;
    switch (i % 4) {
      case 0: case 1: return { type: 'page', timestamp, properties: { path: paths[i % paths.length] } };
      case 2: return { type: 'engagement', timestamp, properties: { seconds: 20, scroll: 60, path: '/blog/how-to-score' } };
      default: return { type: 'track', timestamp, event: 'Asset Downloaded', properties: { asset_type: 'case_study' } };
    }
  });
}
