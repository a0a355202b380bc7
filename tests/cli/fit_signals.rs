//! `leadpulse fit` on web sessions whose signal sits where issue 19 put it: a band of an
//! event property (a quote for 50 seats or more), a source (the first visit came from G2)
//! and a combination (a buyer who viewed pricing; neither alone means anything). It proposes
//! each, keeps each with points near the truth, and the model it writes scores every
//! training lead as the rules' firings times the points say.

use crate::command::{leadpulse, scratch};

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

const PER_DOUBLING: f64 = 20.0;
const OFFSET: f64 = 30.0;
const BIG_QUOTE: f64 = 40.0;
const FROM_G2: f64 = 30.0;
const BUYER_ON_PRICING: f64 = 50.0;

struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[((self.unit() * items.len() as f64) as usize).min(items.len() - 1)]
    }
}

fn synthesize(dir: &Path, leads: usize) {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let (mut events, mut outcomes) = (String::new(), String::from("visitor,converted\n"));
    let start = 1_767_225_600_000i64;
    for i in 0..leads {
        let id = format!("w{i}");
        let t0 = start + i as i64 * 10_000;
        let source = *random.pick(&["g2", "google", "newsletter", "linkedin"]);
        let (search, referrer) = match source {
            "g2" => (
                "?utm_source=g2&utm_medium=referral",
                "https://www.g2.com/products/x",
            ),
            "google" => (
                "?utm_source=google&utm_medium=cpc",
                "https://www.google.com/",
            ),
            "newsletter" => ("?utm_source=newsletter&utm_medium=email", ""),
            _ => (
                "?utm_source=linkedin&utm_medium=social",
                "https://www.linkedin.com/",
            ),
        };
        writeln!(events, r#"{{"type":"page","userId":"{id}","timestamp":{t0},"properties":{{"path":"/","search":"{search}","referrer":"{referrer}"}}}}"#).unwrap();
        let pricing = random.unit() < 0.5;
        if pricing {
            writeln!(events, r#"{{"type":"page","userId":"{id}","timestamp":{},"properties":{{"path":"/pricing"}}}}"#, t0 + 60_000).unwrap();
        }
        let quote = random.unit() < 0.5;
        let seats = *random.pick(&[5.0, 10.0, 20.0, 50.0, 100.0, 200.0]);
        if quote {
            writeln!(events, r#"{{"type":"track","userId":"{id}","timestamp":{},"event":"Quote Requested","properties":{{"seats":{seats}}}}}"#, t0 + 120_000).unwrap();
        }
        let buyer = random.unit() < 0.5;
        let role = if buyer { "buyer" } else { "engineer" };
        writeln!(
            events,
            r#"{{"type":"identify","userId":"{id}","timestamp":{},"traits":{{"role":"{role}"}}}}"#,
            t0 + 180_000
        )
        .unwrap();
        let mut score = 0.0;
        score += if quote && seats >= 50.0 {
            BIG_QUOTE
        } else {
            0.0
        };
        score += if source == "g2" { FROM_G2 } else { 0.0 };
        score += if buyer && pricing {
            BUYER_ON_PRICING
        } else {
            0.0
        };
        let odds = (score - OFFSET) * std::f64::consts::LN_2 / PER_DOUBLING;
        let converted = random.unit() < 1.0 / (1.0 + (-odds).exp());
        writeln!(outcomes, "{id},{}", u8::from(converted)).unwrap();
    }
    std::fs::write(dir.join("events.jsonl"), events).unwrap();
    std::fs::write(dir.join("outcomes.csv"), outcomes).unwrap();
}

fn rule<'a>(model: &'a Value, id: &str) -> Option<&'a Value> {
    model["rules"].as_array()?.iter().find(|r| r["id"] == id)
}

#[test]
fn fit_proposes_and_keeps_a_property_band_a_source_and_a_combination() {
    let dir = scratch("fit-signals");
    synthesize(&dir, 8000);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (code, stdout, stderr) = leadpulse(&[
        "fit",
        "--events",
        &path("events.jsonl"),
        "--outcomes",
        &path("outcomes.csv"),
        "--out",
        &path("model.json"),
        "--report",
        &path("report.json"),
        "--l2",
        "0.1",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let (model, report) = (read("model.json"), read("report.json"));
    let points = |id: &str| {
        rule(&model, id)
            .and_then(|r| r["points"].as_f64())
            .unwrap_or_else(|| panic!("no rule {id} in the model\n{stdout}"))
    };

    let band = rule(&model, "quote_requested_seats_50_plus").expect("the band at 50 seats");
    assert_eq!(
        band["when"],
        serde_json::json!({"event": "Quote Requested", "properties": {"seats": {"range": {"min": 50}}}})
    );
    let learned = points("quote_requested_seats_50_plus");
    assert!(
        (learned - BIG_QUOTE).abs() <= 12.0,
        "band: {learned}\n{stdout}"
    );
    // Every G2 visit has the same referrer, utm_source and utm_medium: one rule says it.
    let g2: Vec<&Value> = model["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["when"]["source"].is_string() && r["when"].to_string().contains("g2"))
        .collect();
    assert_eq!(g2.len(), 1, "{g2:?}\n{stdout}");
    assert_eq!(
        g2[0]["when"],
        serde_json::json!({"source": "referrer", "oneOf": ["www.g2.com"]})
    );
    let learned = points(g2[0]["id"].as_str().unwrap());
    assert!(
        (learned - FROM_G2).abs() <= 12.0,
        "source: {learned}\n{stdout}"
    );

    let combination = model["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            let parts = r["when"]["all"].to_string();
            parts.contains(r#""trait":"role""#)
                && parts.contains("buyer")
                && parts.contains("/pricing")
        })
        .unwrap_or_else(|| panic!("no buyer-and-pricing combination\n{stdout}"));
    let learned = combination["points"].as_f64().unwrap();
    assert!(
        (learned - BUYER_ON_PRICING).abs() <= 15.0,
        "combination: {learned}\n{stdout}"
    );
    assert_eq!(
        combination["when"]["all"][0]["trait"], "role",
        "a trait part first: fit axis"
    );

    let warnings = report["warnings"].to_string();
    assert!(!warnings.contains("score otherwise"), "{warnings}");
    assert!(warnings.contains("pair combinations"), "{warnings}");
    let auc = report["heldOut"]["rocAuc"].as_f64().unwrap();
    assert!(auc > 0.75, "held-out ROC AUC {auc}\n{stdout}");
    let (code, _, stderr) = leadpulse(&["validate", &path("model.json")]);
    assert_eq!(code, 0, "{stderr}");
}

/// Chat transcripts as `answer` events: budget 'approved' +40, 'planned' +20 (no option for
/// it in the base), 'none' −20, no answer 0.
#[test]
fn fit_learns_the_points_of_slot_answers_from_answer_events() {
    let dir = scratch("fit-answers");
    let mut random = Random(0x1234_5678_9abc_def1);
    let (mut events, mut outcomes) = (String::new(), String::from("visitor,converted\n"));
    for i in 0..6000 {
        let (id, t) = (format!("a{i}"), 1_767_225_600_000i64 + i * 10_000);
        writeln!(
            events,
            r#"{{"type":"page","userId":"{id}","timestamp":{t},"properties":{{"path":"/"}}}}"#
        )
        .unwrap();
        let answer = *random.pick(&["approved", "planned", "none", ""]);
        if !answer.is_empty() {
            writeln!(events, r#"{{"type":"answer","userId":"{id}","timestamp":{},"properties":{{"slot":"budget","value":"{answer}"}}}}"#, t + 1000).unwrap();
        }
        let score = match answer {
            "approved" => 40.0,
            "planned" => 20.0,
            "none" => -20.0,
            _ => 0.0,
        };
        let odds = (score - 10.0) * std::f64::consts::LN_2 / PER_DOUBLING;
        let converted = random.unit() < 1.0 / (1.0 + (-odds).exp());
        writeln!(outcomes, "{id},{}", u8::from(converted)).unwrap();
    }
    std::fs::write(dir.join("events.jsonl"), events).unwrap();
    std::fs::write(dir.join("outcomes.csv"), outcomes).unwrap();
    let base = serde_json::json!({
        "version": 1, "name": "chat",
        "rules": [{"id": "visit", "when": {"page": "/**"}, "points": 1, "frequency": "once"}],
        "grades": {"fit": [{"grade": "A"}], "engagement": [{"grade": "1"}]},
        "status": {"warm": 10, "hot": 20},
        "stages": {"mql": {"enter": 20}, "sql": {"enter": 40}},
        "slots": [{"id": "budget", "question": "Is there budget?", "answers": [
            {"values": ["approved", "yes"], "points": 5},
            {"values": ["none"], "points": -5, "disqualifies": true}
        ]}]
    });
    std::fs::write(dir.join("base.json"), base.to_string()).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (code, stdout, stderr) = leadpulse(&[
        "fit",
        "--events",
        &path("events.jsonl"),
        "--outcomes",
        &path("outcomes.csv"),
        "--base",
        &path("base.json"),
        "--out",
        &path("model.json"),
        "--l2",
        "0.1",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
    let answers = &model["slots"][0]["answers"];
    let points = |value: &str| {
        answers
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["values"][0] == value)
            .unwrap_or_else(|| panic!("no option {value}: {answers}"))["points"]
            .as_f64()
            .unwrap()
    };
    assert!(
        (points("approved") - 40.0).abs() <= 10.0,
        "{answers}\n{stdout}"
    );
    assert!((points("none") + 20.0).abs() <= 10.0, "{answers}\n{stdout}");
    assert!(
        (points("planned") - 20.0).abs() <= 10.0,
        "a new option: {answers}\n{stdout}"
    );
    assert_eq!(
        answers[1]["disqualifies"], true,
        "the option keeps what it was"
    );
    assert!(!stdout.contains("score otherwise"), "{stdout}");
}

#[test]
fn l2_cv_picks_the_regularisation_by_cross_validation_on_the_training_leads() {
    let dir = scratch("fit-l2-cv");
    synthesize(&dir, 3000);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (code, stdout, stderr) = leadpulse(&[
        "fit",
        "--events",
        &path("events.jsonl"),
        "--outcomes",
        &path("outcomes.csv"),
        "--out",
        &path("model.json"),
        "--report",
        &path("report.json"),
        "--l2-cv",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let l2 = report["fit"]["l2"].as_f64().unwrap();
    assert!([0.1, 0.3, 1.0, 3.0, 10.0, 30.0].contains(&l2), "{l2}");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains(&format!("λ = {l2}, chosen by 5-fold cross-validation")),
        "{warnings}"
    );
    let (code, _, stderr) = leadpulse(&[
        "fit",
        "--events",
        &path("events.jsonl"),
        "--outcomes",
        &path("outcomes.csv"),
        "--out",
        &path("m2.json"),
        "--l2-cv",
        "--l2",
        "3",
    ]);
    assert_eq!(code, 2, "{stderr}");
}
