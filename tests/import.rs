//! `leadpulse import`: a CRM export with every kind of bad row (tests/fixtures/import/), each
//! reported with its line and column and skipped; the map's problems listed with their paths;
//! the good rows become events the engine replays and outcomes `fit` reads.
#![cfg(feature = "cli")]
mod common;

use common::{leadpulse, scratch};

use std::path::PathBuf;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn import(dir: &std::path::Path, map: &str) -> (i32, String, PathBuf, PathBuf) {
    let events = dir.join("events.jsonl");
    let outcomes = dir.join("outcomes.csv");
    let (code, _, stderr) = leadpulse(&[
        "import",
        "--map",
        &fixture(map),
        &fixture("leads.csv"),
        "--events",
        events.to_str().unwrap(),
        "--outcomes",
        outcomes.to_str().unwrap(),
    ]);
    (code, stderr, events, outcomes)
}

#[test]
fn every_bad_row_is_reported_with_line_and_column_and_skipped() {
    let dir = scratch("import-bad-rows");
    let (code, stderr, _, _) = import(&dir, "map.json");
    assert_eq!(code, 1, "bad rows make the exit status 1\n{stderr}");
    let csv = fixture("leads.csv");
    for expected in [
        "line 4, column 8 (Converted): the row has 7 fields, the header 8",
        "line 5, column 3 (Visits): not a number: 'ten'",
        "line 6, column 7 (Occupation): unknown category 'Astronaut' (expected one of: Unemployed, Student, Other, Working Professional)",
        "line 7, column 1 (Id): missing id",
        "line 8, column 6 (Specialization): not UTF-8 (invalid byte at offset 0)",
        "line 9, column 6 (Specialization): longer than 2048 bytes (3000 bytes)",
        "line 10, column 1 (Id): duplicate id 'a1' (first on line 2)",
        "line 11, column 3 (Visits): must be a whole number, found 1.5",
        "line 12, column 4 (Seconds): must not be negative, found -5",
        "line 12, column 8 (Converted): unknown outcome 'maybe'",
    ] {
        assert!(
            stderr.contains(&format!("{csv}: {expected}")),
            "missing: {expected}\n{stderr}"
        );
    }
    assert!(
        stderr.contains("13 rows → 4 leads, ")
            && stderr.contains("3 outcomes (2 converted); 9 bad rows skipped"),
        "{stderr}"
    );
}

#[test]
fn good_rows_become_events_the_engine_replays_and_outcomes() {
    let dir = scratch("import-good-rows");
    let (_, stderr, events, outcomes) = import(&dir, "map.json");
    assert_eq!(
        std::fs::read_to_string(&outcomes).unwrap(),
        "visitor,converted\na1,1\na2,0\na11,1\n",
        "{stderr}"
    );
    let text = std::fs::read_to_string(&events).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let identify = |id: &str| {
        lines
            .iter()
            .find(|e| e["type"] == "identify" && e["userId"] == id)
            .unwrap()["traits"]
            .clone()
    };
    assert_eq!(
        identify("a2"),
        serde_json::json!({"lead_origin": "API", "specialization": "not given", "occupation": "Student"}),
        "the form's untouched default is kept apart from an absent value"
    );
    assert_eq!(
        identify("a11"),
        serde_json::json!({"lead_origin": "Lead Add Form", "specialization": "Banking, Investment", "occupation": "Working Professional"}),
        "categories are matched ignoring case and written as the map lists them"
    );
    assert!(identify("a12").get("specialization").is_none());

    let (code, stdout, stderr) = leadpulse(&["replay", events.to_str().unwrap()]);
    assert_eq!(code, 0, "every imported event is valid\n{stderr}");
    let visitors: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let a1 = visitors.iter().find(|v| v["visitor"] == "a1").unwrap();
    assert_eq!(a1["sessions"], 2, "two visits are two sessions");
    assert_eq!(a1["engagedSeconds"], 120);
    assert_eq!(a1["stage"], "lead", "a user id makes a known lead");
    let a2 = visitors.iter().find(|v| v["visitor"] == "a2").unwrap();
    assert_eq!(
        (a2["sessions"].clone(), a2["engagedSeconds"].clone()),
        (1.into(), 0.into())
    );
    let pages = lines
        .iter()
        .filter(|e| e["type"] == "page" && e["userId"] == "a1")
        .count();
    assert_eq!(pages, 3, "1.5 page views per visit over 2 visits");
}

#[test]
fn map_problems_are_all_listed_with_their_paths() {
    let dir = scratch("import-bad-map");
    let (code, stderr, events, _) = import(&dir, "bad-map.json");
    assert_eq!(code, 2, "{stderr}");
    for expected in [
        "invalid map",
        "(8 problems)",
        "idd: unknown field",
        "outcome.notConverted: '0' is listed as converted too",
        "visitGapHours: must be at least 12",
        "traits[0].type: expected 'category', 'text' or 'number', found 'colour'",
        "traits[1].notGiven: 'select' is listed under `missing` too",
        "engagement[0].as: expected visits, pages, pagesPerVisit, seconds, minutes or count, found 'hours'",
        "engagement[1].as: required field is missing",
        "events[0]: give exactly one of `event` and `\"eventFromValue\": true`",
    ] {
        assert!(stderr.contains(expected), "missing: {expected}\n{stderr}");
    }
    assert!(!events.exists(), "nothing is written for an invalid map");
}

#[test]
fn columns_the_export_lacks_are_named_with_the_map_path() {
    let dir = scratch("import-missing-column");
    let (code, stderr, _, _) = import(&dir, "missing-column.json");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("traits[0].column: no column 'Nope' in the CSV header"),
        "{stderr}"
    );
    assert!(
        stderr.contains("engagement[0].column: no column 'Visits ' in the CSV header"),
        "{stderr}"
    );
}

#[test]
fn the_shipped_x_education_map_is_valid_against_its_header() {
    let dir = scratch("import-x-education");
    let csv = dir.join("head.csv");
    std::fs::write(
        &csv,
        "ProspectID,LeadOrigin,LeadSource,TotalVisits,TotalTime,PageViews,Specialization,Occupation,Converted\n\
         p1,Lead Add Form,Reference,0,0,0,,Working Professional,1\n\
         p2,Landing Page Submission,google,3,1082,3.33,Select,Unemployed,0\n",
    )
    .unwrap();
    let map = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/x-education/map.json");
    let events = dir.join("events.jsonl");
    let outcomes = dir.join("outcomes.csv");
    let (code, _, stderr) = leadpulse(&[
        "import",
        "--map",
        map,
        csv.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "--outcomes",
        outcomes.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&events).unwrap();
    assert!(text.contains(r#""lead_source":"Google""#), "{text}");
    assert!(text.contains(r#""specialization":"not given""#), "{text}");
}
