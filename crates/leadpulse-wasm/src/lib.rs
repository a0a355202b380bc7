//! wasm-bindgen adapters over [`leadpulse::core`]: decode → call the core → encode.
//! One file per JS class; errors become JS errors of a specific class. wasm32 only: on other
//! targets the crate is empty, so `cargo build --workspace` stays native-clean.
#![cfg(target_arch = "wasm32")]
mod author;
mod convert;
mod errors;
mod input;
mod panic_hook;
mod scorer;
mod session;
mod step;

use wasm_bindgen::prelude::*;

#[cfg(feature = "author")]
pub use author::compile_model;
pub use scorer::Scorer;
pub use session::Session;
#[doc(hidden)]
pub use step::to_js as step_to_js;

/// The package version.
///
/// ```js
/// import { version } from 'leadpulse';
/// console.log(version()); // "0.1.0"
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    leadpulse::VERSION.to_string()
}

/// Whether this build reads model documents (`true` in the Node, Deno and edge builds) or
/// compiled models only (`false` in the browser build).
///
/// ```js
/// import { readsModelDocuments } from 'leadpulse';
/// const model = readsModelDocuments() ? doc : compiledText;
/// ```
#[wasm_bindgen(js_name = readsModelDocuments)]
pub fn reads_model_documents() -> bool {
    cfg!(feature = "author")
}

// NOTE: hand-written types, so the generated `.d.ts` has no `any` on public signatures.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");
