//! One summary contract: every summary the engine builds is one the collector accepts
//! (`Summary::check`), also from hostile inputs; and the collector refuses what the
//! engine never builds, naming the field.
use crate::common;

use common::*;
use leadpulse::core::summary::{Runtime, Summary, SummaryOptions};
use leadpulse::core::time::{DAY, MINUTE};
use serde_json::json;

const OPTIONS: SummaryOptions = SummaryOptions {
    runtime: Runtime::Browser,
    include_email: true,
    shadow: None,
};

fn accepted(json: &str, now: i64) -> Result<(), String> {
    let summary = Summary::from_json(json.as_bytes()).map_err(|p| p.describe())?;
    summary.check(now).map_err(|p| p.describe())
}

#[test]
fn summaries_built_from_hostile_inputs_pass_the_collectors_check() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("v");
    let noise = "\u{0}\u{1b}[31m\u{202E}x\n".repeat(60);
    v.apply(json!({"type": "page", "anonymousId": "v", "timestamp": t,
        "properties": {"path": format!("/pricing?{noise}"), "referrer": format!("https://ex\u{7}ample.com/{noise}"),
            "search": format!("?utm_source=%00%01{noise}&utm_campaign=%E2%80%AEevil%0A%0D{}", "y".repeat(5000))}}));
    v.identify(
        t + MINUTE,
        json!({"email": "dana@acme.io", "title": format!("VP {noise}"), "name": "x".repeat(4000),
               "company": {"name": noise.clone(), "employee_count": 240, "industry": "Software"}}),
    );
    for (i, (slot, value)) in [
        ("budget", "approved"),
        ("authority", "decision maker"),
        ("need", "lead routing"),
    ]
    .into_iter()
    .enumerate()
    {
        v.answer(t + (2 + i as i64) * MINUTE, slot, value);
    }
    v.track(
        t + 6 * MINUTE,
        "Question Asked",
        json!({"question": noise.clone()}),
    );
    v.track(t + 7 * MINUTE, "Demo Requested", json!({}));
    let now = t + 8 * MINUTE;
    let summary = v
        .session
        .summary(now, OPTIONS)
        .expect("a hand-raiser is handed off");
    let json = summary.to_json();
    assert!(json.len() <= 4096, "{} bytes", json.len());
    assert_eq!(accepted(&json, now), Ok(()), "{json}");
}

#[test]
fn every_fixture_summary_passes_the_collectors_check() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        if case["model"] != "builtin" {
            continue;
        }
        let at_time = at(case["at"].as_str().unwrap());
        let mut visitors: Vec<Visitor> = Vec::new();
        for event in case["events"].as_array().unwrap() {
            let key = event["anonymousId"]
                .as_str()
                .or(event["userId"].as_str())
                .unwrap();
            if !visitors.iter().any(|v| v.id == key) {
                visitors.push(Visitor::new(key));
            }
            let v = visitors.iter_mut().find(|v| v.id == key).unwrap();
            if let Ok(parsed) = leadpulse::core::event::Event::parse(&lp(event), Some(at_time)) {
                let _ = v.session.apply(&parsed, parsed.time);
            }
        }
        for v in &visitors {
            if let Some(summary) = v.session.summary(at_time, OPTIONS) {
                assert_eq!(accepted(&summary.to_json(), at_time + DAY), Ok(()));
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "{checked} summaries checked");
}

#[test]
fn the_collector_refuses_what_the_engine_never_builds_and_names_the_field() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("v");
    buying_journey(&mut v, t);
    let now = t + 5 * DAY;
    let good: serde_json::Value =
        serde_json::from_str(&v.session.summary(now, OPTIONS).unwrap().to_json()).unwrap();
    let refused = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut bad = good.clone();
        edit(&mut bad);
        let json = bad.to_string();
        let problem = Summary::from_json(json.as_bytes())
            .and_then(|s| s.check(now))
            .expect_err("an impossible summary is refused");
        problem.path
    };
    assert_eq!(refused(&|s| s["score"] = json!(1e308)), "score");
    assert_eq!(refused(&|s| s["score"] = json!(999_999)), "score");
    assert_eq!(refused(&|s| s["stage"] = json!("visitor")), "stage");
    assert_eq!(refused(&|s| s["visitor"] = json!("a\u{0}b")), "visitor");
    assert_eq!(
        refused(&|s| s["visitor"] = json!("evil\u{202E}gnp.exe")),
        "visitor"
    );
    assert_eq!(
        refused(&|s| s["firstSeen"] = json!("0000-01-01T00:00:00.000Z")),
        "firstSeen"
    );
    assert_eq!(
        refused(&|s| s["qualifiedAt"] = json!("9999-12-31T00:00:00.000Z")),
        "qualifiedAt"
    );
    assert_eq!(refused(&|s| s["grade"] = json!("A".repeat(40))), "grade");
    assert_eq!(refused(&|s| s["grade"] = json!("")), "grade");
    assert_eq!(
        refused(&|s| s["reasons"][0]["points"] = json!("ten")),
        "reasons[0].points"
    );
    assert_eq!(refused(&|s| s["extra"] = json!(1)), "extra");
    assert_eq!(
        refused(&|s| s["frameworks"]["BANT"]["coverage"] = json!(101)),
        "frameworks.BANT.coverage"
    );
    assert_eq!(
        refused(&|s| s["source"]["first"]["utm"]["source"] = json!("x\u{1}")),
        "source.first.utm.source"
    );
    let too_big = format!("{{\"pad\": \"{}\"}}", "x".repeat(5000));
    assert!(Summary::from_json(too_big.as_bytes()).is_err());
}

