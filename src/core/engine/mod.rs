//! The engine: one visitor's session over a shared model.
pub mod apply;
pub mod decay;
pub mod frameworks;
pub mod holds;
pub mod score;
pub mod stages;
pub mod state;
pub mod step;
pub mod touch;

use std::sync::Arc;

use crate::core::event::{Event, EventError};
use crate::core::model::Model;
use crate::core::snapshot::{self, Snapshot};
use crate::core::summary::{self, Summary, SummaryOptions};
use crate::core::time::Millis;

pub use apply::Applied;
use state::VisitorState;
pub use step::Step;

/// One visitor, scored incrementally. Time is always passed in.
#[derive(Debug, Clone)]
pub struct Session {
    model: Arc<Model>,
    state: VisitorState,
    progress: frameworks::ProgressCache,
    memo: apply::Memo,
}

impl Session {
    /// A fresh visitor. An empty `visitor` adopts the key of the first event.
    pub fn new(model: Arc<Model>, visitor: &str) -> Session {
        let state = VisitorState::new(visitor, model.rules.len());
        Session::from_state(model, state)
    }

    pub(crate) fn from_state(model: Arc<Model>, state: VisitorState) -> Session {
        Session {
            model,
            state,
            progress: frameworks::ProgressCache::default(),
            memo: apply::Memo::default(),
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn model_arc(&self) -> &Arc<Model> {
        &self.model
    }

    pub fn state(&self) -> &VisitorState {
        &self.state
    }

    pub fn visitor(&self) -> &str {
        &self.state.visitor
    }

    /// Applies one event at `now` and settles the stages; returns what happened, the scores
    /// after it and the time they are at (the event's, or the last seen for a late one). A
    /// rejected event changes nothing.
    pub fn apply(
        &mut self,
        event: &Event,
        now: Millis,
    ) -> Result<(Applied, score::Totals, Millis), EventError> {
        apply::check(&self.model, &self.state, event, now)?;
        let t = event.time;
        if apply::is_duplicate(&self.state, event) {
            let at = t.max(self.state.last_seen);
            let totals = score::totals(&self.model, &self.state, at);
            return Ok((Applied::Duplicate, totals, at));
        }
        // Settle first: an exit caused by decay since the last event must be on record
        // before this event can count as a new entry (hysteresis + cooldown).
        let holding = self.state.mql.active || self.state.sql.active;
        if holding && t >= self.state.last_seen {
            let before = score::totals(&self.model, &self.state, t);
            stages::settle(&self.model, &mut self.state, &before, t);
        }
        let applied = apply::apply(&self.model, &mut self.state, &mut self.memo, event, now)?;
        let at = t.max(self.state.last_seen);
        let after = score::totals(&self.model, &self.state, at);
        stages::settle(&self.model, &mut self.state, &after, at);
        Ok((applied, after, at))
    }

    /// [`Session::apply`], answered with the lean per-event result.
    pub fn track(&mut self, event: &Event, now: Millis) -> Result<Step, EventError> {
        let stage_before = self.state.stage;
        let (applied, totals, at) = self.apply(event, now)?;
        Ok(Step::new(self, totals, at, stage_before, applied))
    }

    /// The [`Step`] fields as they stand at `now`, with nothing changed.
    pub fn step_at(&self, now: Millis) -> Step {
        let totals = score::totals(&self.model, &self.state, now);
        Step::new(
            self,
            totals,
            now,
            self.state.stage,
            Applied::Scored { progress: false },
        )
    }

    /// Everything about the visitor at `now`; decay is computed here, lazily.
    pub fn snapshot(&self, now: Millis) -> Snapshot {
        let progress = self.progress.get(&self.model, &self.state);
        snapshot::build_with(&self.model, &self.state, now, progress)
    }

    /// The summary of the visitor's current hand-off (the revision due, or the last one
    /// handed off), while the visitor holds a hand-off stage. Changes nothing.
    pub fn summary(&self, now: Millis, options: SummaryOptions) -> Option<Summary> {
        summary::build(&self.model, &self.state, now, options)
    }

    /// Whether a summary is due at `now`: a hand-off stage is held and what the last handed
    /// off summary said has changed (or there was none).
    pub fn summary_due(&self, now: Millis) -> bool {
        let totals = score::totals(&self.model, &self.state, now);
        summary::is_due(&self.model, &self.state, totals, now)
    }

    /// The summary that is due, marked as handed off (so [`Session::summary_due`] turns
    /// false until something material changes); `None` when none is due.
    pub fn handoff(&mut self, now: Millis, options: SummaryOptions) -> Option<Summary> {
        let totals = score::totals(&self.model, &self.state, now);
        let mark = summary::mark(&self.model, &self.state, totals, now)?;
        self.state.handoff = Some(mark);
        summary::build(&self.model, &self.state, now, options)
    }

    pub fn next_question(&self) -> Option<frameworks::NextQuestion> {
        let progress = self.progress.get(&self.model, &self.state);
        progress.next_question.map(|q| (*q).clone())
    }
}
