//! The second pass: each lead's firing weight for every candidate — how much the rule counts
//! at the lead's last event, per point — read from the evidence the engine kept while it
//! replayed the history through the feature model (sessions, frequencies, `repeat`, engaged
//! time crossing, traits: exactly as at run time), clamped to a base rule's cap in hits.
use leadpulse::core::engine::score::rule_weight;

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
                // NOTE: from the evidence, not the snapshot's reasons: reasons pass through the
                // engine's per-axis limits (±50,000), which a model with every candidate at
                // full weight can reach; `measure.rs` checks the fitted model's run-time
                // scores against what these weights predict.
                let mut w = rule_weight(rule, evidence, state, state.last_seen);
                if let Origin::Base {
                    cap_hits: Some(hits),
                    ..
                } = candidate.origin
                {
                    w = w.min(hits);
                }
                (w != 0.0).then_some((i as u32, w))
            })
            .chain(candidates.iter().enumerate().filter_map(|(i, c)| {
                let x = super::answers::column(c, state);
                (!c.is_rule() && x != 0.0).then_some((i as u32, x))
            }))
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
