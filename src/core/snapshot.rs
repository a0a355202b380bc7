//! The snapshot: everything a site, a worker or a chat widget needs to react, at one instant.
use crate::core::engine::frameworks::{self, Coverage, NextQuestion, Progress};
use crate::core::engine::score::{self, Reason};
use crate::core::engine::stages;
use crate::core::engine::state::VisitorState;
use crate::core::json::{ObjectWriter, Shared, ToJson};
use crate::core::model::{Band, Model};
use crate::core::sorted_map::SortedMap;
use crate::core::time::{format_iso, Millis};

/// Written as JSON with camelCase keys, in this order (docs/contracts.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub grade: String,
    pub stage: &'static str,
    pub status: &'static str,
    pub qualified: bool,
    pub qualified_at: Option<String>,
    pub reasons: Vec<Reason>,
    /// Shared with the session's other snapshots while no slot fills (see [`Progress`]).
    pub frameworks: Shared<SortedMap<String, Coverage>>,
    pub next_question: Option<Shared<NextQuestion>>,
    /// Shared with the model.
    pub action: Shared<SortedMap<String, String>>,
    pub bot: bool,
    pub bot_reason: Option<String>,
    pub sessions: u32,
    pub engaged_seconds: u64,
    pub first_seen: Option<String>,
}

impl Snapshot {
    /// Writes the members into an object being written: `replay` prefixes a `visitor`.
    pub fn write_fields(&self, object: &mut ObjectWriter) {
        object
            .field("score", &self.score)
            .field("fit", &self.fit)
            .field("engagement", &self.engagement)
            .field("grade", &self.grade)
            .field("stage", self.stage)
            .field("status", self.status)
            .field("qualified", &self.qualified)
            .field("qualifiedAt", &self.qualified_at)
            .field("reasons", &self.reasons)
            .field("frameworks", &self.frameworks)
            .field("nextQuestion", &self.next_question)
            .field("action", &self.action)
            .field("bot", &self.bot)
            .field("botReason", &self.bot_reason)
            .field("sessions", &self.sessions)
            .field("engagedSeconds", &self.engaged_seconds)
            .field("firstSeen", &self.first_seen);
    }
}

impl ToJson for Snapshot {
    fn write_json(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        self.write_fields(&mut object);
        object.end();
    }
}

impl ToJson for Reason {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out)
            .field("rule", &self.rule)
            .field("points", &self.points)
            .end();
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
pub fn qualified_now(model: &Model, state: &VisitorState, total: i64) -> bool {
    state.bot.is_none()
        && state.sql.active
        && stages::holds(
            &model.sql,
            &score::Totals {
                fit: total,
                engagement: 0,
            },
        )
}

pub fn build(model: &Model, state: &VisitorState, now: Millis) -> Snapshot {
    let progress = Progress::new(model, frameworks::filled_slots(model, state));
    build_with(model, state, now, progress)
}

/// [`build`] with the framework progress already known (a session's cached one).
pub fn build_with(
    model: &Model,
    state: &VisitorState,
    now: Millis,
    progress: Progress,
) -> Snapshot {
    build_from(model, state, score::evaluate(model, state, now), progress)
}

/// [`build`] from the scores at the snapshot's time, already computed.
pub fn build_from(
    model: &Model,
    state: &VisitorState,
    scores: score::Scores,
    progress: Progress,
) -> Snapshot {
    let total = scores.total();
    let qualified = qualified_now(model, state, total);
    let status = if (total as f64) >= model.hot {
        "hot"
    } else if (total as f64) >= model.warm {
        "warm"
    } else {
        "cold"
    };
    Snapshot {
        score: total,
        fit: scores.fit,
        engagement: scores.engagement,
        grade: [
            band(&model.fit_grades, scores.fit),
            band(&model.engagement_grades, scores.engagement),
        ]
        .concat(),
        stage: state.stage.name(),
        status,
        qualified,
        qualified_at: state.sql.entered_at.map(format_iso),
        reasons: scores.reasons,
        frameworks: progress.coverage,
        next_question: progress.next_question,
        action: model.actions.get(&state.stage).cloned().unwrap_or_default(),
        bot: state.bot.is_some(),
        bot_reason: state.bot.clone(),
        sessions: state.sessions,
        engaged_seconds: state.engaged_ms.saturating_add(500) / 1000,
        first_seen: state.first_seen.map(format_iso),
    }
}
