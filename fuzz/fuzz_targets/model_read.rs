//! Model documents and compiled models: never a panic; a model that validates compiles and
//! decodes to itself, and a session of it (driven by events that set off its own rules and
//! fill its slots) keeps every invariant, its summaries passing the collector's contract.
//! Compiled bodies are also tried inside a valid frame (magic, format, CRC), so that the
//! postcard decoder and the engine meet hand-made bodies past the checksum.
#![no_main]
use std::sync::Arc;

use leadpulse::core::encoding::crc32::crc32;
use leadpulse::core::model::{compiled, Model};
use libfuzzer_sys::fuzz_target;

fn compiled_round_trip(model: &Model) {
    let bytes = compiled::encode(model);
    assert_eq!(
        compiled::decode(&bytes).as_ref(),
        Ok(model),
        "compiled bytes"
    );
    let text = compiled::encode_text(model);
    assert_eq!(
        compiled::decode_text(&text).as_ref(),
        Ok(model),
        "compiled text"
    );
}

/// A session of a model that did not come from the reader (a hand-made compiled body): it
/// must not panic, whatever it scores.
fn exercise(model: Model) {
    let model = Arc::new(model);
    let events: Vec<String> = leadpulse_fuzz::script(&model)
        .iter()
        .map(|e| e.to_string())
        .collect();
    let mut session = leadpulse::core::engine::Session::new(model.clone(), "");
    let mut now = leadpulse_fuzz::START;
    for text in &events {
        let defaults = leadpulse::core::event::Defaults::default();
        if let Ok(event) = leadpulse::core::event::Event::from_json(text, defaults) {
            now = now.max(event.time);
            let _ = session.track(&event, now);
        }
    }
    let _ = session.snapshot(now);
    let _ = session.handoff(now, Default::default());
    let _ = leadpulse::core::state::save(&session);
}

fuzz_target!(|data: &[u8]| {
    // Compiled bytes as they are (the checksum stops almost all mutations) …
    if let Ok(model) = compiled::decode(data) {
        exercise(model);
    }
    // … and the same bytes as the body of a valid frame.
    if data.len() <= compiled::MAX_BYTES - 8 {
        let mut framed = b"LPM".to_vec();
        framed.push(compiled::FORMAT);
        framed.extend_from_slice(data);
        framed.extend_from_slice(&crc32(&framed).to_le_bytes());
        if let Ok(model) = compiled::decode(&framed) {
            exercise(model);
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(model) = compiled::decode_text(text) {
        exercise(model);
    }
    match Model::from_json_text(text) {
        Ok(model) => {
            assert_eq!(model.hash.len(), 16);
            assert!(model.hash.bytes().all(|c| c.is_ascii_hexdigit()));
            compiled_round_trip(&model);
            leadpulse_fuzz::drive(Arc::new(model));
        }
        Err(error) => {
            assert!(!error.0.is_empty(), "an invalid model without a problem");
            assert!(!error.describe().is_empty());
        }
    }
});
