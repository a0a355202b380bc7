//! Conditions that hold (or not) at read time: a trait, the visit's source, a combination.
//! A rule on one counts 1 while it holds.
use crate::core::event::Scalar;
use crate::core::model::{Condition, SourceField, Touch};

use super::state::{Evidence, VisitorState};

/// Whether `condition` holds for the visitor; `evidence` is its rule's (a combination keeps
/// there which of its event parts have happened, [`part_seen`]).
pub fn holds(condition: &Condition, state: &VisitorState, evidence: &Evidence) -> bool {
    match condition {
        Condition::All { parts } => parts
            .iter()
            .enumerate()
            .all(|(i, part)| part_holds(part, i, state, evidence)),
        other => holds_now(other, state),
    }
}

/// A trait or source condition against the state as it is.
fn holds_now(condition: &Condition, state: &VisitorState) -> bool {
    match condition {
        Condition::Trait { name, test } => state
            .trait_value(name)
            .is_some_and(|value| test.check(value)),
        Condition::Source { touch, field, test } => {
            let touch = match touch {
                Touch::First => state.first_touch.as_ref(),
                Touch::Last => state.last_touch.as_ref(),
            };
            let value = touch.and_then(|t| match field {
                SourceField::Referrer => t.referrer.as_deref(),
                SourceField::Utm(key) => t
                    .utm
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.as_str()),
            });
            value.is_some_and(|v| test.check(&Scalar::Text(v.to_string())))
        }
        _ => false,
    }
}

fn part_holds(part: &Condition, i: usize, state: &VisitorState, evidence: &Evidence) -> bool {
    match part {
        Condition::Trait { .. } | Condition::Source { .. } => holds_now(part, state),
        Condition::Session { min } => state.sessions >= *min,
        Condition::Engaged { min, .. } => state.engaged_ms as f64 >= min * 1000.0,
        _ => part_seen(evidence, i),
    }
}

/// NOTE: a combination has no hits, frequency or decay, so its evidence's `count` holds one
/// bit per part instead (bit i: part i has happened); saved state keeps it as it keeps counts.
pub fn part_seen(evidence: &Evidence, part: usize) -> bool {
    u32::try_from(part)
        .ok()
        .and_then(|p| 1u32.checked_shl(p))
        .is_some_and(|bit| evidence.count & bit != 0)
}

/// Marks part `part` of a combination as having happened.
pub fn mark_part(evidence: &mut Evidence, part: usize) {
    if let Some(bit) = u32::try_from(part).ok().and_then(|p| 1u32.checked_shl(p)) {
        evidence.count |= bit;
    }
}
