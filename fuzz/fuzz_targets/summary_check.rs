//! A summary as the collector receives it: `Summary::from_json` then `check(now)`
//! never panic, and a summary that passes is stable: its JSON re-serialised (as a forwarder
//! would) reads back to the same summary, passes again and stays within `MAX_BYTES`.
#![no_main]
use leadpulse::core::summary::{Summary, MAX_BYTES};
use libfuzzer_sys::fuzz_target;

/// 2030-01-01T00:00:00Z: "now" for the plausibility of summary times.
const NOW: i64 = 1_893_456_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(summary) = Summary::from_json(data) else {
        return;
    };
    if summary.check(NOW).is_err() {
        return;
    }
    let value: serde_json::Value =
        serde_json::from_slice(data).expect("a summary that reads is JSON");
    let text = value.to_string();
    assert!(
        text.len() <= MAX_BYTES,
        "a valid summary re-serialises to {} bytes",
        text.len()
    );
    let again = Summary::from_json(text.as_bytes())
        .unwrap_or_else(|p| panic!("re-serialised summary does not read: {p:?}\n{text}"));
    assert_eq!(again, summary, "re-serialised summary differs");
    assert!(
        again.check(NOW).is_ok(),
        "re-serialised summary fails the check"
    );
});
