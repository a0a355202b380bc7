// The peers of row 2 (benches/js-track.mjs): the same scoring rules, expressed three ways, each
// a visitor scorer `{ track(event) → score }` keeping per-visitor counters:
//   plain       a hand-written function (the floor: no engine at all);
//   jsonLogic   json-logic-js rules (`jsonLogic.apply`, synchronous);
//   rulesEngine json-rules-engine rules (`await engine.run(facts)`: asynchronous by design).
//
// The rules are those of the built-in model (src/core/model/builtin.json) that the event stream
// exercises and that these libraries can express, without decay (neither library has time):
//   pricing_page         page /pricing, +10, once per session (a visitor here = one session)
//   blog_post            page /blog/*, +1, at most 3 per session
//   case_study_download  track "Asset Downloaded" {asset_type: case_study}, +5, cap 15 (3 times)
//   engaged_1/5/15min    engaged time crossing 60 / 300 / 900 s, +2 / +3 / +4
// Counters live in the driver (the libraries evaluate conditions; they keep no state); the
// conditions read them as facts, so the frequency limits are part of each rule.
import jsonLogic from 'json-logic-js';
import { Engine } from 'json-rules-engine';

const ENGAGED = [['engaged_1min', 60, 2], ['engaged_5min', 300, 3], ['engaged_15min', 900, 4]];

/** The hand-written scorer. */
export function plainVisitor() {
  let score = 0, pricing = 0, blog = 0, caseStudies = 0, engaged = 0;
  return {
    track(e) {
      const p = e.properties;
      if (e.type === 'page') {
        if (p.path === '/pricing' && pricing < 1) { pricing++; score += 10; }
        if (p.path.startsWith('/blog/') && blog < 3) { blog++; score += 1; }
      } else if (e.type === 'track') {
        if (e.event === 'Asset Downloaded' && p.asset_type === 'case_study' && caseStudies < 3) { caseStudies++; score += 5; }
      } else if (e.type === 'engagement') {
        const after = engaged + (p.seconds || 0);
        for (const [, at, points] of ENGAGED) if (engaged < at && after >= at) score += points;
        engaged = after;
      }
      return score;
    },
  };
}

/** The facts both libraries read: the event's fields flattened, and the visitor's counters. */
function facts(e, counts, engaged) {
  const p = e.properties;
  return {
    type: e.type, path: p.path ?? '', event: e.event ?? '', asset_type: p.asset_type ?? '',
    engagedBefore: engaged, engagedAfter: engaged + (p.seconds || 0),
    n_pricing_page: counts.pricing_page, n_blog_post: counts.blog_post, n_case_study_download: counts.case_study_download,
  };
}
const newCounts = () => ({ pricing_page: 0, blog_post: 0, case_study_download: 0 });

const v = (name) => ({ var: name });
const LOGIC_RULES = [
  ['pricing_page', 10, { and: [{ '==': [v('type'), 'page'] }, { '==': [v('path'), '/pricing'] }, { '<': [v('n_pricing_page'), 1] }] }],
  ['blog_post', 1, { and: [{ '==': [v('type'), 'page'] }, { '==': [{ substr: [v('path'), 0, 6] }, '/blog/'] }, { '<': [v('n_blog_post'), 3] }] }],
  ['case_study_download', 5, { and: [{ '==': [v('type'), 'track'] }, { '==': [v('event'), 'Asset Downloaded'] },
    { '==': [v('asset_type'), 'case_study'] }, { '<': [v('n_case_study_download'), 3] }] }],
  ...ENGAGED.map(([id, at, points]) => [id, points, { and: [{ '==': [v('type'), 'engagement'] },
    { '<': [v('engagedBefore'), at] }, { '>=': [v('engagedAfter'), at] }] }]),
];

/** json-logic-js: every rule applied to the event's facts. */
export function jsonLogicVisitor() {
  let score = 0, engaged = 0;
  const counts = newCounts();
  return {
    track(e) {
      const data = facts(e, counts, engaged);
      for (const [id, points, logic] of LOGIC_RULES) {
        if (jsonLogic.apply(logic, data)) {
          score += points;
          if (id in counts) counts[id]++;
        }
      }
      engaged = data.engagedAfter;
      return score;
    },
  };
}

const is = (fact, value) => ({ fact, operator: 'equal', value });
/** One engine for all visitors (rules are shared, facts are per run). */
function rulesEngine() {
  const engine = new Engine([], { allowUndefinedFacts: true });
  // The one operator the rules need that the library lacks: a prefix match (custom operators
  // are the library's documented extension point).
  engine.addOperator('startsWith', (fact, value) => typeof fact === 'string' && fact.startsWith(value));
  const rule = (id, points, all) => engine.addRule({ name: id, conditions: { all }, event: { type: id, params: { points } } });
  rule('pricing_page', 10, [is('type', 'page'), is('path', '/pricing'), { fact: 'n_pricing_page', operator: 'lessThan', value: 1 }]);
  rule('blog_post', 1, [is('type', 'page'), { fact: 'path', operator: 'startsWith', value: '/blog/' }, { fact: 'n_blog_post', operator: 'lessThan', value: 3 }]);
  rule('case_study_download', 5, [is('type', 'track'), is('event', 'Asset Downloaded'), is('asset_type', 'case_study'),
    { fact: 'n_case_study_download', operator: 'lessThan', value: 3 }]);
  for (const [id, at, points] of ENGAGED) {
    rule(id, points, [is('type', 'engagement'), { fact: 'engagedBefore', operator: 'lessThan', value: at },
      { fact: 'engagedAfter', operator: 'greaterThanInclusive', value: at }]);
  }
  return engine;
}
let engine;

/** json-rules-engine: `track` returns a promise (each event awaited by the caller). */
export function rulesEngineVisitor() {
  engine ??= rulesEngine();
  let score = 0, engaged = 0;
  const counts = newCounts();
  return {
    async track(e) {
      const data = facts(e, counts, engaged);
      const { events } = await engine.run(data);
      for (const { type, params } of events) {
        score += params.points;
        if (type in counts) counts[type]++;
      }
      engaged = data.engagedAfter;
      return score;
    },
  };
}
