//! Lifecycle stages: forward-only `stage`, and MQL/SQL qualification: entered by the scored
//! route (above `enter`, held down to `exit`: hysteresis) or by another route (a hand-raise),
//! each with its requirements; a cooldown after leaving before entering again.
use crate::core::model::{Model, Requirements, Route, Stage, Threshold};
use crate::core::time::Millis;

use super::frameworks::{coverage_of, filled_slots, is_disqualified};
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
    let mql = step(model, &model.mql, state.mql, state, totals, t);
    let sql = step(model, &model.sql, state.sql, state, totals, t);
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
) -> Level {
    let mut level = level;
    let bot = state.bot.is_some();
    if level.active {
        if bot || !holds(model, threshold, state, totals, t) {
            level.active = false;
            level.exited_at = Some(t);
        }
    } else if !bot && cooled_down(threshold, level, t) {
        if let Some(route) = entering_route(model, threshold, state, totals, t) {
            level.active = true;
            level.entered_at = Some(t);
            level.route = route;
        }
    }
    level
}

/// Whether an active level still holds: its score is not below `exit` (and no disqualifier
/// appeared, if the stage requires none), or one of the other routes is open.
/// Read-only: snapshots use it for exits caused by decay since the last event.
pub fn holds(
    model: &Model,
    threshold: &Threshold,
    state: &VisitorState,
    totals: &Totals,
    t: Millis,
) -> bool {
    let scored = totals.total() as f64 >= threshold.exit
        && !(threshold.needs.no_disqualifier && is_disqualified(model, state));
    scored
        || threshold
            .routes
            .iter()
            .any(|route| route_open(model, route, state, totals, t))
}

/// The route by which the visitor enters now, if any: 0 for the scored route, `i + 1` for
/// `routes[i]`.
fn entering_route(
    model: &Model,
    threshold: &Threshold,
    state: &VisitorState,
    totals: &Totals,
    t: Millis,
) -> Option<u8> {
    if totals.total() as f64 >= threshold.enter && meets(model, &threshold.needs, state, totals) {
        return Some(0);
    }
    threshold
        .routes
        .iter()
        .position(|route| route_open(model, route, state, totals, t))
        .map(|i| (i + 1) as u8)
}

/// A route is open while one of its rules has counted within its window, its score (if
/// any) is reached and its requirements are met.
fn route_open(
    model: &Model,
    route: &Route,
    state: &VisitorState,
    totals: &Totals,
    t: Millis,
) -> bool {
    let raised = route.rules.is_empty()
        || route.rules.iter().any(|&i| {
            state.evidence.get(i).is_some_and(|e| {
                e.count > 0
                    && route.within.is_none_or(|within| {
                        e.hits
                            .last()
                            .is_some_and(|&hit| hit <= t && t.saturating_sub(hit) <= within)
                    })
            })
        });
    raised
        && route
            .enter
            .is_none_or(|enter| totals.total() as f64 >= enter)
        && meets(model, &route.needs, state, totals)
}

fn meets(model: &Model, needs: &Requirements, state: &VisitorState, totals: &Totals) -> bool {
    (!needs.known || state.stage >= Stage::Lead)
        && needs.min_fit.is_none_or(|min| totals.fit as f64 >= min)
        && needs
            .min_engagement
            .is_none_or(|min| totals.engagement as f64 >= min)
        && needs.min_coverage.is_none_or(|(framework, pct)| {
            coverage_of(model, &filled_slots(model, state), framework) >= pct
        })
        && !(needs.no_disqualifier && is_disqualified(model, state))
}

fn cooled_down(threshold: &Threshold, level: Level, t: Millis) -> bool {
    level
        .exited_at
        .is_none_or(|exited| t >= exited.saturating_add(threshold.cooldown))
}
