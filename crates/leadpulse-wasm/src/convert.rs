//! Results → JS through serde-wasm-bindgen: plain objects (`json_compatible`: maps are
//! objects, not `Map`s), so they survive `JSON.stringify` and `postMessage` unchanged.
//! (Inputs: `input.rs`.)
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::errors;
use leadpulse::core::time::{Millis, MAX_TIME, MIN_TIME};

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| errors::plain("leadpulse: could not convert a result to JS"))
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
