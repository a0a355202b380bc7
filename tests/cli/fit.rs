//! `leadpulse fit` on synthetic leads whose true points are known: it recovers them, and
//! the model it writes validates with the core's reader, scores every lead with reasons that
//! sum to the score, and meets its SQL target.

use crate::command::{leadpulse, scratch};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use leadpulse::core::model::Model;
use serde_json::Value;

/// The truth: 20 points double the odds (the fit's default scale), and a lead converts with
/// probability σ((score − 40) · ln 2 / 20).
const PER_DOUBLING: f64 = 20.0;
const OFFSET: f64 = 40.0;
const BUYER: f64 = 30.0;
const STUDENT: f64 = -20.0;
const DEMO: f64 = 40.0;
/// Three sessions or more (one step; two and four add nothing).
const RETURNING: f64 = 20.0;

/// xorshift64: the same leads on every run.
struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Writes `leads` synthetic leads: events (sessions, engaged time that means nothing, a demo
/// request, a role trait) and outcomes drawn from the true points.
fn synthesize(dir: &Path, leads: usize) -> (PathBuf, PathBuf) {
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    let (mut events, mut outcomes) = (String::new(), String::from("visitor,converted\n"));
    let day = 86_400_000i64;
    let start = 1_767_225_600_000i64; // 2026-01-01
    for i in 0..leads {
        let id = format!("lead-{i}");
        let role = random.unit();
        let role = if role < 0.4 {
            Some("buyer")
        } else if role < 0.6 {
            Some("student")
        } else {
            None
        };
        let sessions = 1 + (random.unit() * 4.0) as i64;
        let demo = random.unit() < 0.25;
        let mut score = 0.0;
        score += match role {
            Some("buyer") => BUYER,
            Some(_) => STUDENT,
            None => 0.0,
        };
        score += if demo { DEMO } else { 0.0 };
        score += if sessions >= 3 { RETURNING } else { 0.0 };
        let odds = (score - OFFSET) * std::f64::consts::LN_2 / PER_DOUBLING;
        let converted = random.unit() < 1.0 / (1.0 + (-odds).exp());
        let t0 = start + i as i64 * 1000;
        for s in 0..sessions {
            let seconds = (random.unit() * 600.0).round();
            writeln!(
                events,
                r#"{{"type":"engagement","userId":"{id}","timestamp":{},"properties":{{"seconds":{seconds}}}}}"#,
                t0 + s * day
            )
            .unwrap();
        }
        let end = t0 + (sessions - 1) * day + 60_000;
        if demo {
            writeln!(
                events,
                r#"{{"type":"track","userId":"{id}","timestamp":{end},"event":"Demo Requested"}}"#
            )
            .unwrap();
        }
        let traits = role.map_or(String::new(), |r| format!(r#""role":"{r}""#));
        writeln!(
            events,
            r#"{{"type":"identify","userId":"{id}","timestamp":{},"traits":{{{traits}}}}}"#,
            end + 1000
        )
        .unwrap();
        writeln!(outcomes, "{id},{}", u8::from(converted)).unwrap();
    }
    let (e, o) = (dir.join("events.jsonl"), dir.join("outcomes.csv"));
    std::fs::write(&e, events).unwrap();
    std::fs::write(&o, outcomes).unwrap();
    (e, o)
}

fn points(report: &Value, rule: &str) -> f64 {
    report["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["rule"] == rule)
        .unwrap_or_else(|| panic!("no rule {rule} in {}", report["points"]))["points"]
        .as_f64()
        .unwrap()
}

fn fit(dir: &Path, extra: &[&str]) -> (Value, Value, String) {
    let (events, outcomes) = synthesize(dir, 8000);
    let (model, report) = (dir.join("model.json"), dir.join("report.json"));
    let mut args = vec![
        "fit",
        "--events",
        events.to_str().unwrap(),
        "--outcomes",
        outcomes.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--l2",
        "0.1",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = leadpulse(&args);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let read = |p: &Path| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    (read(&model), read(&report), stdout)
}

#[test]
fn recovers_the_true_points_within_a_tolerance() {
    let dir = scratch("fit-recover");
    let (_, report, stdout) = fit(&dir, &[]);
    // 6,000 training leads: a point estimate is within ±3 points of the truth about 95 % of
    // the time (standard error ≈ 1.5 points); 7 leaves room, a wrong fit misses by far more.
    for (rule, truth) in [
        ("role_buyer", BUYER),
        ("role_student", STUDENT),
        ("event_demo_requested", DEMO),
        ("sessions_3_plus", RETURNING),
        ("sessions_2_plus", 0.0),
        ("sessions_4_plus", 0.0),
    ] {
        let learned = points(&report, rule);
        assert!(
            (learned - truth).abs() <= 7.0,
            "{rule}: learned {learned}, truth {truth}\n{stdout}"
        );
    }
    let intercept = report["fit"]["intercept"].as_f64().unwrap();
    let expected = -OFFSET * std::f64::consts::LN_2 / PER_DOUBLING;
    assert!((intercept - expected).abs() < 0.3, "intercept {intercept}");
    let auc = report["heldOut"]["rocAuc"].as_f64().unwrap();
    assert!(
        auc > 0.65,
        "held-out ROC AUC {auc} (the truth itself scores about 0.72)"
    );
    assert!(
        stdout.contains("held out:") && stdout.contains("role_buyer"),
        "{stdout}"
    );
}

#[test]
fn the_fitted_model_validates_and_its_reasons_sum_to_the_score() {
    let dir = scratch("fit-valid");
    let (model, _, _) = fit(&dir, &["--sql-share", "0.2"]);
    let text = serde_json::to_string(&model).unwrap();
    let parsed = Model::from_json_text(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        parsed.rules.iter().all(|r| r.points.fract() == 0.0),
        "integer points"
    );
    let file = dir.join("model.json");
    let (code, stdout, stderr) = leadpulse(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    let events = dir.join("events.jsonl");
    let (code, stdout, stderr) = leadpulse(&[
        "replay",
        "--model",
        file.to_str().unwrap(),
        events.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut sql = 0;
    let mut leads = 0;
    for line in stdout.lines() {
        let snapshot: Value = serde_json::from_str(line).unwrap();
        let sum: i64 = snapshot["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["points"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, snapshot["score"].as_i64().unwrap(), "{line}");
        leads += 1;
        sql += usize::from(snapshot["stage"] == "sql");
    }
    let share = sql as f64 / leads as f64;
    assert!(
        (0.1..=0.22).contains(&share),
        "--sql-share 0.2 makes about a fifth of the leads SQLs: {share}"
    );
}

#[test]
fn a_base_model_keeps_its_slots_and_routes_and_learns_its_rules() {
    let dir = scratch("fit-base");
    let (events, outcomes) = synthesize(&dir, 3000);
    let base = dir.join("base.json");
    let (_, builtin, _) = leadpulse(&["model"]);
    std::fs::write(&base, builtin).unwrap();
    let out = dir.join("model.json");
    let (code, stdout, stderr) = leadpulse(&[
        "fit",
        "--events",
        events.to_str().unwrap(),
        "--outcomes",
        outcomes.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let model: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    Model::from_json_text(&model.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let rule = |id: &str| {
        model["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    };
    let demo = rule("demo_request").expect("the base's demo rule is learned, not dropped");
    assert!(demo["points"].as_i64().unwrap() > 20, "{demo}");
    assert_eq!(
        rule("competitor").unwrap()["points"],
        -50,
        "a rule nothing in the history fires keeps its base points"
    );
    assert_eq!(model["stages"]["sql"]["routes"][0]["id"], "hand_raise");
    assert_eq!(model["slots"][0]["id"], "budget");
    assert!(model.get("groups").is_none() && model.get("caps").is_none());
    assert!(model["stages"]["sql"].get("minFit").is_none());
    assert!(stdout.contains("keep their base points"), "{stdout}");
}

/// A fit that fails (exit 2) — here the report cannot be written — leaves no model behind:
/// an existing model file at --out is untouched.
#[test]
fn a_failed_fit_writes_nothing() {
    let dir = scratch("fit-atomic");
    let (events, outcomes) = synthesize(&dir, 2000);
    let model = dir.join("model.json");
    std::fs::write(&model, "the previous model\n").unwrap();
    let report = dir.join("no-such-folder/report.json");
    let (code, _, stderr) = leadpulse(&[
        "fit",
        "--events",
        events.to_str().unwrap(),
        "--outcomes",
        outcomes.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no-such-folder"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&model).unwrap(),
        "the previous model\n"
    );
}
