//! Model documents in the wasm build: validated (every problem with its JSON path) and
//! compiled. Only in the `author` build (Node, Deno, edge); the browser build reads compiled
//! models, so the validator's weight stays out of the page.
use wasm_bindgen::prelude::*;

use leadpulse::core::model::Model;

/// A model document (an object, or JSON text).
#[cfg(feature = "author")]
pub fn read(model: JsValue) -> Result<Model, JsValue> {
    use super::{errors, input};
    let read = match model.as_string() {
        Some(text) => Model::from_json_text(&text),
        None => Model::from_value(&input::document(model)?),
    };
    read.map_err(|e| errors::model(&e))
}

#[cfg(not(feature = "author"))]
pub fn read(_model: JsValue) -> Result<Model, JsValue> {
    Err(super::errors::plain(
        "leadpulse: this build reads compiled models only (the text of `leadpulse compile`); \
         validate and compile a model document with `leadpulse compile model.json`, or use \
         the Node or edge build, which read documents too",
    ))
}

/// Validates a model document and compiles it for the browser build (the text that
/// `leadpulse compile` prints). Throws like `new Scorer(document)` on an invalid model.
///
/// ```js
/// import { compileModel } from 'leadpulse';
/// fs.writeFileSync('public/model.lpm', compileModel(JSON.parse(fs.readFileSync('model.json', 'utf8'))));
/// ```
#[cfg(feature = "author")]
#[wasm_bindgen(js_name = compileModel)]
pub fn compile_model(
    #[wasm_bindgen(unchecked_param_type = "ModelDocument | string")] model: JsValue,
) -> Result<String, JsValue> {
    Ok(leadpulse::core::model::compiled::encode_text(&read(model)?))
}
