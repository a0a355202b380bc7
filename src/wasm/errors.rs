//! Core errors → JS errors of a specific class, always with a message.
use js_sys::{Array, Error, Object, RangeError, Reflect, TypeError};
use wasm_bindgen::JsValue;

use crate::core::json::{Problem, ProblemKind};
use crate::core::model::ModelError;

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
    let error: JsValue = TypeError::new(&[path, ": ", message].concat()).into();
    set(&error, "path", &JsValue::from_str(path));
    error
}

pub fn range_error(path: &str, message: &str) -> JsValue {
    let error: JsValue = RangeError::new(&[path, ": ", message].concat()).into();
    set(&error, "path", &JsValue::from_str(path));
    error
}

/// An invalid model: an `Error` listing every problem, with `problems: {path, message}[]`.
pub fn model(error: &ModelError) -> JsValue {
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

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // NOTE: setting a property on an Error or a fresh Object cannot fail; if it somehow
    // did, the error still carries its message, so the result is ignored.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
