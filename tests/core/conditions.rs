//! The conditions of issue 19: event property tests beyond equality, a visit's source, and
//! combinations (`all`) — what they fire on, that each is one reason, that saved state keeps
//! them, and every mistake reported with its path.
use crate::common;

use common::{at, model_with, reason, Visitor};
use leadpulse::core::model::Model;
use leadpulse::core::state;
use leadpulse::core::time::{DAY, MINUTE};
use serde_json::{json, Value};

fn problems(rule_when: Value) -> Vec<(String, String)> {
    let doc = json!({
        "version": 1, "name": "t",
        "rules": [{"id": "r", "when": rule_when, "points": 5}],
        "grades": {"fit": [{"grade": "A"}], "engagement": [{"grade": "1"}]},
        "status": {"warm": 10, "hot": 20},
        "stages": {"mql": {"enter": 20}, "sql": {"enter": 40}}
    });
    match Model::from_value(&common::lp(&doc)) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.into_iter().map(|p| (p.path, p.message)).collect(),
    }
}

fn assert_problem(when: Value, path: &str, fragment: &str) {
    let found = problems(when.clone());
    assert!(
        found.iter().any(|(p, m)| p == path && m.contains(fragment)),
        "{when}: expected a problem at `{path}` containing `{fragment}`, got {found:#?}"
    );
}

fn page_from(v: &mut Visitor, t: i64, path: &str, search: &str, referrer: &str) {
    let id = v.id.clone();
    v.apply(json!({"type": "page", "anonymousId": id, "timestamp": t,
        "properties": {"path": path, "search": search, "referrer": referrer}}));
}

#[test]
fn event_properties_take_ranges_text_tests_and_exists() {
    let model = model_with(
        json!([
            {"id": "big_quote", "when": {"event": "Quote Requested", "properties": {"seats": {"range": {"min": 50}}}}, "points": 10, "frequency": "once"},
            {"id": "crm_plan", "when": {"event": "Plan Viewed", "properties": {"plan": {"contains": ["enterprise"]}}}, "points": 7},
            {"id": "team_plan", "when": {"event": "Plan Viewed", "properties": {"plan": {"oneOf": ["team", "business"]}}}, "points": 3},
            {"id": "with_coupon", "when": {"event": "Checkout", "properties": {"coupon": {"exists": true}}}, "points": 2},
            {"id": "legacy_equality", "when": {"event": "Checkout", "properties": {"step": [2, "two"]}}, "points": 1}
        ]),
        json!({}),
    );
    let t0 = at("2026-03-02T09:00:00Z");
    let mut v = Visitor::with_model(model, "p1");
    v.track(t0, "Quote Requested", json!({"seats": 12})).track(
        t0 + MINUTE,
        "Quote Requested",
        json!({"seats": "49.5"}),
    );
    assert_eq!(
        reason(&v.snap(t0 + MINUTE), "big_quote"),
        0,
        "below the range"
    );
    v.track(t0 + 2 * MINUTE, "Quote Requested", json!({"seats": "120"}))
        .track(t0 + 3 * MINUTE, "Quote Requested", json!({"seats": 500}));
    assert_eq!(
        reason(&v.snap(t0 + 3 * MINUTE), "big_quote"),
        10,
        "numeric text counts, once"
    );
    v.track(
        t0 + 4 * MINUTE,
        "Plan Viewed",
        json!({"plan": "Enterprise Plus"}),
    )
    .track(t0 + 5 * MINUTE, "Plan Viewed", json!({"plan": "Team"}))
    .track(t0 + 6 * MINUTE, "Plan Viewed", json!({"plan": "teams"}))
    .track(
        t0 + 7 * MINUTE,
        "Checkout",
        json!({"coupon": null, "step": 2}),
    )
    .track(t0 + 8 * MINUTE, "Checkout", json!({"coupon": "SPRING"}));
    let snap = v.snap(t0 + 8 * MINUTE);
    assert_eq!(reason(&snap, "crm_plan"), 7);
    assert_eq!(reason(&snap, "team_plan"), 3, "'teams' is not one of them");
    assert_eq!(reason(&snap, "with_coupon"), 2, "null does not exist");
    assert_eq!(reason(&snap, "legacy_equality"), 1);
    assert_eq!(
        snap.reasons.iter().map(|r| r.points).sum::<i64>(),
        snap.score
    );
}

#[test]
fn a_source_condition_reads_the_first_or_the_last_touch() {
    let model = model_with(
        json!([
            {"id": "first_paid", "when": {"source": "utm_medium", "oneOf": ["cpc", "paid"]}, "points": 8},
            {"id": "last_newsletter", "when": {"source": "utm_source", "touch": "last", "equals": "newsletter"}, "points": 5},
            {"id": "from_g2", "when": {"source": "referrer", "endsWith": ["g2.com"]}, "points": 4}
        ]),
        json!({}),
    );
    let t0 = at("2026-03-02T09:00:00Z");
    let mut v = Visitor::with_model(model, "s1");
    page_from(
        &mut v,
        t0,
        "/",
        "?utm_source=google&utm_medium=CPC",
        "https://www.g2.com/products/x",
    );
    let snap = v.snap(t0);
    assert_eq!(reason(&snap, "first_paid"), 8, "case is ignored");
    assert_eq!(reason(&snap, "from_g2"), 4);
    assert_eq!(reason(&snap, "last_newsletter"), 0);
    assert_eq!(
        snap.engagement, 12,
        "a source rule is on the engagement axis by default"
    );
    page_from(
        &mut v,
        t0 + 2 * DAY,
        "/pricing",
        "?utm_source=Newsletter",
        "",
    );
    let snap = v.snap(t0 + 2 * DAY);
    assert_eq!(
        reason(&snap, "last_newsletter"),
        5,
        "the second visit is the last touch"
    );
    assert_eq!(reason(&snap, "first_paid"), 8, "the first touch stays");
    assert_eq!(reason(&v.snap(t0 + 400 * DAY), "first_paid"), 8, "no decay");
}

