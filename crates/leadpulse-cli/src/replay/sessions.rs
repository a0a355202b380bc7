//! One session per visitor, in order of first appearance: the only state a replay keeps.
use std::collections::HashMap;
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::{Event, EventError};
use leadpulse::core::model::Model;

pub struct Sessions {
    model: Arc<Model>,
    index: HashMap<String, usize>,
    sessions: Vec<(String, Session)>,
}

impl Sessions {
    pub fn new(model: Arc<Model>) -> Sessions {
        Sessions {
            model,
            index: HashMap::new(),
            sessions: Vec::new(),
        }
    }

    /// Applies an event to its visitor's session, at the event's own time.
    pub fn apply(&mut self, event: &Event) -> Result<(), EventError> {
        let slot = match self.index.get(&event.visitor) {
            Some(&slot) => slot,
            None => {
                let session = Session::new(self.model.clone(), &event.visitor);
                self.sessions.push((event.visitor.clone(), session));
                self.index
                    .insert(event.visitor.clone(), self.sessions.len() - 1);
                self.sessions.len() - 1
            }
        };
        match self.sessions.get_mut(slot) {
            Some((_, session)) => session.apply(event, event.time).map(|_| ()),
            None => Ok(()),
        }
    }

    /// How many visitors.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Session)> {
        self.sessions.iter().map(|(v, s)| (v.as_str(), s))
    }
}
