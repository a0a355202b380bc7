//! Scoring at a point in time: decay and windows (lazily, at read time), caps, and the one
//! rounding rule that makes reasons sum exactly to the score.
use serde::{Deserialize, Serialize};

use crate::core::model::{Axis, Model, Rule};
use crate::core::sort::insertion_sort_by;
use crate::core::time::Millis;

use super::state::{Evidence, VisitorState};

/// One rule's (or answer's) contribution, in whole points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub rule: String,
    pub points: i64,
}

/// Scores at one instant. `fit + engagement` is the score; `reasons` sum to it exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores {
    pub fit: i64,
    pub engagement: i64,
    pub reasons: Vec<Reason>,
}

impl Scores {
    pub fn total(&self) -> i64 {
        self.fit.saturating_add(self.engagement)
    }
}

pub use super::decay::decay;

/// What a contribution comes from.
#[derive(Clone, Copy)]
enum Source {
    Rule(usize),
    Slot(usize),
}

/// A contribution before rounding.
struct Raw {
    key: Source,
    axis: Axis,
    group: Option<usize>,
    points: f64,
}

/// Axis totals only: what stage decisions need, without building reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub fit: i64,
    pub engagement: i64,
}

impl Totals {
    pub fn total(&self) -> i64 {
        self.fit.saturating_add(self.engagement)
    }
}

pub fn totals(model: &Model, state: &VisitorState, now: Millis) -> Totals {
    let raw = contributions(model, state, now);
    let sum = |axis: Axis| {
        raw.iter()
            .filter(|r| r.axis == axis)
            .map(|r| r.points)
            .sum::<f64>()
            .round() as i64
    };
    Totals {
        fit: sum(Axis::Fit),
        engagement: sum(Axis::Engagement),
    }
}

pub fn evaluate(model: &Model, state: &VisitorState, now: Millis) -> Scores {
    let raw = contributions(model, state, now);
    let name = |source: Source| match source {
        Source::Rule(i) => model.rules.get(i).map(|r| r.id.clone()).unwrap_or_default(),
        Source::Slot(i) => model
            .slots
            .get(i)
            .map(|s| ["slot.", &s.id].concat())
            .unwrap_or_default(),
    };
    let (fit, mut reasons) = apportion(raw.iter().filter(|r| r.axis == Axis::Fit), &name);
    let (engagement, more) = apportion(raw.iter().filter(|r| r.axis == Axis::Engagement), &name);
    reasons.extend(more);
    // Largest first; equal points keep model order (the sort is stable).
    insertion_sort_by(&mut reasons, |a, b| a.points > b.points);
    Scores {
        fit,
        engagement,
        reasons,
    }
}

/// Every non-zero contribution at `now`, after rule, group and axis caps.
fn contributions(model: &Model, state: &VisitorState, now: Millis) -> Vec<Raw> {
    let mut raw: Vec<Raw> = Vec::with_capacity(model.rules.len() + state.slots.len());
    for (index, (rule, evidence)) in model.rules.iter().zip(&state.evidence).enumerate() {
        let points = rule_points(rule, evidence, state, now);
        // NOTE: max/min rather than `clamp`, whose panic message would link float formatting.
        let points = rule.cap.map_or(points, |cap| points.max(-cap).min(cap));
        if points != 0.0 {
            raw.push(Raw {
                key: Source::Rule(index),
                axis: rule.axis,
                group: rule.group,
                points,
            });
        }
    }
    for fill in state.slots.iter().filter(|f| f.at <= now) {
        let Some((index, slot)) = model
            .slots
            .iter()
            .enumerate()
            .find(|(_, s)| s.id == fill.slot)
        else {
            continue;
        };
        let option = slot.option_for(&fill.value);
        if let Some(option) = option.filter(|o| o.points != 0.0) {
            raw.push(Raw {
                key: Source::Slot(index),
                axis: slot.axis,
                group: None,
                points: option.points,
            });
        }
    }
    for (index, group) in model.groups.iter().enumerate() {
        cap_positive(&mut raw, group.cap, |r| r.group == Some(index));
    }
    if let Some(cap) = model.fit_cap {
        cap_positive(&mut raw, cap, |r| r.axis == Axis::Fit);
    }
    if let Some(cap) = model.engagement_cap {
        cap_positive(&mut raw, cap, |r| r.axis == Axis::Engagement);
    }
    // NOTE: whatever the model, each axis stays within ±AXIS_LIMIT, so a score is within the
    // summary contract's ±100000 and no sum of points can overflow when it is rounded.
    for axis in [Axis::Fit, Axis::Engagement] {
        cap_positive(&mut raw, AXIS_LIMIT, |r| r.axis == axis);
        floor_negative(&mut raw, -AXIS_LIMIT, |r| r.axis == axis);
    }
    raw
}

/// The most (and, negated, the least) one axis adds up to, for any model.
pub const AXIS_LIMIT: f64 = 50_000.0;

