//! Qualification frameworks (BANT, CHAMP, MEDDIC, FAINT …): which slots are filled, and the
//! most valuable question still open.
use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::model::{Condition, Model, Slot};

use super::state::VisitorState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Filled slots as a whole percentage of the framework's slots.
    pub coverage: u32,
    pub filled: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextQuestion {
    pub slot: String,
    pub question: String,
    /// The first value of each answer option, for buttons in a chat widget.
    pub options: Vec<String>,
}

/// A slot is filled by an answer, a behaviour signal recorded on the way, or a trait that
/// passes one of its `filledBy` tests now.
pub fn is_filled(slot: &Slot, state: &VisitorState) -> bool {
    state.slot_fill(&slot.id).is_some()
        || slot.filled_by.iter().any(|c| match c {
            Condition::Trait { name, test } => {
                state.trait_value(name).is_some_and(|v| test.check(v))
            }
            _ => false,
        })
}

pub fn coverage(model: &Model, state: &VisitorState) -> BTreeMap<String, Coverage> {
    model
        .frameworks
        .iter()
        .map(|framework| {
            let (mut filled, mut missing) = (Vec::new(), Vec::new());
            for slot in framework.slots.iter().filter_map(|&i| model.slots.get(i)) {
                if is_filled(slot, state) {
                    &mut filled
                } else {
                    &mut missing
                }
                .push(slot.id.clone());
            }
            let total = filled.len() + missing.len();
            let coverage = (filled.len() * 100 + total / 2)
                .checked_div(total)
                .unwrap_or(0) as u32;
            (
                framework.id.clone(),
                Coverage {
                    coverage,
                    filled,
                    missing,
                },
            )
        })
        .collect()
}

/// Coverage of one framework by index, in percent.
pub fn coverage_of(model: &Model, state: &VisitorState, framework: usize) -> f64 {
    let Some(framework) = model.frameworks.get(framework) else {
        return 0.0;
    };
    let slots: Vec<&Slot> = framework
        .slots
        .iter()
        .filter_map(|&i| model.slots.get(i))
        .collect();
    if slots.is_empty() {
        return 0.0;
    }
    let filled = slots.iter().filter(|s| is_filled(s, state)).count();
    filled as f64 * 100.0 / slots.len() as f64
}

/// The open slot with the highest weight (model order breaks ties).
pub fn next_question(model: &Model, state: &VisitorState) -> Option<NextQuestion> {
    let mut best: Option<&Slot> = None;
    for slot in model.slots.iter().filter(|s| !is_filled(s, state)) {
        if best.is_none_or(|b| slot.weight > b.weight) {
            best = Some(slot);
        }
    }
    best.map(|slot| NextQuestion {
        slot: slot.id.clone(),
        question: slot.question.clone(),
        options: slot
            .options
            .iter()
            .filter_map(|o| o.values.first().cloned())
            .collect(),
    })
}
