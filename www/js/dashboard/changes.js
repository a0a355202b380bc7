// What a summary revision changed from the one before it, in the terms sales reads a lead in:
// score and grade, stage and route, the reasons, the answers (slots), the questions typed, the
// traits and the disqualifiers. Plain data (the detail view escapes it).
import { disqualifier, words } from './format.js';

const signed = (n) => (n > 0 ? `+${n}` : String(n));
const shown = (v) => (v == null || v === '' ? '—' : String(v));

/** Entries of `key → value` in either object whose values differ, as `[key, before, now]`. */
function differing(before = {}, now = {}) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(now || {})])].sort();
  return keys.filter((k) => (before || {})[k] !== (now || {})[k]).map((k) => [k, (before || {})[k], (now || {})[k]]);
}

/**
 * The changes from summary `before` (null: `now` is the first) to summary `now`, each
 * `{ what, text }` (`what`: score, grade, stage, route, reason, answer, question, trait,
 * disqualifier; `first` for the first revision, `none` when nothing sales sees changed).
 */
export function changes(before, now) {
  if (!now) return [];
  if (!before) return [{ what: 'first', text: 'first revision' }];
  const out = [];
  const add = (what, text) => out.push({ what, text });
  if (before.score !== now.score) add('score', `${shown(before.score)} → ${shown(now.score)} (${signed(now.score - before.score)})`);
  if (before.grade !== now.grade) add('grade', `${shown(before.grade)} → ${shown(now.grade)}`);
  if (before.stage !== now.stage) add('stage', `${shown(before.stage)} → ${shown(now.stage)}`);
  if (before.route !== now.route) add('route', `${words(shown(before.route))} → ${words(shown(now.route))}`);
  const points = (list) => Object.fromEntries((list || []).map((r) => [r.rule, r.points]));
  for (const [rule, was, is] of differing(points(before.reasons), points(now.reasons))) {
    if (was == null) add('reason', `${words(rule)} ${signed(is)} (new)`);
    else if (is == null) add('reason', `${words(rule)} no longer listed`);
    else add('reason', `${words(rule)} ${signed(was)} → ${signed(is)}`);
  }
  for (const [slot, was, is] of differing(before.slots, now.slots)) add('answer', `${words(slot)}: ${shown(was)} → ${shown(is)}`);
  // NOTE: a summary lists only the latest questions: one that drops off was not withdrawn.
  for (const q of now.questions || []) if (!(before.questions || []).includes(q)) add('question', `“${q}”`);
  for (const [trait, was, is] of differing(before.traits, now.traits)) add('trait', `${trait}: ${shown(was)} → ${shown(is)}`);
  const flags = (list) => new Set((list || []).map(disqualifier));
  const [wasFlagged, isFlagged] = [flags(before.disqualifiers), flags(now.disqualifiers)];
  for (const d of isFlagged) if (!wasFlagged.has(d)) add('disqualifier', `${d} (new)`);
  for (const d of wasFlagged) if (!isFlagged.has(d)) add('disqualifier', `${d} no longer`);
  return out.length ? out : [{ what: 'none', text: 'nothing sales sees changed' }];
}

/** How each kind of change is labelled. */
export const LABELS = {
  score: 'Score', grade: 'Grade', stage: 'Stage', route: 'Route', reason: 'Reason', answer: 'Answer',
  question: 'Asked', trait: 'Trait', disqualifier: 'Disqualifier', first: '', none: '',
};
