//! The engine: one visitor's session over a shared model.
pub mod apply;
pub mod frameworks;
pub mod score;
pub mod stages;
pub mod state;
pub mod touch;

use std::sync::Arc;

use crate::core::event::{Event, EventError};
use crate::core::model::Model;
use crate::core::snapshot::{self, Snapshot};
use crate::core::summary::{self, Summary, SummaryOptions};
use crate::core::time::Millis;

pub use apply::Applied;
use state::VisitorState;

/// One visitor, scored incrementally. Time is always passed in.
#[derive(Debug, Clone)]
pub struct Session {
    model: Arc<Model>,
    state: VisitorState,
}

impl Session {
    /// A fresh visitor. An empty `visitor` adopts the key of the first event.
    pub fn new(model: Arc<Model>, visitor: &str) -> Session {
        let state = VisitorState::new(visitor, model.rules.len());
        Session { model, state }
    }

    pub(crate) fn from_state(model: Arc<Model>, state: VisitorState) -> Session {
        Session { model, state }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn state(&self) -> &VisitorState {
        &self.state
    }

    pub fn visitor(&self) -> &str {
        &self.state.visitor
    }

    /// Applies one event at `now`. A rejected event leaves the session unchanged.
    pub fn apply(&mut self, event: &Event, now: Millis) -> Result<Applied, EventError> {
        apply::check(&self.model, &self.state, event, now)?;
        if apply::is_duplicate(&self.state, event) {
            return Ok(Applied::Duplicate);
        }
        let t = event.time;
        // Settle first: an exit caused by decay since the last event must be on record
        // before this event can count as a new entry (hysteresis + cooldown).
        let holding = self.state.mql.active || self.state.sql.active;
        if holding && t >= self.state.last_seen {
            let before = score::totals(&self.model, &self.state, t);
            stages::settle(&self.model, &mut self.state, &before, t);
        }
        let applied = apply::apply(&self.model, &mut self.state, event, now)?;
        if applied == Applied::Scored {
            let at = t.max(self.state.last_seen);
            let after = score::totals(&self.model, &self.state, at);
            stages::settle(&self.model, &mut self.state, &after, at);
        }
        Ok(applied)
    }

    /// Everything about the visitor at `now`; decay is computed here, lazily.
    pub fn snapshot(&self, now: Millis) -> Snapshot {
        snapshot::build(&self.model, &self.state, now)
    }

    /// The summary to hand off, while the visitor holds a hand-off stage.
    pub fn summary(&self, now: Millis, options: SummaryOptions) -> Option<Summary> {
        summary::build(&self.model, &self.state, now, options)
    }

    pub fn next_question(&self) -> Option<frameworks::NextQuestion> {
        frameworks::next_question(
            &self.model,
            &frameworks::filled_slots(&self.model, &self.state),
        )
    }
}
