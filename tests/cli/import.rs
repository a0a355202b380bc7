//! `leadpulse import`: a CRM export with every kind of bad row (tests/fixtures/import/), each
//! reported with its line and column and skipped; the map's problems listed with their paths;
//! the good rows become events the engine replays and outcomes `fit` reads.

use crate::command::{leadpulse, scratch};

use std::path::PathBuf;

const FIXTURES: &str = concat!(
    concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
    "/tests/fixtures/import"
);

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
        "line 4, column 8 (Converted): the row has 7 fields, the header 8 (split at ',')",
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
    let map = concat!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
        "/examples/x-education/map.json"
    );
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

/// Runs `import` of `csv` (text) with the fixtures' map into DIR; (exit, stderr).
fn import_text(dir: &std::path::Path, csv: &[u8]) -> (i32, String) {
    let input = dir.join("export.csv");
    std::fs::write(&input, csv).unwrap();
    let (code, _, stderr) = leadpulse(&[
        "import",
        "--map",
        &fixture("map.json"),
        input.to_str().unwrap(),
        "--events",
        dir.join("events.jsonl").to_str().unwrap(),
        "--outcomes",
        dir.join("outcomes.csv").to_str().unwrap(),
    ]);
    (code, stderr)
}

const HEADER: &str = "Id,Origin,Visits,Seconds,PagesPerVisit,Specialization,Occupation,Converted\n";

/// A quote never closed swallows every line after it into one field: the row is reported
/// with where that field starts and how many lines it took.
#[test]
fn an_unbalanced_quote_is_reported_with_the_lines_it_swallowed() {
    let dir = scratch("import-unbalanced-quote");
    let mut csv = String::from(HEADER);
    csv.push_str("a1,API,1,60,1,Finance,Student,1\n");
    csv.push_str("a2,\"API,1,60,1,Finance,Student,0\n");
    for n in 3..1003 {
        csv.push_str(&format!("a{n},API,1,60,1,Finance,Student,0\n"));
    }
    let (code, stderr) = import_text(&dir, csv.as_bytes());
    assert_eq!(code, 1, "{stderr}");
    let file = dir.join("export.csv");
    let expected = format!(
        "{}: line 3, column 2 (Origin): a quoted field starts on line 3 and spans 1001 lines (to line 1003)",
        file.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("2 rows → 1 leads"), "{stderr}");
}

/// Ids a spreadsheet would run as formulas are written to outcomes.csv with a `'` in front,
/// and `fit`'s reader (learn/outcomes.rs) takes the `'` off again.
#[test]
fn formula_like_ids_are_escaped_in_outcomes() {
    let dir = scratch("import-formula-ids");
    let mut csv = String::from(HEADER);
    for id in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "plain"] {
        let cell = format!("\"{}\"", id.replace('"', "\"\""));
        csv.push_str(&format!("{cell},API,1,60,1,Finance,Student,1\n"));
    }
    let (code, stderr) = import_text(&dir, csv.as_bytes());
    assert_eq!(code, 0, "{stderr}");
    let outcomes = std::fs::read_to_string(dir.join("outcomes.csv")).unwrap();
    assert_eq!(
        outcomes,
        "visitor,converted\n\"'=HYPERLINK(\"\"http://x\"\")\",1\n'+1,1\n'-2,1\n'@SUM(A1),1\nplain,1\n"
    );
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    assert!(events.contains(r#""userId":"=HYPERLINK(\"http://x\")""#));
}

/// An import that fails part way (exit 2) leaves the outputs as they were.
#[test]
fn a_failed_import_leaves_its_outputs_untouched() {
    let dir = scratch("import-atomic");
    std::fs::write(dir.join("events.jsonl"), "old events\n").unwrap();
    std::fs::write(dir.join("outcomes.csv"), "old outcomes\n").unwrap();
    let mut csv = String::from(HEADER);
    csv.push_str("a1,API,1,60,1,Finance,Student,1\n");
    // A line over 16 MiB stops the reading (exit 2) after a good row was written.
    let mut bytes = csv.into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', 17 << 20));
    let (code, stderr) = import_text(&dir, &bytes);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("longer than 16 MiB"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("events.jsonl")).unwrap(),
        "old events\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("outcomes.csv")).unwrap(),
        "old outcomes\n"
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "no temporary file left: {left:?}");
}
