//! Model validation: every kind of problem is reported, all at once, each with its path.
use crate::common;

use leadpulse::core::model::{Model, BUILTIN_JSON};
use serde_json::{json, Value};

fn problems(doc: Value) -> Vec<(String, String)> {
    match Model::from_value(&common::lp(&doc)) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.into_iter().map(|p| (p.path, p.message)).collect(),
    }
}

fn base() -> Value {
    json!({
        "version": 1, "name": "t",
        "rules": [{"id": "pricing", "when": {"page": "/pricing"}, "points": 10}],
        "grades": {"fit": [{"grade": "A"}], "engagement": [{"grade": "1"}]},
        "status": {"warm": 10, "hot": 20},
        "stages": {"mql": {"enter": 20}, "sql": {"enter": 40}}
    })
}

fn with(path: &[&str], value: Value) -> Value {
    let mut doc = base();
    let mut node = &mut doc;
    for (i, key) in path.iter().enumerate() {
        if i + 1 == path.len() {
            match node {
                Value::Array(items) => items[key.parse::<usize>().unwrap()] = value.clone(),
                _ => {
                    node[*key] = value.clone();
                }
            }
        } else {
            node = match node {
                Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
                _ => &mut node[*key],
            };
        }
    }
    doc
}

fn assert_problem(doc: Value, path: &str, fragment: &str) {
    let found = problems(doc);
    assert!(
        found.iter().any(|(p, m)| p == path && m.contains(fragment)),
        "expected a problem at `{path}` containing `{fragment}`, got {found:#?}"
    );
}

#[test]
fn the_built_in_model_and_the_base_are_valid() {
    let builtin = Model::from_json_text(BUILTIN_JSON).unwrap();
    assert_eq!(builtin.name, "b2b-saas-default");
    assert_eq!(builtin.hash.len(), 16);
    assert!(problems(base()).is_empty());
    for framework in ["BANT", "CHAMP", "MEDDIC", "FAINT"] {
        assert!(
            builtin.frameworks.iter().any(|f| f.id == framework),
            "{framework}"
        );
    }
}

