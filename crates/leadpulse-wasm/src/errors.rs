//! Core errors → JS errors of a specific class, always with a message.
use js_sys::{Error, RangeError, Reflect, TypeError};
use wasm_bindgen::JsValue;

use leadpulse::core::json::{Problem, ProblemKind};
#[cfg(feature = "author")]
use leadpulse::core::model::ModelError;

/// A bad event or argument: `TypeError` for a missing or mistyped field, `RangeError` for
/// an unacceptable value. The message starts with the JSON path.
pub fn problem(problem: &Problem) -> JsValue {
    let message = problem.describe();
    let error: JsValue = match problem.kind {
        ProblemKind::Missing | ProblemKind::Type | ProblemKind::Unknown => {
            TypeError::new(&message).into()
        }
        ProblemKind::Range => RangeError::new(&message).into(),
    };
    set(&error, "path", &JsValue::from_str(&problem.path));
    error
}

pub fn type_error(path: &str, message: &str) -> JsValue {
    let error: JsValue = TypeError::new(&located(path, message)).into();
    set(&error, "path", &JsValue::from_str(path));
    error
}

pub fn range_error(path: &str, message: &str) -> JsValue {
    let error: JsValue = RangeError::new(&located(path, message)).into();
    set(&error, "path", &JsValue::from_str(path));
    error
}

/// An invalid model: an `Error` listing every problem, with `problems: {path, message}[]`.
#[cfg(feature = "author")]
pub fn model(error: &ModelError) -> JsValue {
    use js_sys::{Array, Object};
    let js: JsValue = Error::new(&error.describe()).into();
    let list = Array::new();
    for p in &error.0 {
        let item = Object::new();
        set(&item, "path", &JsValue::from_str(&p.path));
        set(&item, "message", &JsValue::from_str(&p.message));
        list.push(&item);
    }
    set(&js, "problems", &list);
    js
}

pub fn plain(message: &str) -> JsValue {
    Error::new(message).into()
}

/// A session whose state was left borrowed by an internal error (a trap mid-call): it says
/// so on every later call instead of failing with wasm-bindgen's opaque message.
pub fn broken() -> JsValue {
    plain(
        "leadpulse: this session hit an internal error and cannot be used; \
         start a new one from its last saved state (scorer.session(visitor, saved))",
    )
}

/// `path: message`, the format of every problem (`(root)` for the value itself).
fn located(path: &str, message: &str) -> String {
    let path = if path.is_empty() { "(root)" } else { path };
    format!("{path}: {message}")
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // NOTE: setting a property on an Error or a fresh Object cannot fail; if it somehow
    // did, the error still carries its message, so the result is ignored.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
