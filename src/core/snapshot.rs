//! The snapshot: everything a site, a worker or a chat widget needs to react, at one instant.
use std::sync::Arc;

use serde::Serialize;

use crate::core::engine::frameworks::{Coverage, Disqualifier, NextQuestion, Progress};
use crate::core::engine::score::{self, Reason, Totals};
use crate::core::engine::stages;
use crate::core::engine::state::VisitorState;
use crate::core::model::{Band, Model};
use crate::core::sorted_map::SortedMap;
use crate::core::time::{format_iso, Millis};

/// Written as JSON with camelCase keys, in this order (docs/contracts.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub grade: String,
    pub stage: &'static str,
    pub status: &'static str,
    pub qualified: bool,
    pub qualified_at: Option<String>,
    /// How the stage held (SQL, else MQL) was entered: `score`, or a route's id (`hand_raise`).
    pub route: Option<String>,
    pub reasons: Vec<Reason>,
    /// Shared with the session's other snapshots while no slot fills (see [`Progress`]).
    pub frameworks: Arc<SortedMap<String, Coverage>>,
    /// Disqualifying answers and trait rules that hold.
    pub disqualifiers: Arc<Vec<Disqualifier>>,
    pub next_question: Option<Arc<NextQuestion>>,
    /// Shared with the model.
    pub action: Arc<SortedMap<String, String>>,
    pub bot: bool,
    pub bot_reason: Option<String>,
    pub sessions: u32,
    pub engaged_seconds: u64,
    pub first_seen: Option<String>,
}

/// The grade: the fit band's letter and the engagement band's digit (`A1`).
pub fn grade(model: &Model, fit: i64, engagement: i64) -> String {
    [
        band(&model.fit_grades, fit),
        band(&model.engagement_grades, engagement),
    ]
    .concat()
}

/// The temperature at a score: `cold`, `warm` or `hot`.
pub fn status(model: &Model, score: i64) -> &'static str {
    if (score as f64) >= model.hot {
        "hot"
    } else if (score as f64) >= model.warm {
        "warm"
    } else {
        "cold"
    }
}

/// The first band whose `min` the value reaches (the last band has none and catches all).
pub fn band(bands: &[Band], value: i64) -> &str {
    bands
        .iter()
        .find(|b| b.min.is_none_or(|min| value as f64 >= min))
        .map_or("", |b| b.label.as_str())
}

/// Whether the visitor is qualified (SQL held) at `now`: decay since the last event can
/// have dropped the score below the exit threshold, which a read notices without storing.
pub fn qualified_now(model: &Model, state: &VisitorState, totals: &Totals, now: Millis) -> bool {
    state.bot.is_none() && state.sql.active && stages::holds(model, &model.sql, state, totals, now)
}

/// The route of the qualification held (SQL, else MQL): `score`, or a route's id.
pub fn route_now(model: &Model, state: &VisitorState) -> Option<String> {
    let (threshold, level) = if state.sql.active {
        (&model.sql, state.sql)
    } else if state.mql.active {
        (&model.mql, state.mql)
    } else {
        return None;
    };
    Some(threshold.route_name(level.route).to_string())
}

pub fn build(model: &Model, state: &VisitorState, now: Millis) -> Snapshot {
    build_with(model, state, now, Progress::of(model, state))
}

/// [`build`] with the framework progress already known (a session's cached one).
pub fn build_with(
    model: &Model,
    state: &VisitorState,
    now: Millis,
    progress: Progress,
) -> Snapshot {
    let scores = score::evaluate(model, state, now);
    let total = scores.total();
    let totals = Totals {
        fit: scores.fit,
        engagement: scores.engagement,
    };
    Snapshot {
        score: total,
        fit: scores.fit,
        engagement: scores.engagement,
        grade: grade(model, scores.fit, scores.engagement),
        stage: state.stage.name(),
        status: status(model, total),
        qualified: qualified_now(model, state, &totals, now),
        qualified_at: state.sql.entered_at.map(format_iso),
        route: route_now(model, state),
        reasons: scores.reasons,
        frameworks: progress.coverage,
        disqualifiers: progress.disqualifiers,
        next_question: progress.next_question,
        action: model.actions.get(&state.stage).cloned().unwrap_or_default(),
        bot: state.bot.is_some(),
        bot_reason: state.bot.clone(),
        sessions: state.sessions,
        engaged_seconds: state.engaged_ms.saturating_add(500) / 1000,
        first_seen: state.first_seen.map(format_iso),
    }
}