#[test]
fn every_problem_kind_is_reported_with_its_path() {
    assert_problem(with(&["colour"], json!("red")), "colour", "unknown field");
    assert_problem(
        with(&["rules", "0", "pionts"], json!(1)),
        "rules[0].pionts",
        "unknown field",
    );
    assert_problem(
        with(&["name"], json!(7)),
        "name",
        "expected a string, found a number",
    );
    assert_problem(
        with(&["version"], json!(2)),
        "version",
        "unsupported model version 2",
    );
    assert_problem(
        with(&["rules", "0", "points"], json!(0)),
        "rules[0].points",
        "must not be 0",
    );
    assert_problem(
        with(&["rules", "0", "when"], json!({})),
        "rules[0].when",
        "needs one of",
    );
    assert_problem(
        with(&["rules", "0", "when"], json!({"page": "/a", "event": "b"})),
        "rules[0].when",
        "exactly one kind",
    );
    assert_problem(
        with(&["rules", "0", "when"], json!({"page": "pricing"})),
        "rules[0].when.page",
        "starts with '/'",
    );
    assert_problem(
        with(&["rules", "0", "group"], json!("nope")),
        "rules[0].group",
        "unknown group 'nope'",
    );
    assert_problem(
        with(&["rules", "0", "cap"], json!(-3)),
        "rules[0].cap",
        "greater than 0",
    );
    assert_problem(
        with(&["rules", "0", "halfLifeDays"], json!(0)),
        "rules[0].halfLifeDays",
        "greater than 0",
    );
    assert_problem(
        with(&["rules", "0", "frequency"], json!("sometimes")),
        "rules[0].frequency",
        "expected 'every', 'once'",
    );
    assert_problem(
        with(
            &["rules", "0", "frequency"],
            json!({"max": 0, "per": "session"}),
        ),
        "rules[0].frequency.max",
        "at least 1",
    );
    assert_problem(
        with(
            &["rules", "0", "frequency"],
            json!({"max": 1, "per": "week"}),
        ),
        "rules[0].frequency.per",
        "expected 'session'",
    );
    assert_problem(
        with(
            &["rules", "0", "when"],
            json!({"page": "/p", "repeat": {"count": 1, "withinDays": 7}}),
        ),
        "rules[0].when.repeat.count",
        "between 2 and 16",
    );
    assert_problem(
        with(&["rules", "0", "when"], json!({"trait": "title"})),
        "rules[0].when",
        "exactly one test",
    );
    assert_problem(
        with(
            &["rules", "0", "when"],
            json!({"trait": "n", "range": {"min": 5, "max": 1}}),
        ),
        "rules[0].when.range",
        "greater than max",
    );
    assert_problem(
        with(&["rules", "0", "when"], json!({"scroll": 120})),
        "rules[0].when.scroll",
        "percentage",
    );
    assert_problem(
        with(
            &["grades", "fit"],
            json!([{"grade": "A"}, {"min": 3, "grade": "B"}]),
        ),
        "grades.fit[0]",
        "only the last band",
    );
    assert_problem(
        with(
            &["grades", "fit"],
            json!([{"min": 1, "grade": "A"}, {"min": 5, "grade": "B"}, {"grade": "C"}]),
        ),
        "grades.fit[1].min",
        "highest min down",
    );
    assert_problem(
        with(&["status", "hot"], json!(5)),
        "status.hot",
        "above status.warm",
    );
    assert_problem(
        with(&["stages", "sql", "exit"], json!(50)),
        "stages.sql.exit",
        "must not be above enter",
    );
    assert_problem(
        with(&["stages", "sql", "enter"], json!(10)),
        "stages.sql.enter",
        "must not be below stages.mql.enter",
    );
    assert_problem(
        with(
            &["stages", "sql", "minCoverage"],
            json!({"framework": "BANT", "percent": 50}),
        ),
        "stages.sql.minCoverage.framework",
        "unknown framework",
    );
    assert_problem(
        with(&["handoff"], json!(["visitor"])),
        "handoff[0]",
        "expected 'mql' or 'sql'",
    );
    assert_problem(
        with(&["frameworks"], json!({"BANT": ["budget"]})),
        "frameworks.BANT[0]",
        "unknown slot 'budget'",
    );
    assert_problem(
        with(&["bots"], json!({"userAgents": ["Bot"]})),
        "bots.userAgents[0]",
        "lower-case",
    );
    assert_problem(
        with(&["actions"], json!({"customer": {"cta": "x"}})),
        "actions.customer",
        "unknown field",
    );
    assert_problem(
        with(&["actions"], json!({"sql": {"cta": 3}})),
        "actions.sql.cta",
        "expected a string",
    );
    assert_problem(
        with(
            &["rules"],
            json!([{"id": "a", "when": {"page": "/a"}, "points": 1}, {"id": "a", "when": {"page": "/b"}, "points": 1}]),
        ),
        "rules[1].id",
        "duplicate rule id",
    );
}

#[test]
fn every_problem_is_listed_at_once() {
    let mut doc = base();
    doc["colour"] = json!("red");
    doc["rules"][0]["points"] = json!("ten");
    doc["status"]["hot"] = json!(1);
    doc.as_object_mut().unwrap().remove("name");
    let found = problems(doc);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    for expected in ["colour", "rules[0].points", "status.hot", "name"] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    let message = Model::from_json_text("{\"version\": 1,}")
        .unwrap_err()
        .to_string();
    assert!(message.contains("not valid JSON"), "{message}");
}

#[test]
fn trait_rules_refuse_decay_and_frequency() {
    let doc = with(
        &["rules", "0"],
        json!({"id": "vp", "when": {"trait": "title", "contains": ["vp"]}, "points": 5, "halfLifeDays": 3}),
    );
    assert_problem(
        doc,
        "rules[0].halfLifeDays",
        "trait, source and combination rules hold while their condition does",
    );
}

#[test]
fn the_hash_identifies_content_not_formatting() {
    let a = Model::from_value(&common::lp(&base())).unwrap();
    let spaced: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&base()).unwrap()).unwrap();
    assert_eq!(
        Model::from_value(&common::lp(&spaced)).unwrap().hash,
        a.hash
    );
    let changed = with(&["rules", "0", "points"], json!(11));
    assert_ne!(
        Model::from_value(&common::lp(&changed)).unwrap().hash,
        a.hash
    );
}

