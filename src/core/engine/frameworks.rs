//! Qualification frameworks (BANT, CHAMP, MEDDIC, FAINT …): which slots are filled, and the
//! most valuable question still open.
use std::cell::RefCell;
use std::sync::Arc;

use serde::Serialize;

use crate::core::model::{Condition, Model, Slot};
use crate::core::sorted_map::SortedMap;

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

/// Coverage per framework and the next question, for one set of filled slots. Shared, so
/// that a session hands the same ones to every snapshot until a slot fills: most events
/// fill none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// [`filled_slots`], which these were computed from.
    pub filled: Vec<bool>,
    pub coverage: Arc<SortedMap<String, Coverage>>,
    pub next_question: Option<Arc<NextQuestion>>,
}

impl Progress {
    pub fn new(model: &Model, filled: Vec<bool>) -> Progress {
        Progress {
            coverage: Arc::new(coverage(model, &filled)),
            next_question: next_question(model, &filled).map(Arc::new),
            filled,
        }
    }
}

/// A session's last [`Progress`].
#[derive(Debug, Clone, Default)]
pub struct ProgressCache(RefCell<Option<Progress>>);

impl ProgressCache {
    /// The progress of `state`: the cached one while the same slots are filled.
    pub fn get(&self, model: &Model, state: &VisitorState) -> Progress {
        let filled = filled_slots(model, state);
        if let Ok(cached) = self.0.try_borrow() {
            if let Some(progress) = cached.as_ref().filter(|p| p.filled == filled) {
                return progress.clone();
            }
        }
        let fresh = Progress::new(model, filled);
        if let Ok(mut cached) = self.0.try_borrow_mut() {
            *cached = Some(fresh.clone());
        }
        fresh
    }
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

/// Which of the model's slots are filled, in model order: computed once per read.
pub fn filled_slots(model: &Model, state: &VisitorState) -> Vec<bool> {
    model
        .slots
        .iter()
        .map(|slot| is_filled(slot, state))
        .collect()
}

fn slot_filled(filled: &[bool], index: usize) -> bool {
    filled.get(index).copied().unwrap_or(false)
}

pub fn coverage(model: &Model, filled: &[bool]) -> SortedMap<String, Coverage> {
    model
        .frameworks
        .iter()
        .map(|framework| {
            let (mut done, mut missing) = (Vec::new(), Vec::new());
            for &index in &framework.slots {
                let Some(slot) = model.slots.get(index) else {
                    continue;
                };
                if slot_filled(filled, index) {
                    &mut done
                } else {
                    &mut missing
                }
                .push(slot.id.clone());
            }
            let total = done.len() + missing.len();
            let coverage = (done.len() * 100 + total / 2)
                .checked_div(total)
                .unwrap_or(0) as u32;
            (
                framework.id.clone(),
                Coverage {
                    coverage,
                    filled: done,
                    missing,
                },
            )
        })
        .collect()
}

/// Coverage of one framework by index, in percent.
pub fn coverage_of(model: &Model, filled: &[bool], framework: usize) -> f64 {
    let Some(framework) = model.frameworks.get(framework) else {
        return 0.0;
    };
    let done = framework
        .slots
        .iter()
        .filter(|&&i| slot_filled(filled, i))
        .count();
    (done * 100) as f64 / framework.slots.len().max(1) as f64
}

/// The open slot with the highest weight (model order breaks ties).
pub fn next_question(model: &Model, filled: &[bool]) -> Option<NextQuestion> {
    let mut best: Option<&Slot> = None;
    for (index, slot) in model.slots.iter().enumerate() {
        if !slot_filled(filled, index) && best.is_none_or(|b| slot.weight > b.weight) {
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
