//! The guard rails of issue 19, each by its message: outcome ids without events (some, and
//! none at all) in fit and compare; `compare --holdout` measuring exactly fit's held-out
//! leads; `validate --against` naming what a model tests that the history never has; import
//! sniffing a European (`;`) export and naming the delimiter when the header does not fit.

use crate::command::{leadpulse, scratch};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// 800 leads: a demo request and a role carry the outcome (deterministic, no randomness
/// needed: every fifth lead of each kind breaks the pattern).
fn history(dir: &Path) -> (PathBuf, PathBuf) {
    let (mut events, mut outcomes) = (String::new(), String::from("visitor,converted\n"));
    for i in 0..800i64 {
        let id = format!("g{i}");
        let t = 1_767_225_600_000 + i * 10_000;
        let demo = i % 3 == 0;
        let buyer = i % 2 == 0;
        writeln!(events, r#"{{"type":"page","userId":"{id}","timestamp":{t},"properties":{{"path":"/pricing","search":"?utm_source=google"}}}}"#).unwrap();
        if demo {
            writeln!(events, r#"{{"type":"track","userId":"{id}","timestamp":{},"event":"Demo Requested","properties":{{"seats":12}}}}"#, t + 1000).unwrap();
        }
        let role = if buyer { "buyer" } else { "student" };
        writeln!(
            events,
            r#"{{"type":"identify","userId":"{id}","timestamp":{},"traits":{{"role":"{role}"}}}}"#,
            t + 2000
        )
        .unwrap();
        let converted = (demo || buyer) != (i % 5 == 0);
        writeln!(outcomes, "{id},{}", u8::from(converted)).unwrap();
    }
    let (e, o) = (dir.join("events.jsonl"), dir.join("outcomes.csv"));
    std::fs::write(&e, events).unwrap();
    std::fs::write(&o, outcomes).unwrap();
    (e, o)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn fit_and_compare_say_how_many_outcome_ids_have_no_events() {
    let dir = scratch("guard-outcomes");
    let (events, outcomes) = history(&dir);
    let mut text = std::fs::read_to_string(&outcomes).unwrap();
    for ghost in ["ghost-1", "ghost-2", "ghost-3"] {
        writeln!(text, "{ghost},1").unwrap();
    }
    let some = dir.join("some.csv");
    std::fs::write(&some, text).unwrap();
    let model = dir.join("model.json");
    let (code, _, stderr) = leadpulse(&[
        "fit",
        "--events",
        s(&events),
        "--outcomes",
        s(&some),
        "--out",
        s(&model),
        "--min-support",
        "10",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("3 of the 803 outcome ids in")
            && stderr.contains("have no events in")
            && stderr.contains("(first: 'ghost-1', 'ghost-2', 'ghost-3')"),
        "{stderr}"
    );
    let (code, _, stderr) = leadpulse(&[
        "compare",
        "--events",
        s(&events),
        "--outcomes",
        s(&some),
        s(&model),
        s(&model),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("3 of the 803 outcome ids"), "{stderr}");

    // None match (outcomes keyed by something else): said so, not "see --min-support".
    let none = dir.join("none.csv");
    std::fs::write(&none, "visitor,converted\nlead-1,1\nlead-2,0\n").unwrap();
    let out = dir.join("never.json");
    let (code, _, stderr) = leadpulse(&[
        "fit",
        "--events",
        s(&events),
        "--outcomes",
        s(&none),
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("none of the 2 outcome ids in")
            && stderr.contains("(first: 'lead-1', 'lead-2')")
            && stderr.contains("anonymousId or userId"),
        "{stderr}"
    );
    assert!(!stderr.contains("--min-support"), "{stderr}");
    assert!(!out.exists());
    let (code, _, stderr) = leadpulse(&[
        "compare",
        "--events",
        s(&events),
        "--outcomes",
        s(&none),
        s(&model),
        s(&model),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("none of the 2 outcome ids"), "{stderr}");
}

#[test]
fn compare_holdout_measures_exactly_the_leads_fit_held_out() {
    let dir = scratch("guard-holdout");
    let (events, outcomes) = history(&dir);
    let (model, report) = (dir.join("model.json"), dir.join("report.json"));
    let (code, _, stderr) = leadpulse(&[
        "fit",
        "--events",
        s(&events),
        "--outcomes",
        s(&outcomes),
        "--out",
        s(&model),
        "--report",
        s(&report),
        "--holdout",
        "0.3",
        "--seed",
        "7",
        "--min-support",
        "10",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let (code, stdout, stderr) = leadpulse(&[
        "compare",
        "--events",
        s(&events),
        "--outcomes",
        s(&outcomes),
        "--holdout",
        "0.3",
        "--seed",
        "7",
        "--json",
        s(&model),
        s(&model),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let compared: Value = serde_json::from_str(&stdout).unwrap();
    let held = &report["heldOut"];
    assert_eq!(compared["b"]["evaluation"]["leads"], held["leads"]);
    assert_eq!(compared["b"]["evaluation"]["converted"], held["converted"]);
    assert_eq!(compared["b"]["evaluation"]["rocAuc"], held["rocAuc"]);
    assert_eq!(
        compared["heldOut"]["trainLeadsLeftOut"],
        report["data"]["train"]
    );
    // Without --holdout, every lead counts (the training leads too).
    let (_, stdout, _) = leadpulse(&[
        "compare",
        "--events",
        s(&events),
        "--outcomes",
        s(&outcomes),
        "--json",
        s(&model),
        s(&model),
    ]);
    let all: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(all["a"]["evaluation"]["leads"], 800);
    let (code, _, stderr) = leadpulse(&[
        "compare",
        "--events",
        s(&events),
        "--outcomes",
        s(&outcomes),
        "--holdout",
        "1",
        s(&model),
        s(&model),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--holdout is a share"), "{stderr}");
}

#[test]
fn validate_against_a_history_warns_about_what_it_never_has() {
    let dir = scratch("guard-validate");
    let (events, _) = history(&dir);
    let model = dir.join("model.json");
    let doc = json!({
        "version": 1, "name": "typos",
        "rules": [
            {"id": "title", "when": {"trait": "titel", "contains": ["vp"]}, "points": 5},
            {"id": "demo", "when": {"event": "Demo Requestd"}, "points": 5},
            {"id": "seats", "when": {"event": "demo requested", "properties": {"seat_count": {"range": {"min": 10}}}}, "points": 5},
            {"id": "campaign", "when": {"all": [{"trait": "role", "exists": true}, {"source": "utm_campaign", "exists": true}]}, "points": 5},
            {"id": "fine", "when": {"all": [{"trait": "role", "exists": true}, {"source": "utm_source", "equals": "google"}]}, "points": 5}
        ],
        "grades": {"fit": [{"grade": "A"}], "engagement": [{"grade": "1"}]},
        "status": {"warm": 10, "hot": 20},
        "stages": {"mql": {"enter": 20}, "sql": {"enter": 40}}
    });
    std::fs::write(&model, doc.to_string()).unwrap();
    let (code, stdout, stderr) = leadpulse(&["validate", s(&model), "--against", s(&events)]);
    assert_eq!(code, 0, "warnings, not errors: {stderr}");
    for expected in [
        "warning: rules[0].when.trait: 'title' tests the trait 'titel', which no identify in the history has",
        "warning: rules[1].when.event: 'demo' waits for the event 'Demo Requestd', which the history never has",
        "warning: rules[2].when.properties.seat_count: 'seats' tests the property 'seat_count', which no 'demo requested' event in the history has",
        "warning: rules[3].when.all[1].source: 'campaign' tests the source 'utm_campaign', which no page view in the history carries",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert_eq!(stderr.matches("warning:").count(), 4, "{stderr}");
    assert!(stdout.contains("4 warnings"), "{stdout}");
    let (code, stdout, _) = leadpulse(&["validate", s(&model)]);
    assert_eq!(code, 0);
    assert!(!stdout.contains("warning"));
}

#[test]
fn import_sniffs_a_semicolon_export_and_names_the_delimiter_when_the_header_does_not_fit() {
    let dir = scratch("guard-import");
    let fixtures =
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/fixtures/import");
    let map = fixtures.join("map.json");
    let csv = dir.join("semicolons.csv");
    std::fs::write(
        &csv,
        "Id;Origin;Visits;Seconds;PagesPerVisit;Specialization;Occupation;Converted\n\
         a1;Landing Page Submission;2;120;1,5;Finance;Unemployed;1\n\
         a2;API;0;0;0;\"Banking, Investment\";Student;0\n",
    )
    .unwrap();
    let (events, outcomes) = (dir.join("e.jsonl"), dir.join("o.csv"));
    let args = |extra: &[&str]| {
        let mut a = vec![
            "import",
            "--map",
            s(&map),
            s(&csv),
            "--events",
            s(&events),
            "--outcomes",
            s(&outcomes),
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let (code, _, stderr) = leadpulse(&args(&[]));
    // "1,5" is a decimal comma: a bad number, reported on its own row — the rest imports.
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("line 2, column 5 (PagesPerVisit): not a number: '1,5'"),
        "{stderr}"
    );
    assert!(stderr.contains("1 leads"), "{stderr}");
    let (code, _, stderr) = leadpulse(&args(&["--delimiter", ","]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no column 'Id' in the CSV header")
            && stderr.contains("the CSV was read with the delimiter ',' (--delimiter)"),
        "{stderr}"
    );
    let (code, _, stderr) = leadpulse(&args(&["--delimiter", "tab"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the delimiter tab (--delimiter)"),
        "{stderr}"
    );
    let (code, _, stderr) = leadpulse(&args(&["--delimiter", ";;"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--delimiter is one character"), "{stderr}");
}
