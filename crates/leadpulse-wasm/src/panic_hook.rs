//! Reports a Rust panic on `console.error` with its location. The core is written not to
//! panic; this makes a bug visible instead of an opaque `unreachable`.
//!
//! NOTE: the location only: the core's panics are bugs, and their messages are not meant for
//! a host page's console.
use std::sync::Once;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = match info.location() {
                Some(at) => format!(
                    "leadpulse: internal error (please report) at {}:{}",
                    at.file(),
                    at.line()
                ),
                None => String::from("leadpulse: internal error (please report)"),
            };
            console_error(&message);
        }));
    });
}
