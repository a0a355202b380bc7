//! Persisted state: round trip, bounds, and rejection of anything corrupt or foreign.
use crate::common;

use common::*;
use leadpulse::core::state::{restore, save, StateError, MAX_STATE_CHARS};
use leadpulse::core::time::{DAY, MINUTE};
use serde_json::json;

fn typical() -> Visitor {
    let mut v = Visitor::new("anon-4f1c9a2e-6b7d-4e0a-9c3b-2d8f5e1a7b60");
    let t = at("2026-10-01T09:00:00Z");
    buying_journey(&mut v, t);
    v.engage(t + 4 * DAY + MINUTE, "/pricing", 95.0).answer(
        t + 4 * DAY + 2 * MINUTE,
        "budget",
        "approved",
    );
    v
}

#[test]
fn a_saved_session_restores_to_the_same_snapshots() {
    let v = typical();
    let text = save(&v.session);
    let restored = restore(builtin(), &text).unwrap();
    assert_eq!(restored.state(), v.session.state());
    for days in [0, 3, 30, 300] {
        let t = at("2026-10-06T00:00:00Z") + days * DAY;
        assert_eq!(restored.snapshot(t), v.session.snapshot(t));
    }
}

#[test]
fn typical_state_is_small_and_every_state_respects_the_cap() {
    let text = save(&typical().session);
    assert!(text.len() <= 1024, "typical visitor: {} chars", text.len());
    let mut heavy = Visitor::new("heavy");
    let t = at("2026-01-01T00:00:00Z");
    let long = "x".repeat(2000);
    let traits: serde_json::Map<String, serde_json::Value> = (0..40)
        .map(|i| (format!("trait_{i}"), json!(long)))
        .collect();
    heavy.identify(t, serde_json::Value::Object(traits));
    for i in 0..500 {
        heavy.apply(json!({"type": "page", "anonymousId": "heavy", "messageId": format!("m{i}"), "timestamp": t + i * MINUTE * 3, "properties": {"path": "/pricing"}}));
    }
    let text = save(&heavy.session);
    assert!(text.len() <= MAX_STATE_CHARS, "{}", text.len());
    assert!(restore(builtin(), &text).is_ok());
}

#[test]
fn corrupt_truncated_foreign_and_oversized_state_is_rejected_with_a_reason() {
    let text = save(&typical().session);
    let mut flipped = text.clone().into_bytes();
    flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
    type Check = fn(&StateError) -> bool;
    let cases: Vec<(String, Check)> = vec![
        (String::new(), |e| *e == StateError::Empty),
        ("x".repeat(MAX_STATE_CHARS + 1), |e| {
            matches!(e, StateError::TooLarge { .. })
        }),
        ("not base64!".into(), |e| {
            matches!(e, StateError::NotBase64 { .. })
        }),
        ("eyJzY29yZSI6IDEwfQ".into(), |e| *e == StateError::Foreign),
        ("TFAH".into(), |e| *e == StateError::UnsupportedVersion(7)),
        (text[..text.len() / 2].to_string(), |e| {
            matches!(
                e,
                StateError::Checksum | StateError::Malformed { .. } | StateError::NotBase64 { .. }
            )
        }),
        (String::from_utf8(flipped).unwrap(), |e| {
            *e == StateError::Checksum
        }),
    ];
    for (input, expected) in cases {
        let error = restore(builtin(), &input).unwrap_err();
        assert!(expected(&error), "{input:.40}: {error:?}");
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn random_bytes_never_panic() {
    // A deterministic xorshift stream: thousands of garbage and bit-flipped inputs.
    let valid = save(&typical().session).into_bytes();
    let model = builtin();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for _ in 0..3000 {
        let mut input = valid.clone();
        let flips = 1 + next() % 4;
        for _ in 0..flips {
            let at = (next() as usize) % input.len();
            input[at] = alphabet[(next() as usize) % alphabet.len()];
        }
        let _ = restore(model.clone(), std::str::from_utf8(&input).unwrap());
        let len = (next() % 200) as usize;
        let garbage: String = (0..len)
            .map(|_| alphabet[(next() as usize) % alphabet.len()] as char)
            .collect();
        let _ = restore(model.clone(), &format!("TFAB{garbage}"));
    }
}

#[test]
fn a_changed_model_rescores_the_stored_evidence() {
    let v = typical();
    let text = save(&v.session);
    let mut doc: serde_json::Value =
        serde_json::from_str(leadpulse::core::model::BUILTIN_JSON).unwrap();
    let rules = doc["rules"].as_array_mut().unwrap();
    let demo = rules
        .iter_mut()
        .find(|r| r["id"] == "demo_request")
        .unwrap();
    demo["points"] = json!(40);
    rules.retain(|r| r["id"] != "pricing_revisit");
    // Without axis caps, so that the comparison is not blurred by cap scaling.
    doc.as_object_mut().unwrap().remove("caps");
    let changed =
        std::sync::Arc::new(leadpulse::core::model::Model::from_value(&lp(&doc)).unwrap());
    let rescored = restore(changed, &text).unwrap();
    let t = at("2026-10-06T00:00:00Z");
    let (old, new) = (v.session.snapshot(t), rescored.snapshot(t));
    assert!(reason(&new, "demo_request") > reason(&old, "demo_request"));
    assert_eq!(reason(&new, "pricing_revisit"), 0);
    assert_eq!(
        reason(&new, "case_study_download"),
        reason(&old, "case_study_download")
    );
    assert!(
        reason(&new, "case_study_download") > 0,
        "evidence for unchanged rules carries over"
    );
}
