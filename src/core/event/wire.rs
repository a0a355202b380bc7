//! An event as it arrives: its top-level fields picked out by serde (from JSON text or, in
//! wasm, straight from a JS object by name), each kept as a bounded [`Value`] so that one
//! reader ([`RawEvent::check`]) decides what is valid and names the path of any problem.
use std::borrow::Cow;

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

/// The usual shape of an event with its plain fields typed: read without a generic value for
/// each (the fast path of JS objects and JSONL lines). Whatever it does not accept is read
/// again as a [`RawEvent`], whose reader names the problem and its path.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FastEvent<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    anonymous_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    user_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    timestamp: Option<Timestamp<'a>>,
    #[serde(default, borrow)]
    message_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    event: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "event_part")]
    properties: Option<Value>,
    #[serde(default, deserialize_with = "event_part")]
    traits: Option<Value>,
    #[serde(default, borrow)]
    context: Option<FastContext<'a>>,
}

/// The context fields the engine reads (others are ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FastContext<'a> {
    #[serde(default, borrow)]
    user_agent: Option<Cow<'a, str>>,
    #[serde(default)]
    webdriver: Option<bool>,
}

/// An ISO-8601 string or epoch milliseconds (checked by the reader).
#[derive(Debug)]
enum Timestamp<'a> {
    Millis(f64),
    Text(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Timestamp<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Time;
        impl<'de> Visitor<'de> for Time {
            type Value = Timestamp<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an ISO-8601 string or epoch milliseconds")
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                Ok(Timestamp::Millis(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(Timestamp::Millis(n as f64))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Timestamp::Millis(n as f64))
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Timestamp::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Timestamp::Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Timestamp::Text(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_any(Time)
    }
}

impl From<FastEvent<'_>> for RawEvent {
    fn from(fast: FastEvent<'_>) -> RawEvent {
        let text = |s: Cow<'_, str>| Value::String(s.into_owned());
        let context = fast.context.map(|c| {
            let mut members = Vec::with_capacity(2);
            if let Some(ua) = c.user_agent {
                members.push(("userAgent".to_string(), text(ua)));
            }
            if let Some(webdriver) = c.webdriver {
                members.push(("webdriver".to_string(), Value::Bool(webdriver)));
            }
            Value::Object(members)
        });
        RawEvent {
            kind: Some(text(fast.kind)),
            anonymous_id: fast.anonymous_id.map(text),
            user_id: fast.user_id.map(text),
            timestamp: fast.timestamp.map(|t| match t {
                Timestamp::Millis(ms) => Value::Number(ms),
                Timestamp::Text(s) => text(s),
            }),
            message_id: fast.message_id.map(text),
            event: fast.event.map(text),
            properties: fast.properties,
            traits: fast.traits,
            context,
        }
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
