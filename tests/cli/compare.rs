//! `leadpulse compare`: two models with the same rules and different thresholds on one
//! history (tests/fixtures/compare/): both models' figures, and exactly the leads whose stage
//! differs, listed up to `--show` and all counted.
use crate::command as common;

use serde_json::Value;

const FIXTURES: &str = concat!(
    concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
    "/tests/fixtures/compare"
);

fn compare(extra: &[&str]) -> (i32, String, String) {
    let f = |name: &str| format!("{FIXTURES}/{name}");
    let mut args = vec![
        "compare".to_string(),
        "--events".into(),
        f("events.jsonl"),
        "--outcomes".into(),
        f("outcomes.csv"),
        f("a.json"),
        f("b.json"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    common::leadpulse(&args)
}

#[test]
fn lists_exactly_the_leads_whose_stage_differs() {
    let (code, stdout, stderr) = compare(&["--json"]);
    assert_eq!(code, 0, "{stderr}");
    let c: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(c["visitors"], 5);
    assert_eq!(c["differ"], 3);
    let listed: Vec<(String, String, String, Value)> = c["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["visitor"].as_str().unwrap().to_string(),
                d["a"]["stage"].as_str().unwrap().to_string(),
                d["b"]["stage"].as_str().unwrap().to_string(),
                d["converted"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                "v1".into(),
                "mql".into(),
                "visitor".into(),
                Value::Bool(false)
            ),
            ("v2".into(), "mql".into(), "sql".into(), Value::Bool(true)),
            ("v5".into(), "mql".into(), "visitor".into(), Value::Null),
        ],
        "v3 (SQL in both) and v4 (nothing scored) are the same in both"
    );
}

#[test]
fn both_models_are_measured_on_the_same_leads() {
    let (_, stdout, _) = compare(&["--json"]);
    let c: Value = serde_json::from_str(&stdout).unwrap();
    let (a, b) = (&c["a"]["evaluation"], &c["b"]["evaluation"]);
    assert_eq!(
        (a["leads"].clone(), b["leads"].clone()),
        (4.into(), 4.into())
    );
    assert_eq!(a["rocAuc"], 1.0);
    // A: MQL picks v1, v2, v3 (2 converted of 3); SQL only v3. B: v2 and v3 are SQLs.
    assert_eq!(a["mql"]["picked"], 3);
    assert_eq!(a["mql"]["precision"].as_f64().unwrap(), 2.0 / 3.0);
    assert_eq!(
        (a["sql"]["picked"].clone(), a["sql"]["recall"].clone()),
        (1.into(), 0.5.into())
    );
    assert_eq!(
        (b["sql"]["picked"].clone(), b["sql"]["precision"].clone()),
        (2.into(), 1.0.into())
    );
    assert_eq!(c["a"]["name"], "champion");
    assert_eq!(c["b"]["name"], "challenger");
}

#[test]
fn the_table_bounds_the_list_and_counts_them_all() {
    let (code, stdout, stderr) = compare(&["--show", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("stage differs for 3 of 5 leads (the first 1 shown)"),
        "{stdout}"
    );
    assert!(stdout.contains("v1") && !stdout.contains("v5"), "{stdout}");
    assert!(
        stdout.contains("A: champion") && stdout.contains("B: challenger"),
        "{stdout}"
    );
    assert!(stderr.contains("stage differs for 3"), "{stderr}");
}
