//! The snapshot: everything a site, a worker or a chat widget needs to react, at one instant.
use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::engine::frameworks::{self, Coverage, NextQuestion};
use crate::core::engine::score::{self, Reason};
use crate::core::engine::stages;
use crate::core::engine::state::VisitorState;
use crate::core::model::{Band, Model};
use crate::core::time::{format_iso, Millis};

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
    pub reasons: Vec<Reason>,
    pub frameworks: BTreeMap<String, Coverage>,
    pub next_question: Option<NextQuestion>,
    pub action: BTreeMap<String, String>,
    pub bot: bool,
    pub bot_reason: Option<String>,
    pub sessions: u32,
    pub engaged_seconds: u64,
    pub first_seen: Option<String>,
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Reason", 2)?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("points", &self.points)?;
        s.end()
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
    let scores = score::evaluate(model, state, now);
    let total = scores.total();
    let qualified = qualified_now(model, state, total);
    let filled = frameworks::filled_slots(model, state);
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
        grade: format!(
            "{}{}",
            band(&model.fit_grades, scores.fit),
            band(&model.engagement_grades, scores.engagement)
        ),
        stage: state.stage.name(),
        status,
        qualified,
        qualified_at: state.sql.entered_at.map(format_iso),
        reasons: scores.reasons,
        frameworks: frameworks::coverage(model, &filled),
        next_question: frameworks::next_question(model, &filled),
        action: model.actions.get(&state.stage).cloned().unwrap_or_default(),
        bot: state.bot.is_some(),
        bot_reason: state.bot.clone(),
        sessions: state.sessions,
        engaged_seconds: state.engaged_ms.saturating_add(500) / 1000,
        first_seen: state.first_seen.map(format_iso),
    }
}
