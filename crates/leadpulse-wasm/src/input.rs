//! JS inputs → the core's wire types. Two implementations, one chosen at build time:
//! - default: a walk over the JS value with js-sys into a bounded [`Value`];
//! - feature `swb-input`: serde-wasm-bindgen, field by field from the JS object.
//!
//! NOTE: the project's stack names serde-wasm-bindgen for both directions, and keeps it unless
//! it costs more than 10 KB gz of the browser embed. For inputs it does: its generic
//! deserializer (and the float formatting its type errors link) weighs ≈ 16–20 KB gz more
//! than this walk. `benches/boundary.sh` builds both and prints weight and per-event cost
//! side by side (docs/performance.md, "Boundary"); outputs stay on serde-wasm-bindgen.
use wasm_bindgen::JsValue;

use super::errors;
use leadpulse::core::event::RawEvent;
use leadpulse::core::json::{Limits, Value};

#[cfg(feature = "swb-input")]
mod imp {
    use serde::de::{DeserializeOwned, DeserializeSeed};
    use serde::Deserialize;
    use wasm_bindgen::JsValue;

    use super::errors;
    use leadpulse::core::event::{FastEvent, RawBatch, RawEvent};
    use leadpulse::core::json::{Bounded, Limits, Value};

    fn read<T: DeserializeOwned>(value: JsValue, path: &str) -> Result<T, JsValue> {
        serde_wasm_bindgen::from_value(value).map_err(|e| errors::type_error(path, &e.to_string()))
    }

    pub fn event(value: JsValue) -> Result<RawEvent, JsValue> {
        let fast = FastEvent::deserialize(serde_wasm_bindgen::Deserializer::from(value.clone()));
        match fast {
            Ok(fast) => Ok(fast.into()),
            Err(_) => read(value, "event"),
        }
    }

    pub fn batch(value: JsValue) -> Result<Vec<RawEvent>, JsValue> {
        read::<RawBatch>(value, "events").map(|batch| batch.0)
    }

    pub fn value(value: JsValue, path: &str, limits: Limits) -> Result<Value, JsValue> {
        let deserializer = serde_wasm_bindgen::Deserializer::from(value);
        Bounded::new(limits)
            .deserialize(deserializer)
            .map_err(|e| errors::type_error(path, &e.to_string()))
    }
}

