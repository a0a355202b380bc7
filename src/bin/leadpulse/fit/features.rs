//! The second pass: each lead's firing weight for every candidate, read from the engine's
//! own reasons in the feature model (decay, windows, frequencies and `repeat` exactly as at
//! run time), clamped to the base rule's cap in hits.
use std::collections::HashMap;

use leadpulse::core::engine::score;

use super::candidates::{Candidate, Origin};
use super::document::SCALE;
use super::logistic::Row;
use crate::learn::history::History;
use crate::learn::outcomes::Outcomes;

/// A lead with an outcome, ready to learn from.
pub struct Example {
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
    let index: HashMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut examples = Vec::new();
    for (visitor, sessions) in history.visitors() {
        let Some(session) = sessions.first() else {
            continue;
        };
        let state = session.state();
        let Some((key, outcome)) = outcomes.of(visitor, state.user_id.as_deref()) else {
            continue;
        };
        let scores = score::evaluate(session.model(), state, state.last_seen);
        let mut features: Vec<(u32, f64)> = scores
            .reasons
            .iter()
            .filter_map(|reason| {
                let i = *index.get(reason.rule.as_str())?;
                let mut weight = reason.points as f64 / SCALE;
                if let Some(Origin::Base {
                    cap_hits: Some(hits),
                    ..
                }) = candidates.get(i).map(|c| &c.origin)
                {
                    weight = weight.min(*hits);
                }
                (weight != 0.0).then_some((i as u32, weight))
            })
            .collect();
        features.sort_by_key(|f| f.0);
        examples.push(Example {
            row: Row {
                features,
                label: outcome.converted,
            },
            held_out: held_out(key),
        });
    }
    examples
}
