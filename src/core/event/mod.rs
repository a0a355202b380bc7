//! Events in the contract format (Segment-spec shaped): the typed form the engine applies,
//! read from the wire ([`RawEvent`], by serde) with a JSON path on every error ([`read`]).
mod read;
mod scalar;
mod wire;

pub use read::Defaults;
pub use scalar::{format_number, Scalar};
pub use wire::{FastEvent, RawBatch, RawEvent, MAX_BATCH};

use crate::core::json::Value;
use crate::core::time::Millis;

/// Longest accepted identifier (visitor key, event name, slot, message id), in bytes.
pub const MAX_ID_LEN: usize = 128;
/// Longest accepted free text (path, trait value), in bytes; longer text is cut.
pub const MAX_TEXT_LEN: usize = 2048;
/// Longest answer value, in bytes; longer answers are cut.
pub const MAX_ANSWER_LEN: usize = MAX_ID_LEN;

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Page {
        path: String,
        referrer: Option<String>,
        search: Option<String>,
    },
    Track {
        name: String,
        properties: Vec<(String, Value)>,
    },
    /// Traits flattened to dotted names (`company.employee_count`).
    Identify {
        traits: Vec<(String, Scalar)>,
    },
    Engagement {
        path: Option<String>,
        seconds: f64,
        scroll: Option<f64>,
    },
    Answer {
        slot: String,
        value: Scalar,
    },
}

/// One event, checked: what the engine applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The visitor key: `anonymousId`, else `userId`.
    pub visitor: String,
    pub user_id: Option<String>,
    pub time: Millis,
    pub message_id: Option<String>,
    pub user_agent: Option<String>,
    /// `context.webdriver: true`, set by the browser tracker from `navigator.webdriver`.
    pub webdriver: bool,
    pub kind: EventKind,
}

/// Why an event was rejected: the first problem, with its JSON path.
pub type EventError = crate::core::json::Problem;

impl Event {
    /// Reads one event from a JSON value (the path-reporting reader). `default_time` stamps
    /// events without `timestamp`; without it a missing timestamp is an error.
    pub fn parse(value: &Value, default_time: Option<Millis>) -> Result<Event, EventError> {
        RawEvent::from_value(value)?.check(Defaults {
            visitor: "",
            time: default_time,
        })
    }

    /// Reads one event from JSON text: typed and borrowed when the text is well-formed, the
    /// path-reporting reader otherwise (so the error names the field).
    pub fn from_json(text: &str, defaults: Defaults) -> Result<Event, EventError> {
        match serde_json::from_str::<FastEvent>(text) {
            Ok(fast) => RawEvent::from(fast).check(defaults),
            Err(error) => match Value::from_text(text) {
                Ok(value) => RawEvent::from_value(&value)?.check(defaults),
                Err(_) => Err(EventError {
                    path: String::new(),
                    kind: crate::core::json::ProblemKind::Type,
                    message: format!("not JSON: {error}"),
                }),
            },
        }
    }

    /// A chat or form answer for `slot`, checked like an `answer` event's value.
    pub fn answer(
        visitor: &str,
        slot: &str,
        value: &Value,
        time: Millis,
    ) -> Result<Event, EventError> {
        let value = Scalar::answer(value, "value")?;
        Ok(Event {
            visitor: visitor.to_string(),
            user_id: None,
            time,
            message_id: None,
            user_agent: None,
            webdriver: false,
            kind: EventKind::Answer {
                slot: slot.to_string(),
                value,
            },
        })
    }
}

/// An identifier (visitor key, user id, message id): 1 to [`MAX_ID_LEN`] bytes of printable
/// text, so that everything keyed by it (saved state, summaries, a sales dashboard) stays
/// bounded and shows what it says.
pub fn check_id(id: &str, path: &str) -> Result<(), EventError> {
    let refuse = |message: String| EventError {
        path: path.to_string(),
        kind: crate::core::json::ProblemKind::Range,
        message,
    };
    if id.is_empty() {
        return Err(refuse("must not be empty".into()));
    }
    if id.len() > MAX_ID_LEN {
        return Err(refuse(format!(
            "longer than {MAX_ID_LEN} bytes ({} bytes)",
            id.len()
        )));
    }
    if crate::core::text::printable(id) != id {
        return Err(refuse(
            "contains control or direction-changing characters".into(),
        ));
    }
    Ok(())
}

/// A visitor key given to a session (empty: the first event's key): as [`check_id`].
pub fn check_visitor_id(id: &str, path: &str) -> Result<(), EventError> {
    if id.is_empty() {
        return Ok(());
    }
    check_id(id, path)
}

/// Cuts `text` to at most `max` bytes on a character boundary.
pub fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let cut = (0..=max)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
    }
    text
}
