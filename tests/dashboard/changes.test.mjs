// What a revision changed from the one before (www/js/dashboard/changes.js), as the lead page
// says it: every kind of change named, new questions only (a summary lists the latest three,
// so one dropping off was not withdrawn), and "nothing" said when nothing sales reads changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changes } from '../../www/js/dashboard/changes.js';

const base = {
  score: 55, grade: 'B2', stage: 'mql', route: 'score',
  reasons: [{ rule: 'demo_request', points: 20 }, { rule: 'pricing_page', points: 10 }],
  slots: { need: 'reporting' }, questions: ['Q1?', 'Q2?', 'Q3?'],
  traits: { title: 'Analyst' }, disqualifiers: [],
  engagedSeconds: 40,
};

test('the first revision says so', () => {
  assert.deepEqual(changes(null, base), [{ what: 'first', text: 'first revision' }]);
});

test('each change is named: score, grade, stage, route, reasons, answers, new questions, traits, disqualifiers', () => {
  const now = {
    ...base, score: 77, grade: 'A2', stage: 'sql', route: 'hand_raise',
    reasons: [{ rule: 'demo_request', points: 25 }, { rule: 'senior_title', points: 15 }],
    slots: { need: 'reporting', budget: 'approved' },
    questions: ['Q4?', 'Q3?', 'Q2?'],
    traits: { title: 'VP Sales' },
    disqualifiers: [{ rule: 'student_title' }],
  };
  assert.deepEqual(changes(base, now).map(({ what, text }) => `${what}: ${text}`), [
    'score: 55 → 77 (+22)',
    'grade: B2 → A2',
    'stage: mql → sql',
    'route: score → hand raise',
    'reason: demo request +20 → +25',
    'reason: pricing page no longer listed',
    'reason: senior title +15 (new)',
    'answer: budget: — → approved',
    'question: “Q4?”',
    'trait: title: Analyst → VP Sales',
    'disqualifier: student title (new)',
  ]);
});

test('a revision that changed nothing sales reads says so', () => {
  assert.deepEqual(changes(base, { ...base, engagedSeconds: 90 }), [{ what: 'none', text: 'nothing sales sees changed' }]);
});
