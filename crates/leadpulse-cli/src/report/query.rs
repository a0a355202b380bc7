//! What a report is asked for: a period and a grouping. Its own module, read by the figures
//! and the challenger comparison alike.
use leadpulse::core::time::Millis;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    Source,
    Model,
    Owner,
}

impl By {
    pub fn from_name(name: &str) -> Option<By> {
        match name {
            "source" => Some(By::Source),
            "model" => Some(By::Model),
            "owner" => Some(By::Owner),
            _ => None,
        }
    }
}

/// What to report: the period `[from, to)` (open ends when absent), and the grouping.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub from: Option<Millis>,
    pub to: Option<Millis>,
    pub by: Option<By>,
}

impl Query {
    pub fn holds(&self, at: Option<Millis>) -> bool {
        at.is_some_and(|t| self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e))
    }
}