#[test]
fn a_combination_is_one_reason_once_every_part_holds() {
    let model = model_with(
        json!([
            {"id": "paid_pricing_seats", "when": {"all": [
                {"source": "utm_medium", "equals": "cpc"},
                {"page": "/pricing"},
                {"event": "Quote Requested", "properties": {"seats": {"range": {"min": 50}}}}
            ]}, "points": 30},
            {"id": "senior_returning", "when": {"all": [
                {"trait": "title", "contains": ["vp"]},
                {"session": 2},
                {"engagedSeconds": 60, "per": "visitor"}
            ]}, "points": 20}
        ]),
        json!({}),
    );
    let t0 = at("2026-03-02T09:00:00Z");
    let mut v = Visitor::with_model(model.clone(), "c1");
    page_from(&mut v, t0, "/", "?utm_medium=cpc", "");
    v.track(t0 + MINUTE, "Quote Requested", json!({"seats": 80}));
    assert_eq!(
        reason(&v.snap(t0 + MINUTE), "paid_pricing_seats"),
        0,
        "pricing not seen yet"
    );
    v.page(t0 + 2 * MINUTE, "/pricing");
    let snap = v.snap(t0 + 2 * MINUTE);
    assert_eq!(
        reason(&snap, "paid_pricing_seats"),
        30,
        "one reason for the combination"
    );
    assert_eq!(snap.reasons.len(), 1);
    // The parts seen survive a save and a restore.
    let saved = state::save(&v.session);
    let restored = state::restore(model.clone(), &saved).unwrap();
    assert_eq!(restored.snapshot(t0 + 2 * MINUTE).score, 30);

    let mut w = Visitor::with_model(model, "c2");
    w.identify(t0, json!({"title": "VP Sales"}))
        .engage(t0 + MINUTE, "/", 90.0);
    assert_eq!(
        reason(&w.snap(t0 + MINUTE), "senior_returning"),
        0,
        "one session only"
    );
    w.page(t0 + DAY, "/");
    let snap = w.snap(t0 + DAY);
    assert_eq!(reason(&snap, "senior_returning"), 20);
    assert_eq!(
        snap.fit, 20,
        "a combination whose first part is a trait is fit"
    );
    w.identify(t0 + DAY + MINUTE, json!({"title": "Engineer"}));
    assert_eq!(
        reason(&w.snap(t0 + DAY + MINUTE), "senior_returning"),
        0,
        "a trait part must still hold"
    );
}

#[test]
fn every_mistake_in_the_new_conditions_is_reported_with_its_path() {
    assert_problem(
        json!({"event": "E", "properties": {"n": {"range": {"min": 5, "max": 1}}}}),
        "rules[0].when.properties.n.range",
        "greater than max",
    );
    assert_problem(
        json!({"event": "E", "properties": {"n": {"below": 3}}}),
        "rules[0].when.properties.n.below",
        "unknown field",
    );
    assert_problem(
        json!({"event": "E", "properties": {"n": {"oneOf": [], "contains": ["a"]}}}),
        "rules[0].when.properties.n",
        "exactly one test",
    );
    assert_problem(
        json!({"source": "utm_sorce", "equals": "google"}),
        "rules[0].when.source",
        "expected one of utm_source",
    );
    assert_problem(
        json!({"source": "utm_source", "touch": "middle", "equals": "google"}),
        "rules[0].when.touch",
        "'first' or 'last'",
    );
    assert_problem(
        json!({"source": "referrer"}),
        "rules[0].when",
        "exactly one test",
    );
    assert_problem(
        json!({"all": [{"page": "/a"}]}),
        "rules[0].when.all",
        "2 to 4 parts",
    );
    assert_problem(
        json!({"all": [{"page": "/a"}, {"all": [{"page": "/b"}, {"page": "/c"}]}]}),
        "rules[0].when.all[1]",
        "cannot hold another combination",
    );
    assert_problem(
        json!({"all": [{"page": "/a", "repeat": {"count": 2, "withinDays": 3}}, {"session": 2}]}),
        "rules[0].when.all[0]",
        "no `repeat`",
    );
    assert_problem(
        json!({"all": [{"engagedSeconds": 30}, {"session": 2}]}),
        "rules[0].when.all[0]",
        "per visitor",
    );
    assert_problem(
        json!({"all": [{"page": "pricing"}, {"trait": "title", "exists": false}]}),
        "rules[0].when.all[0].page",
        "starts with '/'",
    );
    assert_problem(
        json!({"all": [{"page": "pricing"}, {"trait": "title", "exists": false}]}),
        "rules[0].when.all[1].exists",
        "only `true`",
    );
    let decaying = json!({
        "version": 1, "name": "t",
        "rules": [{"id": "r", "when": {"source": "referrer", "exists": true}, "points": 5, "halfLifeDays": 3}],
        "grades": {"fit": [{"grade": "A"}], "engagement": [{"grade": "1"}]},
        "status": {"warm": 10, "hot": 20},
        "stages": {"mql": {"enter": 20}, "sql": {"enter": 40}}
    });
    let e = Model::from_value(&common::lp(&decaying)).unwrap_err();
    assert!(e.0.iter().any(|p| p.path == "rules[0].halfLifeDays"), "{e}");
}
