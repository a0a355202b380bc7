//! The mapping file of `leadpulse import` (docs/import.md). The reader lives in the binary
//! (`crates/leadpulse-cli/src/import/map/`), not the library; it depends on nothing but the
//! library's JSON reader and serde_json, so it is compiled in here from its source files.
//! It must never panic: a mapping is either read or refused with at least one problem, each
//! naming its JSON path.
#![no_main]
#[allow(dead_code, unused_imports)]
#[path = "../../crates/leadpulse-cli/src/import/map/mod.rs"]
mod map;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match map::read(text) {
        Ok(mapping) => {
            let _ = format!("{mapping:?}");
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "a refused mapping without a problem");
            assert!(problems.iter().all(|p| !p.is_empty()));
        }
    }
});
