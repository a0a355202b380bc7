//! A request as the collector receives it (a visitor asking to be contacted):
//! `Request::from_json` then `check(now)` never panic, and a request that passes is stable: it
//! re-serialises (as the collector stores a form post it built) to JSON that reads back to the
//! same request, passes again and stays within `MAX_BYTES`; the traits its fields fill never
//! panic either.
#![no_main]
use leadpulse::core::request::{traits, Request, MAX_BYTES};
use libfuzzer_sys::fuzz_target;

/// 2030-01-01T00:00:00Z: "now" for the plausibility of the request's time.
const NOW: i64 = 1_893_456_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = Request::from_json(data) else {
        return;
    };
    let _ = traits(&request.fields);
    if request.check(NOW).is_err() {
        return;
    }
    let text = serde_json::to_string(&request).expect("a request serialises");
    assert!(
        text.len() <= MAX_BYTES,
        "a valid request re-serialises to {} bytes",
        text.len()
    );
    let again = Request::from_json(text.as_bytes())
        .unwrap_or_else(|p| panic!("re-serialised request does not read: {p:?}\n{text}"));
    assert_eq!(again, request, "re-serialised request differs");
    assert!(
        again.check(NOW).is_ok(),
        "re-serialised request fails the check"
    );
});
