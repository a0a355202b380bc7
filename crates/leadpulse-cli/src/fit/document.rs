//! The model documents a fit builds: the probe (no rules: sessions and traits only), the
//! feature model (every candidate, so that the engine keeps evidence for each), and the
//! fitted model itself — a normal document that `validate`, the browser and the edge read
//! unchanged.
use leadpulse::core::model::BUILTIN_JSON;
use serde_json::{json, Map, Value};

use super::candidates::{Candidate, Origin};

/// Enter thresholds no score reaches (the probe and feature models decide no stage).
const NEVER: f64 = 1e15;

fn builtin() -> Value {
    serde_json::from_str(BUILTIN_JSON).unwrap_or(Value::Null)
}

/// What every document shares with the base (or the built-in model): sessions, bots, who
/// counts as a lead, and the slots and frameworks (so that answers in the history apply),
/// with answer points set to 0 when `silent`.
fn shared(base: Option<&Value>, silent: bool) -> Map<String, Value> {
    let builtin = builtin();
    let from = |key: &str| base.and_then(|b| b.get(key)).cloned();
    let mut doc = Map::new();
    doc.insert("version".into(), json!(1));
    if let Some(session) = from("session") {
        doc.insert("session".into(), session);
    }
    let bots = from("bots").or_else(|| builtin.get("bots").cloned());
    doc.insert("bots".into(), bots.unwrap_or_else(|| json!({})));
    let lead = base
        .and_then(|b| b.pointer("/stages/lead"))
        .cloned()
        .unwrap_or_else(|| json!({"traits": ["email"]}));
    doc.insert("stages".into(), json!({"lead": lead}));
    if let Some(mut slots) = from("slots") {
        if silent {
            for answer in slots
                .as_array_mut()
                .into_iter()
                .flatten()
                .filter_map(|slot| slot.get_mut("answers")?.as_array_mut())
                .flatten()
            {
                if let Some(points) = answer.get_mut("points") {
                    *points = json!(0);
                }
            }
        }
        doc.insert("slots".into(), slots);
        if let Some(frameworks) = from("frameworks") {
            doc.insert("frameworks".into(), frameworks);
        }
    }
    doc
}

/// A document that decides nothing: one grade band, unreachable stages.
fn inert(base: Option<&Value>, name: &str, rules: Vec<Value>) -> Value {
    let mut doc = shared(base, true);
    doc.insert("name".into(), json!(name));
    doc.insert("rules".into(), Value::Array(rules));
    doc.insert(
        "grades".into(),
        json!({"fit": [{"grade": "-"}], "engagement": [{"grade": "-"}]}),
    );
    doc.insert("status".into(), json!({"warm": NEVER, "hot": 2.0 * NEVER}));
    if let Some(Value::Object(stages)) = doc.get_mut("stages") {
        stages.insert("mql".into(), json!({"enter": NEVER}));
        stages.insert("sql".into(), json!({"enter": NEVER}));
    }
    Value::Object(doc)
}

/// The base's sessions, bots and slots, and no rules: what a history does, without scores.
pub fn probe(base: Option<&Value>) -> Value {
    inert(base, "fit-probe", Vec::new())
}

/// Every candidate, at 1 point, uncapped and ungrouped: only its evidence is read.
pub fn features(base: Option<&Value>, candidates: &[Candidate]) -> Value {
    let rules = candidates
        .iter()
        .filter(|c| c.is_rule())
        .map(|c| {
            let mut rule = c.rule.clone();
            rule.insert("id".into(), json!(c.id));
            rule.insert("points".into(), json!(1));
            Value::Object(rule)
        })
        .collect();
    inert(base, "fit-features", rules)
}

/// Stage thresholds, grade bands and the rest the fit decided.
pub struct Decisions {
    pub name: String,
    pub description: String,
    pub mql: (i64, i64),
    pub sql: (i64, i64),
    /// Grade bands: (label, min) highest first; the last has no min.
    pub fit_grades: Vec<(String, Option<i64>)>,
    pub engagement_grades: Vec<(String, Option<i64>)>,
}

/// The rule a candidate becomes at `points`; `None` when it scores nothing and no route
/// names it.
pub fn rule(candidate: &Candidate, points: i64) -> Option<Value> {
    if !candidate.is_rule() {
        return None;
    }
    let mut rule = Map::new();
    rule.insert("id".into(), json!(candidate.id));
    if !candidate.description.is_empty() {
        rule.insert("description".into(), json!(candidate.description));
    }
    rule.extend(candidate.rule.clone());
    let points = match (&candidate.origin, points) {
        (
            Origin::Base {
                referenced: true, ..
            },
            0,
        ) => 1,
        (_, 0) => return None,
        (_, p) => p,
    };
    rule.insert("points".into(), json!(points));
    if let Origin::Base {
        cap_hits: Some(hits),
        ..
    } = candidate.origin
    {
        let cap = (points.abs() as f64 * hits * 1e6).round() / 1e6;
        rule.insert("cap".into(), json!(cap));
    }
    Some(Value::Object(rule))
}

fn bands(grades: &[(String, Option<i64>)]) -> Value {
    Value::Array(
        grades
            .iter()
            .map(|(label, min)| match min {
                Some(min) => json!({"min": min, "grade": label}),
                None => json!({"grade": label}),
            })
            .collect(),
    )
}

/// The fitted model: the base (or a plain model) with the learned rules, no group or axis
/// caps (the points were learned without them), and the thresholds and grades decided.
pub fn fitted(base: Option<&Value>, rules: Vec<Value>, d: &Decisions) -> Value {
    let mut doc = match base.and_then(Value::as_object) {
        Some(base) => base.clone(),
        None => {
            let mut doc = shared(None, false);
            doc.insert("handoff".into(), json!(["mql", "sql"]));
            doc
        }
    };
    doc.insert("name".into(), json!(d.name));
    doc.insert("description".into(), json!(d.description));
    doc.remove("groups");
    doc.remove("caps");
    doc.insert("rules".into(), Value::Array(rules));
    doc.insert(
        "grades".into(),
        json!({"fit": bands(&d.fit_grades), "engagement": bands(&d.engagement_grades)}),
    );
    let hot = d.sql.0.max(d.mql.0 + 1);
    doc.insert("status".into(), json!({"warm": d.mql.0, "hot": hot}));
    let stages = doc
        .entry("stages")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(stages) = stages {
        for (key, (enter, exit)) in [("mql", d.mql), ("sql", d.sql)] {
            let stage = stages.entry(key).or_insert_with(|| json!({}));
            if let Some(stage) = stage.as_object_mut() {
                stage.insert("enter".into(), json!(enter));
                stage.insert("exit".into(), json!(exit));
                stage.remove("minFit");
                stage.remove("minEngagement");
                // NOTE: without a base, both stages need a known visitor: the points were
                // learned on leads, and an anonymous visitor with no evidence scores 0, which
                // can be above a threshold when most leads' evidence is negative.
                if base.is_none() {
                    stage.insert("known".into(), json!(true));
                }
            }
        }
    }
    Value::Object(doc)
}

/// Whether the base's stages had `minFit`/`minEngagement` (dropped: their scale changed).
pub fn dropped_minimums(base: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    for stage in ["mql", "sql"] {
        for key in ["minFit", "minEngagement"] {
            if base
                .and_then(|b| b.pointer(&format!("/stages/{stage}/{key}")))
                .is_some()
            {
                out.push(format!("stages.{stage}.{key}"));
            }
        }
    }
    out
}
