//! Replays the shared fixtures (`tests/fixtures/cases/*.json`) through the core, exactly as
//! the wasm, JS and edge tests replay them (docs/contracts.md, "Shared fixtures").
//!
//! `LEADPULSE_BLESS=1 cargo test -p leadpulse --test core fixtures::` rewrites `expected` from the engine's
//! output; review the diff before committing it. The behaviour itself is pinned by the
//! scenario tests (scoring_domain.rs, scoring_mechanics.rs); fixtures pin agreement
//! between runtimes.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::json as lp_json;
use leadpulse::core::model::{compiled, Model};
use leadpulse::core::time::{self, Millis};
use serde_json::{json, Value};

/// A fixture document as the engine's JSON value.
fn lp(value: &Value) -> lp_json::Value {
    serde_json::from_value(value.clone()).unwrap()
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn event_time(event: &Value) -> Option<Millis> {
    match &event["timestamp"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => time::parse_iso(s),
        _ => None,
    }
}

/// Replays one case: the snapshot lines, and the (index, path) of every rejected event.
fn replay(case: &Value) -> (Vec<Value>, Vec<(usize, String)>) {
    let model = match &case["model"] {
        Value::String(s) if s == "builtin" => Model::builtin(),
        doc => Model::from_value(&lp(doc)).unwrap_or_else(|e| panic!("fixture model: {e}")),
    };
    let model = Arc::new(model);
    let at = time::parse_iso(case["at"].as_str().unwrap()).unwrap();
    let rejected_indices: Vec<u64> = case["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    let mut sessions: Vec<(String, Session)> = Vec::new();
    let mut rejected = Vec::new();
    for (index, event) in case["events"].as_array().unwrap().iter().enumerate() {
        let key = event["anonymousId"]
            .as_str()
            .or(event["userId"].as_str())
            .expect("fixture events carry a visitor key");
        if !sessions.iter().any(|(k, _)| k == key) {
            sessions.push((key.to_string(), Session::new(model.clone(), key)));
        }
        let session = &mut sessions.iter_mut().find(|(k, _)| k == key).unwrap().1;
        // The harness contract: expected rejections run at the case's `at`, others at their own time.
        let now = if rejected_indices.contains(&(index as u64)) {
            at
        } else {
            event_time(event).unwrap_or(at)
        };
        let before = session.state().clone();
        let result =
            Event::parse(&lp(event), Some(now)).and_then(|e| session.apply(&e, now).map(|_| ()));
        if let Err(problem) = result {
            assert_eq!(session.state(), &before, "a rejected event changed nothing");
            rejected.push((index, problem.path));
        }
    }
    let lines = sessions
        .iter()
        .map(|(key, session)| {
            let mut line = json!({ "visitor": key });
            line.as_object_mut().unwrap().extend(
                serde_json::to_value(session.snapshot(at))
                    .unwrap()
                    .as_object()
                    .unwrap()
                    .clone(),
            );
            line
        })
        .collect();
    (lines, rejected)
}

#[test]
fn every_fixture_replays_to_its_expected_snapshots() {
    let bless = std::env::var("LEADPULSE_BLESS").is_ok_and(|v| v == "1");
    let files = cases();
    assert!(files.len() >= 8, "fixtures found: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut case: Value = serde_json::from_str(&text).unwrap();
        let (lines, rejected) = replay(&case);
        let expected_rejections: Vec<(usize, String)> = case["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["index"].as_u64().unwrap() as usize,
                    r["path"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            rejected,
            expected_rejections,
            "{}: rejections",
            file.display()
        );
        // An inline model also travels compiled, for the browser build (which reads no
        // documents): the text must be what this engine compiles the document to.
        let compiled = match &case["model"] {
            Value::Object(_) => Some(Value::String(compiled::encode_text(
                &Model::from_value(&lp(&case["model"])).unwrap(),
            ))),
            _ => None,
        };
        if bless {
            if let Some(text) = compiled {
                case["compiled"] = text;
            }
            case["expected"] = Value::Array(lines);
            std::fs::write(&file, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
        } else {
            if let Some(text) = compiled {
                assert_eq!(
                    case["compiled"],
                    text,
                    "{}: `compiled` is stale (LEADPULSE_BLESS=1 cargo test -p leadpulse --test core fixtures::)",
                    file.display()
                );
            }
            assert_eq!(
                Value::Array(lines),
                case["expected"],
                "{}: snapshots",
                file.display()
            );
        }
    }
}

#[test]
fn the_wasm_tests_replay_every_fixture() {
    let web = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web.rs"))
        .unwrap();
    for file in cases() {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            web.contains(&format!("fixtures/cases/{name}")),
            "tests/web.rs must include {name}"
        );
    }
}
