//! What a fit decides once the weights are learned: integer points (a base rule that never
//! fires keeps its own), the model document with its thresholds and grade bands, and the
//! points table of the report.
use serde_json::Value;

use super::candidates::{self, Candidate};
use super::{document, logistic, points, report, Options};

/// The most points a rule may give or take (the model reader's bound).
const MAX_POINTS: i64 = leadpulse::core::model::MAX_POINTS as i64;

/// The score a lead gets from `points` and its firing weights, rounded per axis as the
/// engine rounds.
pub fn score(row: &logistic::Row, candidates: &[Candidate], points: &[i64]) -> i64 {
    let (mut fit, mut engagement) = (0.0, 0.0);
    for &(j, x) in &row.features {
        let p = points.get(j as usize).copied().unwrap_or(0) as f64;
        match candidates.get(j as usize).map(|c| c.axis) {
            Some(candidates::Axis::Fit) => fit += p * x,
            _ => engagement += p * x,
        }
    }
    (fit.round() + engagement.round()) as i64
}

/// Points for the learned weights; a base rule no training lead fires keeps its base points
/// (there is nothing to learn them from), and a warning names them.
pub fn learned_points(
    candidates: &[Candidate],
    weights: &[f64],
    support: &[(u64, u64)],
    per_doubling: f64,
    warnings: &mut Vec<String>,
) -> Vec<i64> {
    let mut points = points::points(weights, per_doubling);
    // NOTE: the engine takes at most ±1000 points per rule; only an (almost) unregularised
    // fit of separable data comes near it.
    let clamped = points.iter().filter(|p| p.abs() > MAX_POINTS).count();
    if clamped > 0 {
        warnings.push(format!(
            "{clamped} rules learned more than ±{MAX_POINTS} points (data a rule separates alone?); kept at ±{MAX_POINTS}: raise --l2"
        ));
        for p in &mut points {
            *p = (*p).clamp(-MAX_POINTS, MAX_POINTS);
        }
    }
    let unseen: Vec<&str> = candidates
        .iter()
        .zip(points.iter_mut())
        .zip(support)
        .filter_map(|((c, p), &(leads, _))| match c.origin {
            candidates::Origin::Base { points: base, .. } if leads == 0 => {
                *p = base.round() as i64;
                Some(c.id.as_str())
            }
            candidates::Origin::Answer {
                option: Some(_), ..
            } if leads == 0 => Some(c.id.as_str()),
            _ => None,
        })
        .collect();
    if !unseen.is_empty() {
        warnings.push(format!(
            "base rules (and answer options) that never fire for a training lead keep their base points (nothing to learn from): {}",
            unseen.join(", ")
        ));
    }
    points
}

/// The fitted document and the thresholds it holds.
pub fn build(
    options: &Options,
    base: Option<&Value>,
    candidates: &[Candidate],
    points: &[i64],
    train: &[logistic::Row],
    (mql, sql, gap): (i64, i64, i64),
    warnings: &mut Vec<String>,
) -> (Value, document::Decisions) {
    let axis_scores = |axis: candidates::Axis| -> Vec<i64> {
        train
            .iter()
            .map(|r| {
                let sum: f64 = r
                    .features
                    .iter()
                    .filter(|(j, _)| candidates.get(*j as usize).is_some_and(|c| c.axis == axis))
                    .map(|&(j, x)| points.get(j as usize).copied().unwrap_or(0) as f64 * x)
                    .sum();
                sum.round() as i64
            })
            .collect()
    };
    let labels = |axis: &str, default: &[&str]| -> Vec<String> {
        base.and_then(|b| b.pointer(&format!("/grades/{axis}"))?.as_array().cloned())
            .map(|bands| {
                bands
                    .iter()
                    .filter_map(|b| Some(b.get("grade")?.as_str()?.to_string()))
                    .collect()
            })
            .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect())
    };
    let dropped = document::dropped_minimums(base);
    if !dropped.is_empty() {
        warnings.push(format!(
            "left out of the fitted model (on the old points scale): {}",
            dropped.join(", ")
        ));
    }
    let name =
        options
            .name
            .clone()
            .unwrap_or_else(|| match base.and_then(|b| b.get("name")?.as_str()) {
                Some(name) => format!("{name}-fitted"),
                None => "fitted".into(),
            });
    let description = format!(
        "Fitted by leadpulse fit from {} and {}: {} training leads, L2 {}; {} points double the odds of converting.",
        options.events.display(),
        options.outcomes.display(),
        train.len(),
        options.l2,
        options.points_per_doubling
    );
    let decided = document::Decisions {
        name,
        description,
        mql: (mql, mql - gap),
        sql: (sql, sql - gap),
        fit_grades: points::grades(
            &axis_scores(candidates::Axis::Fit),
            &labels("fit", &["A", "B", "C"]),
        ),
        engagement_grades: points::grades(
            &axis_scores(candidates::Axis::Engagement),
            &labels("engagement", &["1", "2", "3"]),
        ),
    };
    let rules = candidates
        .iter()
        .zip(points)
        .filter_map(|(c, &p)| document::rule(c, p))
        .collect();
    let mut doc = document::fitted(base, rules, &decided);
    super::answers::apply(
        &mut doc,
        candidates,
        points,
        &support(train, candidates.len()),
    );
    (doc, decided)
}

/// Per candidate: the training leads it fires for, and how many of them converted.
pub fn support(train: &[logistic::Row], candidates: usize) -> Vec<(u64, u64)> {
    let mut out = vec![(0u64, 0u64); candidates];
    for row in train {
        for &(j, _) in &row.features {
            if let Some((leads, converted)) = out.get_mut(j as usize) {
                *leads += 1;
                *converted += u64::from(row.label);
            }
        }
    }
    out
}

pub fn points_table(
    candidates: &[Candidate],
    points: &[i64],
    weights: &[f64],
    support: &[(u64, u64)],
) -> Vec<report::PointsRow> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| report::PointsRow {
            rule: c.id.clone(),
            description: c.description.clone(),
            axis: report::axis_name(c.axis),
            points: points.get(i).copied().unwrap_or(0),
            weight: weights.get(i).copied().unwrap_or(0.0),
            leads: support.get(i).map_or(0, |s| s.0),
            converted: support.get(i).map_or(0, |s| s.1),
        })
        .collect()
}
