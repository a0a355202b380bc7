//! Reports a Rust panic on `console.error` with its location. The core is written not to
//! panic; this makes a bug visible instead of an opaque `unreachable`.
//!
//! NOTE: the location only, not the message: formatting arbitrary panic messages would link
//! in `Display` machinery that the rest of the module does not need.
use std::sync::Once;

use wasm_bindgen::prelude::*;

use crate::core::json::write_u64;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let mut message = String::from("leadpulse: internal error (please report)");
            if let Some(location) = info.location() {
                message.push_str(" at ");
                message.push_str(location.file());
                message.push(':');
                write_u64(&mut message, u64::from(location.line()));
            }
            console_error(&message);
        }));
    });
}
