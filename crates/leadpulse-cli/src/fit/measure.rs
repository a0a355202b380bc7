//! The replays after the regression: each training lead's peak score under the learned
//! points (stages are forward-only, so thresholds are picked on peaks), and the fitted model
//! measured on the training and held-out leads.
use std::collections::HashMap;
use std::sync::Arc;

use leadpulse::core::engine::score;
use leadpulse::core::model::Model;

use crate::learn::evaluation::Outcome;
use crate::learn::history::{self, History};
use crate::learn::outcomes::Outcomes;

/// (peak score, converted) of each training lead: the highest score after any of its events.
pub fn peaks(
    events: &history::Input,
    model: Arc<Model>,
    lines: u64,
    outcomes: &Outcomes,
    split: &dyn Fn(&str) -> bool,
) -> Result<Vec<(i64, bool)>, String> {
    let mut peaks: Vec<i64> = Vec::new();
    let pass = history::replay(
        events,
        &[model],
        "peaks",
        Some(lines),
        &mut |slot, _, sessions| {
            if let Some(session) = sessions.first() {
                let state = session.state();
                let now = score::totals(session.model(), state, state.last_seen).total();
                if peaks.len() <= slot {
                    peaks.resize(slot + 1, i64::MIN);
                }
                if let Some(peak) = peaks.get_mut(slot) {
                    *peak = (*peak).max(now);
                }
            }
        },
    )?;
    Ok(labelled(&pass, outcomes, split)
        .filter(|(_, _, held)| !held)
        .filter_map(|(slot, converted, _)| Some((*peaks.get(slot)?, converted)))
        .collect())
}

/// The fitted model replayed: each lead with an outcome as it left it, (train, held out);
/// and how many training leads score otherwise than their firing weights times the points
/// predict (`predicted`, by lead).
pub fn measure(
    events: &history::Input,
    model: Arc<Model>,
    lines: u64,
    outcomes: &Outcomes,
    split: &dyn Fn(&str) -> bool,
    predicted: &HashMap<&str, i64>,
) -> Result<(Vec<Outcome>, Vec<Outcome>, usize), String> {
    let pass = history::replay(events, &[model], "measure", Some(lines), &mut |_, _, _| {})?;
    Ok(outcomes_of(&pass, outcomes, split, predicted))
}

/// The leads with an outcome: (position, converted, held out).
fn labelled<'a>(
    pass: &'a History,
    outcomes: &'a Outcomes,
    split: &'a dyn Fn(&str) -> bool,
) -> impl Iterator<Item = (usize, bool, bool)> + 'a {
    pass.visitors()
        .enumerate()
        .filter_map(|(slot, (visitor, sessions))| {
            let user = sessions.first()?.state().user_id.as_deref();
            let (key, outcome) = outcomes.of(visitor, user)?;
            Some((slot, outcome.converted, split(key)))
        })
}

/// Each lead with an outcome as the fitted model left it: (train, held out, mismatches).
fn outcomes_of(
    pass: &History,
    outcomes: &Outcomes,
    split: &dyn Fn(&str) -> bool,
    predicted: &HashMap<&str, i64>,
) -> (Vec<Outcome>, Vec<Outcome>, usize) {
    let (mut train, mut held, mut mismatches) = (Vec::new(), Vec::new(), 0);
    for (visitor, sessions) in pass.visitors() {
        let Some(session) = sessions.first() else {
            continue;
        };
        let Some((key, outcome)) = outcomes.of(visitor, session.state().user_id.as_deref()) else {
            continue;
        };
        let lead = Outcome::of(session, outcome.converted);
        if split(key) {
            held.push(lead);
        } else {
            mismatches += usize::from(predicted.get(key).is_some_and(|&p| p != lead.score));
            train.push(lead);
        }
    }
    (train, held, mismatches)
}
