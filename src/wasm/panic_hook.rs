//! Reports a Rust panic on `console.error` with its message and location. The core is
//! written not to panic; this makes a bug visible instead of an opaque `unreachable`.
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
            console_error(&format!(
                "leadpulse: internal error (please report): {info}"
            ));
        }));
    });
}