#[test]
fn routes_and_disqualifiers_are_checked() {
    let route = |r: Value| with(&["stages", "sql", "routes"], json!([r]));
    assert_problem(
        route(json!({"id": "hand_raise", "rules": ["demo"]})),
        "stages.sql.routes[0].rules[0]",
        "unknown rule 'demo'",
    );
    assert_problem(
        route(json!({"id": "empty"})),
        "stages.sql.routes[0]",
        "needs `rules`, `enter`",
    );
    assert_problem(
        route(json!({"id": "score", "enter": 5})),
        "stages.sql.routes[0].id",
        "not 'score'",
    );
    assert_problem(
        route(json!({"id": "x", "rules": ["pricing"], "withinDays": -1})),
        "stages.sql.routes[0].withinDays",
        "greater than 0",
    );
    assert_problem(
        route(json!({"id": "x", "rules": ["pricing"], "minFitt": 0})),
        "stages.sql.routes[0].minFitt",
        "unknown field",
    );
    assert!(problems(route(json!({"id": "hand_raise", "rules": ["pricing"], "withinDays": 30, "known": true, "minFit": 0, "noDisqualifier": true}))).is_empty());
    assert_problem(
        with(&["rules", "0", "disqualifies"], json!(true)),
        "rules[0].disqualifies",
        "only a trait rule",
    );
    let mut slot = base();
    slot["slots"] = json!([{"id": "budget", "question": "?", "answers": [{"values": ["none"], "points": -5, "disqualifies": "yes"}]}]);
    assert_problem(
        slot,
        "slots[0].answers[0].disqualifies",
        "expected a boolean",
    );
}

#[test]
fn page_patterns_that_cannot_match_or_are_too_long_are_refused() {
    let cases = [
        ("pricing", "starts with '/' or '*'"),
        ("/pricing?plan=pro", "queries and fragments"),
        ("/pricing#plans", "queries and fragments"),
        ("/our pricing", "no spaces or control characters"),
        ("/pricing\u{7}", "no spaces or control characters"),
    ];
    for (pattern, fragment) in cases {
        let doc = with(&["rules", "0", "when", "page"], json!(pattern));
        assert_problem(doc, "rules[0].when.page", fragment);
    }
    let long = format!("/{}", "*a".repeat(200));
    assert_problem(
        with(&["rules", "0", "when", "page"], json!(long)),
        "rules[0].when.page",
        "at most 256 bytes",
    );
    // Hostile but short patterns are fine: matching is linear (src/core/glob.rs).
    let hostile = with(
        &["rules", "0", "when", "page"],
        json!("/**/**/**/**/pricing"),
    );
    assert_eq!(problems(hostile), Vec::new());
}

/// A model whose grades would make summaries the collector refuses is refused itself (the
/// probe found 40 + 40-character labels and empty ones passing `validate`).
#[test]
fn grade_labels_that_would_break_the_summary_contract_are_refused() {
    for label in ["", "A".repeat(40).as_str(), "A\u{202e}", "A\tB"] {
        let doc = with(&["grades", "fit"], json!([{"grade": label}]));
        assert_problem(doc, "grades.fit[0].grade", "1 to 8 printable characters");
    }
    let ok = with(&["grades", "fit"], json!([{"grade": "Tier-1"}]));
    assert_eq!(problems(ok), Vec::new());
}

#[test]
fn rearm_points_belong_to_the_sql_stage_and_are_bounded() {
    let model = |doc: Value| Model::from_value(&common::lp(&doc)).unwrap();
    assert_eq!(
        model(base()).sql.rearm,
        leadpulse::core::model::DEFAULT_REARM_POINTS
    );
    assert_eq!(
        model(with(&["stages", "sql", "rearmPoints"], json!(35)))
            .sql
            .rearm,
        35.0
    );
    assert_eq!(
        model(with(&["stages", "sql", "rearmPoints"], json!(0)))
            .sql
            .rearm,
        0.0,
        "0: any later SQL summary hands the lead back to sales"
    );
    assert_problem(
        with(&["stages", "sql", "rearmPoints"], json!(-5)),
        "stages.sql.rearmPoints",
        "between 0 and 10000",
    );
    assert_problem(
        with(&["stages", "sql", "rearmPoints"], json!("20")),
        "stages.sql.rearmPoints",
        "expected a number",
    );
    assert_problem(
        with(&["stages", "mql", "rearmPoints"], json!(20)),
        "stages.mql.rearmPoints",
        "unknown field",
    );
}
