//! The engine: one visitor's session over a shared model.
pub mod apply;
pub mod decay;
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
    progress: frameworks::ProgressCache,
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
        }
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
        self.apply_scoring(event, now, None)
            .map(|(applied, _)| applied)
    }

    /// [`Session::apply`], then [`Session::snapshot`] at `at`, in one scoring pass when `at`
    /// is the time the event settles at (the usual case: the JS API's `track`).
    pub fn apply_then_snapshot(
        &mut self,
        event: &Event,
        now: Millis,
        at: Millis,
    ) -> Result<Snapshot, EventError> {
        let (_, scores) = self.apply_scoring(event, now, Some(at))?;
        Ok(match scores {
            Some(scores) => {
                let progress = self.progress.get(&self.model, &self.state);
                snapshot::build_from(&self.model, &self.state, scores, progress)
            }
            None => self.snapshot(at),
        })
    }

    /// Applies the event; with `reuse_at`, also returns the scores it settled on when they
    /// were computed at that time (so a snapshot at `reuse_at` need not score again).
    fn apply_scoring(
        &mut self,
        event: &Event,
        now: Millis,
        reuse_at: Option<Millis>,
    ) -> Result<(Applied, Option<score::Scores>), EventError> {
        apply::check(&self.model, &self.state, event, now)?;
        if apply::is_duplicate(&self.state, event) {
            return Ok((Applied::Duplicate, None));
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
        if applied != Applied::Scored {
            return Ok((applied, None));
        }
        let at = t.max(self.state.last_seen);
        if reuse_at == Some(at) {
            // NOTE: the same totals `score::totals` gives (the same sums, rounded alike).
            let scores = score::evaluate(&self.model, &self.state, at);
            let after = score::Totals {
                fit: scores.fit,
                engagement: scores.engagement,
            };
            stages::settle(&self.model, &mut self.state, &after, at);
            return Ok((applied, Some(scores)));
        }
        let after = score::totals(&self.model, &self.state, at);
        stages::settle(&self.model, &mut self.state, &after, at);
        Ok((applied, None))
    }

    /// Everything about the visitor at `now`; decay is computed here, lazily.
    pub fn snapshot(&self, now: Millis) -> Snapshot {
        let progress = self.progress.get(&self.model, &self.state);
        snapshot::build_with(&self.model, &self.state, now, progress)
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
