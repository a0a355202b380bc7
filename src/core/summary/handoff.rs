//! When a summary is due, and its revision: a visitor holding a hand-off stage is handed off
//! once, and again (a new revision of the same lead) each time something sales would want to
//! hear changes: the stage or the route, a hand-raise, an answer, the shared traits, a
//! question typed in the chat, a disqualifier.
use crate::core::engine::score::Totals;
use crate::core::engine::stages;
use crate::core::engine::state::{Handoff, VisitorState};
use crate::core::model::{fnv1a64, hex16, Model, Stage};
use crate::core::time::Millis;

/// The hand-off stage the visitor currently holds, and when it was entered.
pub fn held(
    model: &Model,
    state: &VisitorState,
    totals: Totals,
    now: Millis,
) -> Option<(Stage, Millis)> {
    if state.bot.is_some() {
        return None;
    }
    // The highest hand-off stage first.
    Stage::ALL
        .into_iter()
        .rev()
        .filter(|s| model.handoff.contains(s))
        .find_map(|stage| {
            let (level, threshold) = match stage {
                Stage::Sql => (state.sql, &model.sql),
                Stage::Mql => (state.mql, &model.mql),
                Stage::Visitor | Stage::Lead => return None,
            };
            let holds = level.active && stages::holds(model, threshold, state, &totals, now);
            Some((stage, level.entered_at.filter(|_| holds)?))
        })
}

/// A hash of what the summary of the held stage says that sales would want to hear again.
fn fingerprint(model: &Model, state: &VisitorState, stage: Stage, entered_at: Millis) -> u64 {
    let level = if stage == Stage::Sql {
        state.sql
    } else {
        state.mql
    };
    let mut text = format!("{}\n{entered_at}\n{}", stage.name(), level.route);
    let raised = [&model.mql, &model.sql]
        .into_iter()
        .flat_map(|t| t.routes.iter().flat_map(|r| r.rules.iter()));
    for &rule in raised {
        let count = state.evidence.get(rule).map_or(0, |e| e.count);
        text.push_str(&format!("\nr{rule}={count}"));
    }
    // Only what the summary shows sales: a slot filled in passing (a pricing view filling
    // "interest") is no reason to ping a rep again.
    let shown = |slot: &str| model.slots.iter().any(|s| s.id == slot && s.shareable);
    for fill in state.slots.iter().filter(|f| shown(&f.slot)) {
        text.push_str(&format!("\ns{}={}", fill.slot, fill.value.text()));
    }
    for name in &model.summary_traits {
        if let Some(value) = state.trait_value(name) {
            text.push_str(&format!("\nt{name}={}", value.text()));
        }
    }
    for question in &state.questions {
        text.push_str("\nq");
        text.push_str(question);
    }
    fnv1a64(text.as_bytes())
}

/// Whether a summary is due at `now`: a hand-off stage is held and what it would say differs
/// from the last summary handed off.
pub fn is_due(model: &Model, state: &VisitorState, totals: Totals, now: Millis) -> bool {
    mark(model, state, totals, now).is_some()
}

/// The record of handing off the summary that is due, if one is.
pub fn mark(model: &Model, state: &VisitorState, totals: Totals, now: Millis) -> Option<Handoff> {
    let (stage, entered_at) = held(model, state, totals, now)?;
    let fingerprint = fingerprint(model, state, stage, entered_at);
    let last = state.handoff;
    if last.is_some_and(|h| h.fingerprint == fingerprint) {
        return None;
    }
    Some(Handoff {
        revision: last.map_or(1, |h| h.revision.saturating_add(1)),
        fingerprint,
        at: now,
    })
}

/// The revision the summary at `now` carries: the one due, else the last handed off.
pub fn revision(model: &Model, state: &VisitorState, totals: Totals, now: Millis) -> u32 {
    match mark(model, state, totals, now) {
        Some(due) => due.revision,
        None => state.handoff.map_or(1, |h| h.revision),
    }
}

/// The idempotency key of one revision of a visitor's lead: the same revision always has the
/// same id, so a summary sent twice is stored once.
pub fn summary_id(visitor: &str, model_hash: &str, revision: u32) -> String {
    let key = format!("{visitor}\n{model_hash}\n{revision}");
    ["lp_", &hex16(fnv1a64(key.as_bytes()))].concat()
}
