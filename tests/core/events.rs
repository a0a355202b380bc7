//! Event parsing: the contract format, and clear rejections naming the field.
use leadpulse::core::event::{Event, EventKind, Scalar};
use leadpulse::core::json::{self, ProblemKind};
use serde_json::json;

/// A serde_json test document as the engine's JSON value.
fn lp(value: &serde_json::Value) -> json::Value {
    serde_json::from_value(value.clone()).unwrap()
}

fn reject(event: serde_json::Value) -> (String, ProblemKind, String) {
    let p = Event::parse(&lp(&event), None).unwrap_err();
    (p.path, p.kind, p.message)
}

#[test]
fn parses_every_event_type() {
    let base = json!({"anonymousId": "a", "timestamp": "2026-01-01T00:00:00Z"});
    let with = |extra: serde_json::Value| {
        let mut e = base.clone();
        e.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        Event::parse(&lp(&e), None).unwrap().kind
    };
    assert!(
        matches!(with(json!({"type": "page", "properties": {"url": "https://x.io/pricing/?utm_source=g#top"}})),
        EventKind::Page { path, search: Some(search), .. } if path == "/pricing" && search == "?utm_source=g")
    );
    assert!(
        matches!(with(json!({"type": "track", "event": "Demo Requested", "properties": {"plan": "pro", "extra": [1]}})),
        EventKind::Track { name, .. } if name == "Demo Requested")
    );
    let EventKind::Identify { traits } = with(
        json!({"type": "identify", "traits": {"title": "CTO", "company": {"employee_count": 80}}}),
    ) else {
        panic!()
    };
    assert!(traits.contains(&("company.employee_count".into(), Scalar::Number(80.0))));
    assert!(
        matches!(with(json!({"type": "engagement", "properties": {"seconds": 12.5, "scroll": 40, "path": "/blog/a/"}})),
        EventKind::Engagement { seconds, path: Some(p), .. } if seconds == 12.5 && p == "/blog/a")
    );
    assert!(
        matches!(with(json!({"type": "answer", "properties": {"slot": "budget", "value": " approved "}})),
        EventKind::Answer { value: Scalar::Text(v), .. } if v == "approved")
    );
}

#[test]
fn visitor_key_time_context_and_message_id() {
    let e = Event::parse(
        &lp(&json!({"type": "page", "userId": "u1", "timestamp": 1_767_225_600_000i64, "messageId": "m",
        "context": {"userAgent": "Mozilla/5.0"}, "properties": {"path": "/"}})),
        None,
    )
    .unwrap();
    assert_eq!(
        (e.visitor.as_str(), e.time, e.message_id.as_deref()),
        ("u1", 1_767_225_600_000, Some("m"))
    );
    assert_eq!(e.user_agent.as_deref(), Some("Mozilla/5.0"));
    let both = Event::parse(&lp(&json!({"type": "page", "anonymousId": "a", "userId": "u", "timestamp": 1_767_225_600_000i64, "properties": {"path": "/"}})), None).unwrap();
    assert_eq!(
        both.visitor, "a",
        "anonymousId is the visitor key; userId is kept as identity"
    );
    let stamped = Event::parse(
        &lp(&json!({"type": "page", "anonymousId": "a", "properties": {"path": "/"}})),
        Some(42),
    )
    .unwrap();
    assert_eq!(
        stamped.time, 42,
        "a missing timestamp takes the caller's now"
    );
}