/// The summary is an object: serde alone would also read the fields in order from an array
/// (and its error would name a Rust type), so an array of the same values is refused.
#[test]
fn a_summary_is_an_object_not_an_array_of_its_fields() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("v");
    buying_journey(&mut v, t);
    let now = t + 5 * DAY;
    let good: serde_json::Value =
        serde_json::from_str(&v.session.summary(now, OPTIONS).unwrap().to_json()).unwrap();
    let fields: Vec<serde_json::Value> = good.as_object().unwrap().values().cloned().collect();
    for (text, found) in [
        (
            serde_json::Value::Array(fields).to_string(),
            "an array at line 1 column 1",
        ),
        ("[]".to_string(), "an array at line 1 column 1"),
        (" \"lp\"".to_string(), "a string at line 1 column 2"),
        ("\n\n  42".to_string(), "a number at line 3 column 3"),
        ("null".to_string(), "null at line 1 column 1"),
    ] {
        let problem = Summary::from_json(text.as_bytes()).expect_err("refused");
        assert_eq!(problem.path, "");
        assert_eq!(
            problem.message,
            format!("expected a JSON object (a lead summary), found {found}")
        );
    }
}

/// Whatever the model, scores stay within the contract: rule and answer points are at most
/// ±1000 (the reader), and each axis at most ±50000 (the engine), so a model without caps
/// whose rule counts every time still makes summaries the collector accepts, with reasons that
/// add up (fuzzing found a validating model with 1e308 points that overflowed them).
#[test]
fn an_uncapped_model_counting_every_event_stays_within_the_contract() {
    use leadpulse::core::engine::Session;
    use leadpulse::core::event::{Defaults, Event};
    use leadpulse::core::model::{Model, BUILTIN_JSON};
    use std::sync::Arc;

    let mut doc: serde_json::Value = serde_json::from_str(BUILTIN_JSON).unwrap();
    doc.as_object_mut().unwrap().remove("caps");
    doc["rules"] = json!([
        {"id": "any_page", "when": {"page": "/**"}, "points": 1000, "frequency": "every"},
        {"id": "senior", "when": {"trait": "title", "contains": ["vp"]}, "points": 1000},
        {"id": "demo_request", "when": {"event": "Demo Requested"}, "points": 1000},
        {"id": "contact_sales", "when": {"event": "Contact Sales"}, "points": 1000},
        {"id": "trial_request", "when": {"event": "Trial Requested"}, "points": 1000},
    ]);
    doc["stages"]["sql"]["routes"][0]["rules"] = json!(["demo_request"]);
    let model = Arc::new(Model::from_json_text(&doc.to_string()).expect("a valid model"));
    let mut session = Session::new(model, "v");
    let t = at("2026-11-02T09:00:00Z");
    let event = |i: i64, value: serde_json::Value| {
        let mut value = value;
        value["anonymousId"] = json!("v");
        // Three minutes apart: faster page bursts are a bot's.
        value["timestamp"] = json!(t + i * 3 * MINUTE);
        Event::from_json(&value.to_string(), Defaults::default()).unwrap()
    };
    let identify = event(
        0,
        json!({"type": "identify", "traits": {"email": "v@acme.io", "title": "VP Sales"}}),
    );
    session.apply(&identify, identify.time).unwrap();
    for i in 1..=200 {
        let page = event(
            i,
            json!({"type": "page", "properties": {"path": format!("/p{i}")}}),
        );
        session.apply(&page, page.time).unwrap();
    }
    let demo = event(250, json!({"type": "track", "event": "Demo Requested"}));
    session.apply(&demo, demo.time).unwrap();
    let now = t + 300 * 3 * MINUTE;
    let snap = session.snapshot(now);
    assert_eq!(
        snap.engagement, 50_000,
        "200 × 1000 points, held at the axis bound"
    );
    assert_eq!(
        snap.reasons.iter().map(|r| r.points).sum::<i64>(),
        snap.score
    );
    let summary = session
        .handoff(now, OPTIONS)
        .expect("an SQL by the hand-raise");
    assert_eq!(
        accepted(&summary.to_json(), now),
        Ok(()),
        "{}",
        summary.to_json()
    );
    doc["rules"][0]["points"] = json!(1e308);
    let refused = Model::from_json_text(&doc.to_string()).unwrap_err();
    assert!(
        refused.0.iter().any(|p| p.path == "rules[0].points"),
        "{refused:?}"
    );
}

/// The request contract (a visitor asking to be contacted): the shared fixture passes, and a
/// form's fields fill the same traits as in JavaScript (tests/fixtures/request/traits.json,
/// replayed by tests/tracker/request.test.mjs).
#[test]
fn the_request_fixture_passes_and_fields_fill_the_shared_traits() {
    use leadpulse::core::request::{traits, Request};
    let root = env!("CARGO_MANIFEST_DIR");
    let valid = std::fs::read(format!("{root}/tests/fixtures/request/valid.json")).unwrap();
    let request = Request::from_json(&valid).unwrap();
    request
        .check(leadpulse::core::time::parse_iso("2026-11-20T10:00:00Z").unwrap())
        .unwrap();
    let cases: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/tests/fixtures/request/traits.json")).unwrap(),
    )
    .unwrap();
    for case in cases["cases"].as_array().unwrap() {
        let fields = serde_json::from_value(case["fields"].clone()).unwrap();
        let got = serde_json::to_value(traits(&fields)).unwrap();
        let want = case["traits"].as_object().unwrap();
        let got = got.as_object().unwrap();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{}",
            case["fields"]
        );
        for (name, value) in want {
            // NOTE: numbers compare as numbers (the core keeps them as f64).
            let same = match (value.as_f64(), got[name].as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => value == &got[name],
            };
            assert!(same, "{name}: {} ≠ {}", got[name], value);
        }
    }
}
