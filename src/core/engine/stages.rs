//! Lifecycle stages: forward-only `stage`, and MQL/SQL qualification with hysteresis
//! (enter above `enter`, leave below `exit`) and a cooldown before re-entry.
use crate::core::model::{Model, Stage, Threshold};
use crate::core::time::Millis;

use super::frameworks::{coverage_of, filled_slots};
use super::score::Totals;
use super::state::{Level, VisitorState};

/// Settles stage state at time `t` given the scores at `t`. Called before and after each
/// event, so that an exit caused by decay between two events is recorded before the next
/// event can count as a fresh entry.
pub fn settle(model: &Model, state: &mut VisitorState, totals: &Totals, t: Millis) {
    if state.user_id.is_some()
        || model
            .lead_traits
            .iter()
            .any(|name| state.trait_value(name).is_some())
    {
        state.reach(Stage::Lead, t);
    }
    let bot = state.bot.is_some();
    let mql = step(model, &model.mql, state.mql, state, totals, t, bot);
    let sql = step(model, &model.sql, state.sql, state, totals, t, bot);
    state.mql = mql;
    state.sql = sql;
    if mql.active {
        state.reach(Stage::Mql, t);
    }
    if sql.active {
        state.reach(Stage::Mql, t);
        state.reach(Stage::Sql, t);
    }
}

fn step(
    model: &Model,
    threshold: &Threshold,
    level: Level,
    state: &VisitorState,
    totals: &Totals,
    t: Millis,
    bot: bool,
) -> Level {
    let mut level = level;
    if level.active {
        if bot || !holds(threshold, totals) {
            level.active = false;
            level.exited_at = Some(t);
        }
    } else if !bot && enters(model, threshold, state, totals) && cooled_down(threshold, level, t) {
        level.active = true;
        level.entered_at = Some(t);
    }
    level
}

/// Whether an active level still holds (read-only: snapshots use it for lazy exits).
pub fn holds(threshold: &Threshold, totals: &Totals) -> bool {
    totals.total() as f64 >= threshold.exit
}

fn enters(model: &Model, threshold: &Threshold, state: &VisitorState, totals: &Totals) -> bool {
    totals.total() as f64 >= threshold.enter
        && (!threshold.known || state.stage >= Stage::Lead)
        && threshold.min_fit.is_none_or(|min| totals.fit as f64 >= min)
        && threshold
            .min_engagement
            .is_none_or(|min| totals.engagement as f64 >= min)
        && threshold.min_coverage.is_none_or(|(framework, pct)| {
            coverage_of(model, &filled_slots(model, state), framework) >= pct
        })
}

fn cooled_down(threshold: &Threshold, level: Level, t: Millis) -> bool {
    level
        .exited_at
        .is_none_or(|exited| t >= exited.saturating_add(threshold.cooldown))
}
