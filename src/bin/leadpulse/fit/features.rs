//! The second pass: each lead's firing weight for every candidate — how much the rule counts
//! at the lead's last event, per point — read from the evidence the engine kept while it
//! replayed the history through the feature model (sessions, frequencies, `repeat`, engaged
//! time crossing, traits: exactly as at run time), clamped to a base rule's cap in hits.
use leadpulse::core::engine::score::decay;
use leadpulse::core::engine::state::{Evidence, VisitorState};
use leadpulse::core::model::{Condition, Rule};
use leadpulse::core::time::Millis;

use super::candidates::{Candidate, Origin};
use super::logistic::Row;
use crate::learn::history::History;
use crate::learn::outcomes::Outcomes;

/// A lead with an outcome, ready to learn from.
pub struct Example {
    pub key: String,
    pub row: Row,
    pub held_out: bool,
}

/// A rule's weight at `now`: 1 while a trait rule holds; else its counted hits, each decayed
/// by the rule's half-life and outside its window counting nothing.
///
/// NOTE: the engine's own `score::rule_points` divided by the rule's points. Read here from
/// the evidence rather than from a snapshot's reasons, because reasons pass through the
/// engine's per-axis limits (±50,000), which a model with every candidate at full weight can
/// reach; `fit` checks that the fitted model's scores at run time match what these weights
/// predict (`measure.rs`).
pub fn weight(rule: &Rule, evidence: &Evidence, state: &VisitorState, now: Millis) -> f64 {
    if let Condition::Trait { name, test } = &rule.when {
        let holds = state.trait_value(name).is_some_and(|v| test.check(v));
        return if holds { 1.0 } else { 0.0 };
    }
    if evidence.count == 0 {
        return 0.0;
    }
    let decayed = |at: Millis| decay(rule.half_life, now - at);
    match rule.window {
        None if now >= evidence.folded_at => evidence.folded * decayed(evidence.folded_at),
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

/// Leads whose outcome is known, in order of first appearance; `held_out(key)` splits them.
pub fn extract(
    history: &History,
    candidates: &[Candidate],
    outcomes: &Outcomes,
    held_out: &dyn Fn(&str) -> bool,
) -> Vec<Example> {
    let mut examples = Vec::new();
    for (visitor, sessions) in history.visitors() {
        let Some(session) = sessions.first() else {
            continue;
        };
        let state = session.state();
        let Some((key, outcome)) = outcomes.of(visitor, state.user_id.as_deref()) else {
            continue;
        };
        let rules = session.model().rules.iter().zip(&state.evidence);
        let features: Vec<(u32, f64)> = rules
            .zip(candidates)
            .enumerate()
            .filter_map(|(i, ((rule, evidence), candidate))| {
                let mut w = weight(rule, evidence, state, state.last_seen);
                if let Origin::Base {
                    cap_hits: Some(hits),
                    ..
                } = candidate.origin
                {
                    w = w.min(hits);
                }
                (w != 0.0).then_some((i as u32, w))
            })
            .collect();
        examples.push(Example {
            key: key.to_string(),
            row: Row {
                features,
                label: outcome.converted,
            },
            held_out: held_out(key),
        });
    }
    examples
}
