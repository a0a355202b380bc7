//! Events as a page, a worker or `replay` sends them: a fixture document (`{"model"?,
//! "events"}`), an array (a `trackAll` batch), one event or JSON lines. Each is read, checked
//! and applied to a session per visitor (the built-in model, or the document's own when it
//! validates), and after each: the step agrees with the snapshot, reasons sum to the score,
//! the stage never goes back, a due summary is handed off and passes the collector's contract
//! within `summary::MAX_BYTES`; at the end the state saves and restores to itself.
#![no_main]
use std::sync::{Arc, OnceLock};

use leadpulse::core::event::{Defaults, Event, RawBatch, RawEvent, MAX_BATCH};
use leadpulse::core::model::Model;
use libfuzzer_sys::fuzz_target;

/// Events played per input (a batch holds up to 1000; more adds time, not coverage).
const MAX_EVENTS: usize = 64;

fn builtin() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Arc::new(Model::builtin())).clone()
}

/// The two readers of one event agree: the typed fast path with its fallback
/// (`Event::from_json`) and serde into a `RawEvent` (what the wasm binding does).
fn readers_agree(text: &str) {
    let defaults = Defaults {
        visitor: "",
        time: Some(leadpulse_fuzz::START),
    };
    let fast = Event::from_json(text, defaults);
    if let Ok(raw) = serde_json::from_str::<RawEvent>(text) {
        if let (Ok(a), Ok(b)) = (&fast, raw.check(defaults)) {
            assert_eq!(a, &b, "the event readers disagree on {text}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(batch) = serde_json::from_str::<RawBatch>(text) {
        assert!(batch.0.len() <= MAX_BATCH);
        for raw in batch.0.iter().take(MAX_EVENTS) {
            let _ = raw.check(Defaults::default());
        }
    }
    let (doc_model, events) = leadpulse_fuzz::events_of(text);
    let events = &events[..events.len().min(MAX_EVENTS)];
    for event in events {
        readers_agree(event);
    }
    // The document's own model when it validates, else the built-in.
    let own = doc_model.and_then(|doc| Model::from_json_text(&doc.to_string()).ok());
    match own {
        Some(model) => leadpulse_fuzz::play(Arc::new(model), events, 8),
        None => leadpulse_fuzz::play(builtin(), events, 8),
    }
});
