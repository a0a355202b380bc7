//! wasm tests, run by `make wasm-test-node` and `make wasm-test-chrome` (the same tests in
//! both: no `wasm_bindgen_test_configure!`, the runner picks the browser from
//! `WASM_BINDGEN_USE_BROWSER`).
//! PLACEHOLDER: proves the runner works; replace with tests of the public wasm exports.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn crate_links_into_wasm() {
    assert!(!leadpulse::VERSION.is_empty());
}
