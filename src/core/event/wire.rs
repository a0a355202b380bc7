//! An event as it arrives: its top-level fields picked out by serde (from JSON text or, in
//! wasm, straight from a JS object by name), each kept as a bounded [`Value`] so that one
//! reader ([`RawEvent::check`]) decides what is valid and names the path of any problem.
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::EventError;
use crate::core::json::{event_part, Obj, Problems, Value};

/// Most events in one `trackAll` batch.
pub const MAX_BATCH: usize = 1000;

/// The fields the engine reads; any others (Segment's `integrations`, `sentAt` …) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawEvent {
    #[serde(rename = "type", default, deserialize_with = "event_part")]
    pub kind: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub anonymous_id: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub user_id: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub timestamp: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub message_id: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub event: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub properties: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub traits: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    pub context: Option<Value>,
}

impl RawEvent {
    /// Picks the fields out of a JSON value (which must be an object).
    pub fn from_value(value: &Value) -> Result<RawEvent, EventError> {
        let mut problems = Problems::default();
        let Some(obj) = Obj::open(value, "", None, &mut problems) else {
            return Err(problems.0.into_iter().next().unwrap_or_default());
        };
        let field = |key: &str| obj.get(key).filter(|v| !v.is_null()).cloned();
        Ok(RawEvent {
            kind: field("type"),
            anonymous_id: field("anonymousId"),
            user_id: field("userId"),
            timestamp: field("timestamp"),
            message_id: field("messageId"),
            event: field("event"),
            properties: field("properties"),
            traits: field("traits"),
            context: field("context"),
        })
    }
}

/// A `trackAll` batch: at most [`MAX_BATCH`] events, refused before the rest is read.
#[derive(Debug, Default, PartialEq)]
pub struct RawBatch(pub Vec<RawEvent>);

impl<'de> Deserialize<'de> for RawBatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawBatch, D::Error> {
        struct Events;
        impl<'de> Visitor<'de> for Events {
            type Value = RawBatch;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of events")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawBatch, A::Error> {
                let mut events = Vec::new();
                while let Some(event) = seq.next_element::<RawEvent>()? {
                    if events.len() == MAX_BATCH {
                        return Err(de::Error::custom(format!(
                            "more than {MAX_BATCH} events in one batch"
                        )));
                    }
                    events.push(event);
                }
                Ok(RawBatch(events))
            }
        }
        deserializer.deserialize_seq(Events)
    }
}
