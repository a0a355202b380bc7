//! JS values ⇄ the core's JSON: inputs go through `JSON.stringify` into the in-house parser;
//! outputs are written as JSON text and become plain objects through `JSON.parse`, so they
//! survive `JSON.stringify` and `postMessage` unchanged.
//!
//! NOTE: two boundary crossings per value (one string each way) instead of one per field:
//! what makes the JS API cheap, and why no serde code is linked into the wasm.
use js_sys::JSON;
use wasm_bindgen::JsValue;

use super::errors;
use crate::core::json::{self, ToJson, Value};
use crate::core::time::{Millis, MAX_TIME, MIN_TIME};

pub fn to_js<T: ToJson + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    JSON::parse(&value.to_json())
        .map_err(|_| errors::plain("leadpulse: could not convert a result to JS"))
}

/// The JSON text of a JS value; a `TypeError` naming `path` when it has none
/// (`undefined`, a function, a BigInt, a cycle).
pub fn json_text(value: &JsValue, path: &str) -> Result<String, JsValue> {
    JSON::stringify(value)
        .ok()
        .and_then(|text| JsValue::from(text).as_string())
        .ok_or_else(|| {
            errors::type_error(
                path,
                "not a JSON-compatible value (undefined, a function, a BigInt or a cycle)",
            )
        })
}

pub fn from_js(value: &JsValue, path: &str) -> Result<Value, JsValue> {
    let text = json_text(value, path)?;
    // NOTE: text from JSON.stringify always parses; this guards against a patched JSON.
    json::parse(&text).map_err(|e| errors::type_error(path, &e.describe()))
}

/// `nowMs`, or the current time when omitted.
pub fn now(now_ms: Option<f64>) -> Result<Millis, JsValue> {
    let ms = now_ms.unwrap_or_else(js_sys::Date::now);
    if ms.is_finite() && (MIN_TIME as f64..=MAX_TIME as f64).contains(&ms) {
        Ok(ms as Millis)
    } else {
        Err(errors::range_error(
            "nowMs",
            "must be finite epoch milliseconds (years 1970–9999)",
        ))
    }
}
