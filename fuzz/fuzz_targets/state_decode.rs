//! Saved state past its framing: the input is the body of a valid frame (`"LP"`, version 1
//! or 2 from the first byte, CRC-32), so the decoder's field-by-field reading is what gets
//! fuzzed (random text almost never passes the checksum). What restores must never panic
//! the engine, and must save and restore to itself; the raw input is also tried as saved
//! text, unframed.
#![no_main]
use std::sync::{Arc, OnceLock};

use leadpulse::core::encoding::{base64url, crc32::crc32};
use leadpulse::core::engine::Session;
use leadpulse::core::event::{Defaults, Event};
use leadpulse::core::model::Model;
use leadpulse::core::state::{restore, restore_for, save, MAX_STATE_CHARS};
use leadpulse::core::time::MINUTE;
use libfuzzer_sys::fuzz_target;

fn builtin() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Arc::new(Model::builtin())).clone()
}

/// A restored session: reads, a save round trip, and one more event.
fn exercise(mut session: Session) {
    let now = session.state().last_seen;
    leadpulse_fuzz::check_snapshot(&session, now);
    leadpulse_fuzz::check_snapshot(&session, now.saturating_add(400 * 24 * 60 * MINUTE));
    let text = save(&session);
    assert!(text.len() <= MAX_STATE_CHARS);
    let again = restore(builtin(), &text)
        .unwrap_or_else(|e| panic!("a restored state saved as {text} does not restore: {e}"));
    if save(&again) != text {
        panic!("save(restore(save(s))) != save(s) for {text}");
    }
    if again.state() != session.state() {
        // Only what `save` sheds to stay under its cap may differ.
        let (a, b) = (session.state(), again.state());
        assert_eq!(a.visitor, b.visitor);
        assert_eq!(a.stage, b.stage);
        assert_eq!(a.last_seen, b.last_seen);
        assert_eq!((a.mql, a.sql), (b.mql, b.sql));
    }
    let _ = session.summary(now, Default::default());
    let _ = session.handoff(now, Default::default());
    let stage = session.state().stage;
    let visitor = if session.visitor().is_empty() {
        "v".to_string()
    } else {
        session.visitor().to_string()
    };
    let event = serde_json::json!({"type": "page", "anonymousId": visitor,
        "timestamp": now.max(leadpulse::core::time::FIRST_EVENT) + MINUTE,
        "properties": {"path": "/pricing"}});
    if let Ok(event) = Event::from_json(&event.to_string(), Defaults::default()) {
        if session.track(&event, event.time).is_ok() {
            assert!(session.state().stage >= stage, "stage went back");
            let _ = session.snapshot(event.time);
            let _ = save(&session);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let mut bytes = b"LP".to_vec();
    bytes.push(1 + first % 2);
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&crc32(&bytes).to_le_bytes());
    let text = base64url::encode(&bytes);
    // The visitor a page would ask for: the state's own, or none.
    let visitor = if first & 0x80 != 0 { "" } else { "visitor" };
    if let Ok(session) = restore_for(builtin(), &text, visitor) {
        exercise(session);
    }
    if let Ok(raw) = std::str::from_utf8(data) {
        if let Ok(session) = restore(builtin(), raw) {
            exercise(session);
        }
    }
});