#[cfg(not(feature = "swb-input"))]
mod imp {
    use js_sys::{Array, ArrayBuffer, JsString, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    use super::errors;
    use leadpulse::core::event::{RawEvent, MAX_BATCH};
    use leadpulse::core::json::{Limits, Value, MAX_DEPTH};

    /// Refuses `count` more values when they cannot fit in what `limits` leaves after `nodes`:
    /// checked before a container is iterated, so a huge one is refused without being visited.
    fn room_for(count: usize, nodes: usize, limits: Limits) -> Result<(), String> {
        if nodes.saturating_add(count) > limits.nodes {
            Err(format!("more than {} values", limits.nodes))
        } else {
            Ok(())
        }
    }

    /// A JS value as a [`Value`], within `limits` (nodes are counted in `nodes`).
    fn walk(v: &JsValue, depth: usize, nodes: &mut usize, limits: Limits) -> Result<Value, String> {
        *nodes += 1;
        if *nodes > limits.nodes {
            return Err(format!("more than {} values", limits.nodes));
        }
        if depth > MAX_DEPTH {
            return Err(format!(
                "nested deeper than {MAX_DEPTH} levels (or a cycle)"
            ));
        }
        let too_long = || format!("a string longer than {} bytes", limits.string_bytes);
        let text = |s: String| {
            if s.len() > limits.string_bytes {
                Err(too_long())
            } else {
                Ok(s)
            }
        };
        // NOTE: every test below is a call into JS, so the commonest kinds of an event's
        // values come first: strings, then numbers, then objects (a string value costs three
        // calls instead of seven in the order null, undefined, bool, number, string).
        if let Some(s) = v.dyn_ref::<JsString>() {
            // NOTE: a UTF-16 unit is at least one UTF-8 byte, so a string too long in units
            // is refused before it is copied into wasm memory (a 100 MB string would be).
            if s.length() as usize > limits.string_bytes {
                return Err(too_long());
            }
            Ok(Value::String(text(String::from(s))?))
        } else if let Some(n) = v.as_f64() {
            if n.is_finite() {
                Ok(Value::Number(n))
            } else {
                Err("not a finite number".into())
            }
        } else if v.is_object() {
            if let Some(items) = v.dyn_ref::<Array>() {
                let length = items.length() as usize;
                room_for(length, *nodes, limits)?;
                let mut out = Vec::with_capacity(length);
                for item in items.iter() {
                    out.push(walk(&item, depth + 1, nodes, limits)?);
                }
                return Ok(Value::Array(out));
            }
            // NOTE: a typed array's elements are its own keys, and listing them is the cost
            // (Object.keys of 1e8 elements takes tens of seconds): its length is read first.
            if ArrayBuffer::is_view(v) {
                let length = Reflect::get(v, &"length".into())
                    .ok()
                    .and_then(|n| n.as_f64())
                    .unwrap_or(0.0);
                room_for(length as usize, *nodes, limits)?;
            }
            // NOTE: keys first, counted before a single value is read (Object.entries would
            // build every [key, value] pair and run every getter before the first check).
            // Listing the keys of a huge plain object still costs their number; nothing
            // cheaper tells how many there are.
            let keys = Object::keys(v.unchecked_ref::<Object>());
            room_for(keys.length() as usize, *nodes, limits)?;
            let mut members: Vec<(String, Value)> = Vec::with_capacity(keys.length() as usize);
            for key in keys.iter() {
                let name = text(key.as_string().unwrap_or_default())?;
                // NOTE: a getter that throws is refused like any other bad value (with the
                // path), rather than its exception unwinding through the wasm frames.
                let item =
                    Reflect::get(v, &key).map_err(|_| String::from("a property getter threw"))?;
                let item = walk(&item, depth + 1, nodes, limits)?;
                members.push((name, item));
            }
            Ok(Value::Object(members))
        } else if let Some(b) = v.as_bool() {
            Ok(Value::Bool(b))
        } else if v.is_null() || v.is_undefined() {
            Ok(Value::Null)
        } else {
            Err("not a JSON-compatible value (a function, a symbol or a BigInt)".into())
        }
    }

    fn read(v: &JsValue, path: &str, limits: Limits) -> Result<Value, JsValue> {
        walk(v, 0, &mut 0, limits).map_err(|e| errors::type_error(path, &e))
    }

    pub fn event(value: JsValue) -> Result<RawEvent, JsValue> {
        let value = read(&value, "event", Limits::EVENT_PART)?;
        RawEvent::from_value(&value).map_err(|p| errors::problem(&p))
    }

    pub fn batch(value: JsValue) -> Result<Vec<RawEvent>, JsValue> {
        let Some(items) = value.dyn_ref::<Array>() else {
            return Err(errors::type_error("events", "expected an array of events"));
        };
        if items.length() as usize > MAX_BATCH {
            return Err(errors::type_error(
                "events",
                &format!("more than {MAX_BATCH} events in one batch"),
            ));
        }
        let mut events = Vec::with_capacity(items.length() as usize);
        for (index, item) in items.iter().enumerate() {
            let path = format!("[{index}]");
            let value = read(&item, &path, Limits::EVENT_PART)?;
            events.push(
                RawEvent::from_value(&value)
                    .map_err(|p| errors::type_error(&path, &p.describe()))?,
            );
        }
        Ok(events)
    }

    pub fn value(value: JsValue, path: &str, limits: Limits) -> Result<Value, JsValue> {
        read(&value, path, limits)
    }
}

/// One event: its top-level fields, each a bounded value (the core checks them).
pub fn event(value: JsValue) -> Result<RawEvent, JsValue> {
    imp::event(value)
}

/// A `trackAll` batch (at most `MAX_BATCH` events).
pub fn batch(value: JsValue) -> Result<Vec<RawEvent>, JsValue> {
    imp::batch(value)
}

/// A small value: an answer, options.
pub fn value(value: JsValue, path: &str) -> Result<Value, JsValue> {
    imp::value(value, path, Limits::EVENT_PART)
}

/// A model document.
#[cfg(feature = "author")]
pub fn document(value: JsValue) -> Result<Value, JsValue> {
    imp::value(value, "model", Limits::DOCUMENT)
}
