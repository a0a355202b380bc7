//! JS values ⇄ serde: inputs become `serde_json::Value`; outputs are plain JSON-compatible
//! objects (maps as objects, `None` as `null`) that survive `JSON.stringify` and `postMessage`.
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::errors;
use crate::core::time::{Millis, MAX_TIME, MIN_TIME};

pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| errors::plain(&format!("leadpulse: could not convert a result to JS: {e}")))
}

pub fn from_js(value: JsValue, path: &str) -> Result<serde_json::Value, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| errors::type_error(path, &format!("not a JSON-compatible value ({e})")))
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