#[test]
fn malformed_events_name_the_field() {
    let cases = [
        (json!([]), "", ProblemKind::Type, "expected an object"),
        (
            json!({"anonymousId": "a", "timestamp": 1_767_225_600_000i64}),
            "type",
            ProblemKind::Missing,
            "missing",
        ),
        (
            json!({"type": "click", "anonymousId": "a", "timestamp": 1_767_225_600_000i64}),
            "type",
            ProblemKind::Range,
            "unknown event type 'click'",
        ),
        (
            json!({"type": "page", "timestamp": 1_767_225_600_000i64, "properties": {"path": "/"}}),
            "anonymousId",
            ProblemKind::Missing,
            "anonymousId or userId",
        ),
        (
            json!({"type": "page", "anonymousId": "", "timestamp": 1_767_225_600_000i64}),
            "anonymousId",
            ProblemKind::Range,
            "empty",
        ),
        (
            json!({"type": "page", "anonymousId": 5, "timestamp": 1_767_225_600_000i64}),
            "anonymousId",
            ProblemKind::Type,
            "expected a string",
        ),
        (
            json!({"type": "page", "anonymousId": "a", "properties": {"path": "/"}}),
            "timestamp",
            ProblemKind::Missing,
            "missing",
        ),
        (
            json!({"type": "page", "anonymousId": "a", "timestamp": "yesterday"}),
            "timestamp",
            ProblemKind::Range,
            "ISO-8601",
        ),
        (
            json!({"type": "page", "anonymousId": "a", "timestamp": true}),
            "timestamp",
            ProblemKind::Type,
            "found a boolean",
        ),
        (
            json!({"type": "page", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {}}),
            "properties.path",
            ProblemKind::Missing,
            "path or properties.url",
        ),
        (
            json!({"type": "page", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {"path": "pricing"}}),
            "properties.path",
            ProblemKind::Range,
            "start with '/'",
        ),
        (
            json!({"type": "track", "anonymousId": "a", "timestamp": 1_767_225_600_000i64}),
            "event",
            ProblemKind::Missing,
            "missing",
        ),
        (
            json!({"type": "identify", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "traits": "ceo"}),
            "traits",
            ProblemKind::Type,
            "expected an object",
        ),
        (
            json!({"type": "engagement", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {"seconds": "10"}}),
            "properties.seconds",
            ProblemKind::Type,
            "expected a number",
        ),
        (
            json!({"type": "engagement", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {"seconds": -1}}),
            "properties.seconds",
            ProblemKind::Range,
            "between 0 and 86400",
        ),
        (
            json!({"type": "engagement", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {"seconds": 1, "scroll": 101}}),
            "properties.scroll",
            ProblemKind::Range,
            "between 0 and 100",
        ),
        (
            json!({"type": "answer", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {"slot": "budget"}}),
            "properties.value",
            ProblemKind::Missing,
            "missing",
        ),
        (
            json!({"type": "answer", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "properties": {"slot": "budget", "value": {"x": 1}}}),
            "properties.value",
            ProblemKind::Type,
            "string, number or boolean",
        ),
        (
            json!({"type": "page", "anonymousId": "a", "timestamp": 1_767_225_600_000i64, "context": "ua", "properties": {"path": "/"}}),
            "context",
            ProblemKind::Type,
            "expected an object",
        ),
    ];
    for (event, path, kind, fragment) in cases {
        let (p, k, message) = reject(event.clone());
        assert_eq!((p.as_str(), k), (path, kind), "{event}: {message}");
        assert!(message.contains(fragment), "{event}: {message}");
    }
}

/// The typed fast path (JSON text straight into the event's fields) and the generic reader
/// agree on every fixture event, accepted or rejected.
#[test]
fn the_fast_path_and_the_reader_agree_on_every_fixture_event() {
    use leadpulse::core::event::Defaults;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let case: serde_json::Value = serde_json::from_str(&text).unwrap();
        for event in case["events"].as_array().unwrap() {
            let line = event.to_string();
            let defaults = Defaults {
                visitor: "",
                time: Some(1_767_225_600_000),
            };
            let fast = Event::from_json(&line, defaults);
            let slow = leadpulse::core::event::RawEvent::from_value(&lp(event))
                .and_then(|raw| raw.check(defaults));
            assert_eq!(fast, slow, "{line}");
            seen += 1;
        }
    }
    assert!(seen > 50);
    for odd in [
        r#"{"type": 3}"#,
        r#"{"type": "page", "timestamp": true, "properties": {"path": "/"}, "anonymousId": "a"}"#,
        r#"{"type": "page", "context": {"webdriver": "yes"}, "properties": {"path": "/"}, "anonymousId": "a"}"#,
        r#"[1, 2]"#,
    ] {
        let defaults = Defaults {
            visitor: "",
            time: Some(0),
        };
        let value: serde_json::Value = serde_json::from_str(odd).unwrap();
        let slow = leadpulse::core::event::RawEvent::from_value(&lp(&value))
            .and_then(|raw| raw.check(defaults));
        assert_eq!(Event::from_json(odd, defaults), slow, "{odd}");
    }
}
