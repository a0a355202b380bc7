//! Pair combinations of strong single signals (docs/learning.md, "Combinations"): after the
//! single rules are fitted, the strongest proposed ones are paired, and pairs are added one at
//! a time while one has the support and the model so far misses it — a score test,
//! Σ(converted − p) / √Σp(1 − p) over the leads both fire for, the change in fit that adding
//! the pair would make, in standard errors — each added pair refitted with the rest.
//!
//! NOTE: a pair fires (weight 1) exactly when both its rules fire: proposed rules fire once
//! or hold, undecayed, and `{"all": [a, b]}` holds once both parts have (engine/holds.rs), so
//! the pair's column is computed from the two rules' columns, without another replay; the
//! final replay checks that the model scores every training lead as these columns say.
use serde_json::{json, Map, Value};

use super::candidates::{Candidate, Origin};
use super::logistic::{Fitted, Row};

/// Single rules paired (the strongest), pairs kept at most, and the score test's bar.
const STRONG: usize = 24;
const MAX_PAIRS: usize = 16;
const MIN_Z: f64 = 3.0;

/// A proposed rule whose condition can be a part of a combination (no `repeat`, engaged
/// time per visitor on every page), and which fires at most once.
pub fn pairable(c: &Candidate) -> bool {
    if matches!(
        c.origin,
        Origin::Base { .. } | Origin::Pair | Origin::Answer { .. }
    ) {
        return false;
    }
    let Some(when) = c.rule.get("when") else {
        return false;
    };
    let engaged_per_visitor = when.get("engagedSeconds").is_none()
        || (when.get("per").and_then(Value::as_str) == Some("visitor")
            && when.get("page").is_none());
    when.get("repeat").is_none() && when.get("all").is_none() && engaged_per_visitor
}

/// Adds pairs, one at a time: each round the pair with the largest |z| under the current fit
/// (singles and the pairs added so far) is added and everything refitted, so that a pair that
/// only restates one already added is not added again. Returns how many were added; `train`
/// gets their columns and `fitted` is the fit with them.
pub fn add(
    candidates: &mut Vec<Candidate>,
    train: &mut [Row],
    fitted: &mut Fitted,
    l2: f64,
    min_support: usize,
    room: usize,
) -> usize {
    let n = train.len();
    let mut support = vec![0usize; candidates.len()];
    for row in train.iter() {
        for &(j, x) in &row.features {
            if let Some(s) = support.get_mut(j as usize).filter(|_| x > 0.0) {
                *s += 1;
            }
        }
    }
    let supported = |count: usize| count >= min_support && n.saturating_sub(count) >= min_support;
    let mut strong: Vec<(usize, f64)> = candidates
        .iter()
        .enumerate()
        .filter(|(j, c)| pairable(c) && support.get(*j).is_some_and(|&s| supported(s)))
        .map(|(j, _)| {
            let s = support.get(j).copied().unwrap_or(0);
            let w = fitted.weights.get(j).copied().unwrap_or(0.0);
            (j, w.abs() * (s.min(n - s) as f64).sqrt())
        })
        .filter(|(_, strength)| *strength > 0.0)
        .collect();
    strong.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    strong.truncate(STRONG);
    let index: Vec<usize> = strong.iter().map(|s| s.0).collect();
    // Which strong rules each lead fires (positions in `index`), once.
    let present: Vec<Vec<usize>> = train
        .iter()
        .map(|row| {
            index
                .iter()
                .enumerate()
                .filter(|(_, &j)| {
                    row.features
                        .iter()
                        .any(|&(f, x)| f as usize == j && x > 0.0)
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    while chosen.len() < MAX_PAIRS.min(room) {
        let Some((a, b)) = best(
            train, &present, &index, &support, fitted, &chosen, &supported,
        ) else {
            break;
        };
        chosen.push((a, b));
        let (Some(&ja), Some(&jb)) = (index.get(a), index.get(b)) else {
            break;
        };
        let (Some(ca), Some(cb)) = (candidates.get(ja), candidates.get(jb)) else {
            break;
        };
        let column = candidates.len() as u32;
        candidates.push(pair(ca, cb));
        for (row, fired) in train.iter_mut().zip(&present) {
            if fired.contains(&a) && fired.contains(&b) {
                row.features.push((column, 1.0));
            }
        }
        *fitted = super::logistic::fit(train, candidates.len(), l2);
    }
    chosen.len()
}

/// The pair (positions in `index`, a < b) with the largest |z| ≥ [`MIN_Z`] under `fitted`.
fn best(
    train: &[Row],
    present: &[Vec<usize>],
    index: &[usize],
    support: &[usize],
    fitted: &Fitted,
    chosen: &[(usize, usize)],
    supported: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let k = index.len();
    // Per pair: leads, Σ(y − p), Σ p(1 − p).
    let mut stats = vec![(0usize, 0.0f64, 0.0f64); k * k];
    for (row, fired) in train.iter().zip(present) {
        let eta = fitted.intercept
            + row
                .features
                .iter()
                .map(|&(j, x)| fitted.weights.get(j as usize).copied().unwrap_or(0.0) * x)
                .sum::<f64>();
        let p = 1.0 / (1.0 + (-eta).exp());
        let residual = f64::from(u8::from(row.label)) - p;
        for (x, &a) in fired.iter().enumerate() {
            for &b in fired.iter().skip(x + 1) {
                if let Some(s) = stats.get_mut(a * k + b) {
                    s.0 += 1;
                    s.1 += residual;
                    s.2 += p * (1.0 - p);
                }
            }
        }
    }
    let mut found: Option<(f64, usize, usize)> = None;
    for a in 0..k {
        for b in a + 1..k {
            let (Some(&(count, u, v)), Some(&ja), Some(&jb)) =
                (stats.get(a * k + b), index.get(a), index.get(b))
            else {
                continue;
            };
            let same_as_one = Some(&count) == support.get(ja) || Some(&count) == support.get(jb);
            if !supported(count) || same_as_one || v <= 0.0 || chosen.contains(&(a, b)) {
                continue;
            }
            let z = (u / v.sqrt()).abs();
            if z >= MIN_Z && found.is_none_or(|(best, _, _)| z > best) {
                found = Some((z, a, b));
            }
        }
    }
    found.map(|(_, a, b)| (a, b))
}

/// The combination of two rules: a trait part first (then the rule is on the fit axis, as the
/// engine decides by default).
fn pair(a: &Candidate, b: &Candidate) -> Candidate {
    let (first, second) = if b.axis == super::candidates::Axis::Fit && a.axis != b.axis {
        (b, a)
    } else {
        (a, b)
    };
    let part = |c: &Candidate| c.rule.get("when").cloned().unwrap_or(Value::Null);
    let mut rule = Map::new();
    rule.insert("when".into(), json!({"all": [part(first), part(second)]}));
    let short = |id: &str| id.chars().take(29).collect::<String>();
    Candidate {
        id: format!("{}_x_{}", short(&first.id), short(&second.id)),
        description: format!("{} and {}", first.description, second.description),
        rule,
        axis: first.axis,
        origin: Origin::Pair,
    }
}
