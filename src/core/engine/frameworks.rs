//! Qualification frameworks (BANT, CHAMP, MEDDIC, FAINT …): which slots are filled, which
//! answers or traits rule the visitor out, and the most valuable question still open.
use std::cell::RefCell;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::core::event::Scalar;
use crate::core::model::{Condition, Model, Slot};
use crate::core::sorted_map::SortedMap;

use super::state::VisitorState;

/// Read back strictly too: a received summary carries it (`summary::received`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Slots filled by a qualifying answer or signal, as a whole percentage of the
    /// framework's slots.
    pub coverage: u32,
    pub filled: Vec<String>,
    /// Slots not answered yet (a disqualifying answer is in `disqualifiers` instead).
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextQuestion {
    pub slot: String,
    pub question: String,
    /// The first value of each answer option, for buttons in a chat widget.
    pub options: Vec<String>,
}

/// What rules the visitor out: a disqualifying answer (`slot`, `value`) or a disqualifying
/// trait rule that holds (`rule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disqualifier {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Scalar>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// How a slot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    Empty,
    /// Answered, or filled by a signal, with a qualifying value.
    Qualifying,
    /// Answered with a value the model marks as disqualifying.
    Disqualifying,
}

/// Everything that depends only on which slots are filled and which disqualifying rules
/// hold: coverage per framework, the next question, the disqualifiers. Shared, so that a
/// session hands the same ones to every snapshot until a slot or a trait changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// [`Progress::key`] of what these were computed from.
    pub key: Vec<u8>,
    pub coverage: Arc<SortedMap<String, Coverage>>,
    pub next_question: Option<Arc<NextQuestion>>,
    pub disqualifiers: Arc<Vec<Disqualifier>>,
}

impl Progress {
    pub fn of(model: &Model, state: &VisitorState) -> Progress {
        let fills = filled_slots(model, state);
        Progress {
            coverage: Arc::new(coverage(model, &fills)),
            next_question: next_question(model, &fills).map(Arc::new),
            disqualifiers: Arc::new(disqualifiers(model, state, &fills)),
            key: Progress::key(model, state),
        }
    }

    /// What progress depends on: each slot's fill, then each disqualifying rule's state.
    fn key(model: &Model, state: &VisitorState) -> Vec<u8> {
        let fills = filled_slots(model, state).into_iter().map(|f| f as u8);
        let rules = model
            .rules
            .iter()
            .filter(|r| r.disqualifies)
            .map(|r| u8::from(trait_rule_holds(&r.when, state)));
        fills.chain(rules).collect()
    }
}

/// A session's last [`Progress`].
#[derive(Debug, Clone, Default)]
pub struct ProgressCache(RefCell<Option<Progress>>);

impl ProgressCache {
    /// The progress of `state`: the cached one while nothing it depends on changed.
    pub fn get(&self, model: &Model, state: &VisitorState) -> Progress {
        let key = Progress::key(model, state);
        if let Ok(cached) = self.0.try_borrow() {
            if let Some(progress) = cached.as_ref().filter(|p| p.key == key) {
                return progress.clone();
            }
        }
        let fresh = Progress::of(model, state);
        if let Ok(mut cached) = self.0.try_borrow_mut() {
            *cached = Some(fresh.clone());
        }
        fresh
    }
}

fn trait_rule_holds(condition: &Condition, state: &VisitorState) -> bool {
    match condition {
        Condition::Trait { name, test } => state.trait_value(name).is_some_and(|v| test.check(v)),
        _ => false,
    }
}

/// How a slot stands: an answer (qualifying or not), a behaviour signal recorded on the way,
/// or a trait that passes one of its `filledBy` tests now.
pub fn fill_of(slot: &Slot, state: &VisitorState) -> Fill {
    if let Some(fill) = state.slot_fill(&slot.id) {
        let disqualifying = slot
            .option_for(&fill.value)
            .is_some_and(|option| option.disqualifies);
        return if disqualifying {
            Fill::Disqualifying
        } else {
            Fill::Qualifying
        };
    }
    if slot.filled_by.iter().any(|c| trait_rule_holds(c, state)) {
        Fill::Qualifying
    } else {
        Fill::Empty
    }
}

/// Each of the model's slots, in model order: computed once per read.
pub fn filled_slots(model: &Model, state: &VisitorState) -> Vec<Fill> {
    model
        .slots
        .iter()
        .map(|slot| fill_of(slot, state))
        .collect()
}

fn fill_at(fills: &[Fill], index: usize) -> Fill {
    fills.get(index).copied().unwrap_or(Fill::Empty)
}

pub fn coverage(model: &Model, fills: &[Fill]) -> SortedMap<String, Coverage> {
    model
        .frameworks
        .iter()
        .map(|framework| {
            let (mut done, mut missing) = (Vec::new(), Vec::new());
            for &index in &framework.slots {
                let Some(slot) = model.slots.get(index) else {
                    continue;
                };
                match fill_at(fills, index) {
                    Fill::Qualifying => done.push(slot.id.clone()),
                    Fill::Empty => missing.push(slot.id.clone()),
                    Fill::Disqualifying => {}
                }
            }
            let coverage = percent(done.len(), framework.slots.len());
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

/// `done` of `total` slots as a whole percentage, rounded half up (0 for no slots): the one
/// rounding of coverage, for summaries built here and summaries a collector re-checks.
pub fn percent(done: usize, total: usize) -> u32 {
    let rounded = (done.saturating_mul(100).saturating_add(total / 2))
        .checked_div(total)
        .unwrap_or(0);
    u32::try_from(rounded).unwrap_or(u32::MAX)
}

/// Coverage of one framework by index, in percent (qualifying slots only).
pub fn coverage_of(model: &Model, fills: &[Fill], framework: usize) -> f64 {
    let Some(framework) = model.frameworks.get(framework) else {
        return 0.0;
    };
    let done = framework
        .slots
        .iter()
        .filter(|&&i| fill_at(fills, i) == Fill::Qualifying)
        .count();
    (done * 100) as f64 / framework.slots.len().max(1) as f64
}

/// Disqualifying answers, then disqualifying trait rules that hold, in model order.
pub fn disqualifiers(model: &Model, state: &VisitorState, fills: &[Fill]) -> Vec<Disqualifier> {
    let answers = model
        .slots
        .iter()
        .enumerate()
        .filter(|&(index, _)| fill_at(fills, index) == Fill::Disqualifying)
        .map(|(_, slot)| Disqualifier {
            slot: Some(slot.id.clone()),
            value: state.slot_fill(&slot.id).map(|f| f.value.clone()),
            rule: None,
        });
    let rules = model
        .rules
        .iter()
        .filter(|r| r.disqualifies && trait_rule_holds(&r.when, state))
        .map(|r| Disqualifier {
            slot: None,
            value: None,
            rule: Some(r.id.clone()),
        });
    answers.chain(rules).collect()
}

/// Whether anything rules the visitor out (cheaper than listing it).
pub fn is_disqualified(model: &Model, state: &VisitorState) -> bool {
    model
        .slots
        .iter()
        .any(|slot| fill_of(slot, state) == Fill::Disqualifying)
        || model
            .rules
            .iter()
            .any(|r| r.disqualifies && trait_rule_holds(&r.when, state))
}

/// The unanswered slot with the highest weight (model order breaks ties).
pub fn next_question(model: &Model, fills: &[Fill]) -> Option<NextQuestion> {
    let mut best: Option<&Slot> = None;
    for (index, slot) in model.slots.iter().enumerate() {
        if fill_at(fills, index) == Fill::Empty && best.is_none_or(|b| slot.weight > b.weight) {
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