/// Scales the negative contributions selected by `member` up so that they sum to `floor`.
fn floor_negative(raw: &mut [Raw], floor: f64, member: impl Fn(&Raw) -> bool) {
    let negative: f64 = raw
        .iter()
        .filter(|r| member(r) && r.points < 0.0)
        .map(|r| r.points)
        .sum();
    if negative < floor {
        let factor = floor / negative;
        for r in raw.iter_mut().filter(|r| member(r) && r.points < 0.0) {
            r.points *= factor;
        }
    }
}

fn rule_points(rule: &Rule, evidence: &Evidence, state: &VisitorState, now: Millis) -> f64 {
    rule.points * rule_weight(rule, evidence, state, now)
}

/// How much a rule fires at `now`, in units of its points: 1 while a trait, source or
/// combination rule holds; for a
/// behaviour rule its hits after frequency limits, decay and windows (what `leadpulse fit`
/// learns from). The rule contributes `points × weight`, before caps.
pub fn rule_weight(rule: &Rule, evidence: &Evidence, state: &VisitorState, now: Millis) -> f64 {
    if rule.when.holds_over_time() {
        let holds = super::holds::holds(&rule.when, state, evidence);
        return if holds { 1.0 } else { 0.0 };
    }
    if evidence.count == 0 {
        return 0.0;
    }
    let decayed = |at: Millis| decay(rule.half_life, now - at);
    match rule.window {
        None if now >= evidence.folded_at => evidence.folded * decayed(evidence.folded_at),
        // NOTE: reading before the latest hit (a replay `--at` in the past): only the
        // recent hits are on record individually, so older ones are left out.
        None => evidence
            .hits
            .iter()
            .filter(|&&h| h <= now)
            .map(|&h| decayed(h))
            .sum(),
        Some(window) => {
            let counts = |at: Millis| at <= now && now - at <= window;
            let recent: f64 = evidence
                .hits
                .iter()
                .filter(|&&h| counts(h))
                .map(|&h| decayed(h))
                .sum();
            let older = if evidence.folded > 0.0 && counts(evidence.folded_at) {
                evidence.folded * decayed(evidence.folded_at)
            } else {
                0.0
            };
            recent + older
        }
    }
}

/// Scales the positive contributions selected by `member` down so that they sum to `cap`.
fn cap_positive(raw: &mut [Raw], cap: f64, member: impl Fn(&Raw) -> bool) {
    let positive: f64 = raw
        .iter()
        .filter(|r| member(r) && r.points > 0.0)
        .map(|r| r.points)
        .sum();
    if positive > cap {
        let factor = cap / positive;
        for r in raw.iter_mut().filter(|r| member(r) && r.points > 0.0) {
            r.points *= factor;
        }
    }
}

/// THE rounding rule: the axis total is the sum of its raw contributions rounded half away
/// from zero; each contribution is floored, and the points still missing go one each to the
/// contributions with the largest remainders (earlier ones first on ties). So the rounded
/// reasons always add up exactly to the rounded total.
fn apportion<'a>(
    items: impl Iterator<Item = &'a Raw>,
    name: &dyn Fn(Source) -> String,
) -> (i64, Vec<Reason>) {
    let items: Vec<&Raw> = items.collect();
    let total: f64 = items.iter().map(|r| r.points).sum();
    let target = total.round() as i64;
    let mut floors: Vec<(usize, i64, f64)> = items
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.points.floor() as i64, r.points - r.points.floor()))
        .collect();
    let missing = target - floors.iter().map(|(_, f, _)| f).sum::<i64>();
    let mut by_remainder: Vec<(usize, f64)> = floors.iter().map(|f| (f.0, f.2)).collect();
    insertion_sort_by(&mut by_remainder, |a, b| a.1 > b.1);
    for &(i, _) in by_remainder.iter().take(missing.max(0) as usize) {
        if let Some(entry) = floors.get_mut(i) {
            entry.1 += 1;
        }
    }
    let reasons = floors
        .into_iter()
        .filter(|(_, points, _)| *points != 0)
        .filter_map(|(i, points, _)| {
            items.get(i).map(|r| Reason {
                rule: name(r.key),
                points,
            })
        })
        .collect();
    (target, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(points: &[f64]) -> Vec<Raw> {
        points
            .iter()
            .enumerate()
            .map(|(i, &p)| Raw {
                key: Source::Rule(i),
                axis: Axis::Engagement,
                group: None,
                points: p,
            })
            .collect()
    }

    #[test]
    fn apportioned_reasons_sum_to_the_rounded_total() {
        for case in [
            vec![3.4, 3.4, 3.4],
            vec![0.5, 0.5, 0.5, 0.5, 0.5],
            vec![10.0, -4.6, 2.2],
            vec![-0.4, -0.4],
            vec![7.0],
        ] {
            let items = raw(&case);
            let (total, reasons) = apportion(items.iter(), &|_| String::from("r"));
            assert_eq!(total, case.iter().sum::<f64>().round() as i64, "{case:?}");
            assert_eq!(
                reasons.iter().map(|r| r.points).sum::<i64>(),
                total,
                "{case:?}"
            );
        }
    }
}
