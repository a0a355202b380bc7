//! The lean per-event result: what a tracker, a worker or a chat widget reacts to after each
//! event, without building a snapshot (`Session::snapshot` gives the full picture on demand).
use serde::Serialize;

use super::apply::Applied;
use super::score::Totals;
use super::Session;
use crate::core::model::Stage;
use crate::core::snapshot;
use crate::core::summary;
use crate::core::time::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub grade: String,
    pub stage: &'static str,
    pub status: &'static str,
    pub qualified: bool,
    /// The stage moved up with this event.
    pub stage_changed: bool,
    /// A slot or a trait changed: framework coverage and the next question may differ.
    pub progress_changed: bool,
    /// A summary is due: hand it off (`session.handoff()`).
    pub summary_due: bool,
    /// The event's `messageId` was seen before: nothing changed.
    pub duplicate: bool,
    /// The visitor is flagged as a bot (never qualifies).
    pub bot: bool,
}

impl Step {
    /// The step of an event whose scores, settled at `at`, are `totals`.
    pub(super) fn new(
        session: &Session,
        totals: Totals,
        at: Millis,
        before: Stage,
        applied: Applied,
    ) -> Step {
        let (model, state) = (session.model(), session.state());
        let score = totals.total();
        Step {
            score,
            fit: totals.fit,
            engagement: totals.engagement,
            grade: snapshot::grade(model, totals.fit, totals.engagement),
            stage: state.stage.name(),
            status: snapshot::status(model, score),
            qualified: snapshot::qualified_now(model, state, &totals, at),
            stage_changed: state.stage != before,
            progress_changed: matches!(applied, Applied::Scored { progress: true }),
            summary_due: summary::is_due(model, state, totals, at),
            duplicate: applied == Applied::Duplicate,
            bot: state.bot.is_some(),
        }
    }
}
