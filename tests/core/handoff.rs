//! The sales half of qualification: hand-raisers reach SQL at once, disqualifying answers keep
//! a visitor below SQL, and a qualified lead is handed off again, as a new revision, when
//! something sales would want to hear changes.
use crate::common;

use common::*;
use leadpulse::core::summary::{Runtime, SummaryOptions};
use leadpulse::core::time::{DAY, MINUTE};
use serde_json::json;

const EDGE: SummaryOptions = SummaryOptions {
    runtime: Runtime::Edge,
    include_email: true,
    shadow: None,
};

fn vp_of_sales() -> serde_json::Value {
    json!({"email": "rae@bigco.com", "name": "Rae Ortiz", "title": "VP of Sales",
           "company": {"name": "BigCo", "employee_count": 2500, "industry": "Logistics"}})
}

#[test]
fn a_known_hand_raiser_with_fitting_traits_reaches_sql_on_a_first_visit() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("rae");
    v.page(t, "/demo").identify(t + MINUTE, vp_of_sales());
    let before = v.snap(t + MINUTE);
    assert_eq!(before.stage, "lead", "known, but no hand raised yet");
    let step = v
        .session
        .track(
            &event(json!({"type": "track", "anonymousId": "rae", "timestamp": t + 2 * MINUTE, "event": "Demo Requested"})),
            t + 2 * MINUTE,
        )
        .unwrap();
    assert_eq!(
        (step.stage, step.qualified, step.summary_due),
        ("sql", true, true)
    );
    let snap = v.snap(t + 2 * MINUTE);
    assert!(
        snap.engagement < 25,
        "below the scored route's engagement floor: {}",
        snap.engagement
    );
    assert_eq!(snap.route.as_deref(), Some("hand_raise"));
    let summary = v.session.handoff(t + 2 * MINUTE, EDGE).unwrap();
    assert_eq!(
        (
            summary.stage.as_str(),
            summary.route.as_str(),
            summary.revision
        ),
        ("sql", "hand_raise", 1)
    );
    assert!(summary.reasons.iter().any(|r| r.rule == "demo_request"));
}

#[test]
fn a_hand_raise_needs_a_known_visitor_and_no_negative_fit() {
    let t = at("2026-11-02T09:00:00Z");
    let mut anonymous = Visitor::new("anon");
    anonymous
        .page(t, "/demo")
        .track(t + MINUTE, "Demo Requested", json!({}));
    assert_ne!(
        anonymous.snap(t + MINUTE).stage,
        "sql",
        "nobody to follow up with"
    );
    let mut student = Visitor::new("kid");
    student
        .identify(t, json!({"email": "kid@uni.edu", "title": "Student"}))
        .track(t + MINUTE, "Demo Requested", json!({}));
    let snap = student.snap(t + MINUTE);
    assert_ne!(snap.stage, "sql");
    assert_eq!(snap.disqualifiers.len(), 2, "{:?}", snap.disqualifiers);
}

#[test]
fn disqualifying_answers_do_not_count_as_coverage_and_keep_a_visitor_below_sql() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("v");
    journey_as(&mut v, t, senior_buyer());
    let qualified = v.snap(t + 4 * DAY + MINUTE);
    assert!(
        qualified.qualified,
        "the buying journey qualifies: {}",
        qualified.score
    );
    v.answer(t + 4 * DAY + 2 * MINUTE, "budget", "none").answer(
        t + 4 * DAY + 3 * MINUTE,
        "timeline",
        "no timeline",
    );
    let s = v.snap(t + 4 * DAY + 3 * MINUTE);
    let bant = s.frameworks.get("BANT").unwrap();
    assert_eq!(
        bant.filled,
        vec!["authority", "need"],
        "only qualifying answers fill"
    );
    assert!(bant.missing.is_empty(), "answered is not missing");
    assert_eq!(bant.coverage, 50);
    let listed: Vec<_> = s
        .disqualifiers
        .iter()
        .map(|d| d.slot.clone().unwrap())
        .collect();
    assert_eq!(listed, ["budget", "timeline"]);
    assert!(!s.qualified, "a disqualified visitor no longer holds SQL");
    assert!(s.next_question.is_none() || s.next_question.as_ref().unwrap().slot != "budget");

    // The same answers before any qualification keep the journey below SQL.
    let mut early = Visitor::new("w");
    early
        .answer(t, "budget", "none")
        .answer(t + MINUTE, "timeline", "no timeline");
    journey_as(&mut early, t + 2 * MINUTE, senior_buyer());
    assert_ne!(early.snap(t + 5 * DAY).stage, "sql");
}

#[test]
fn a_material_change_after_the_hand_off_makes_a_new_revision_due() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("v");
    journey_as(&mut v, t, senior_buyer());
    let now = t + 4 * DAY + MINUTE;
    let first = v
        .session
        .handoff(now, EDGE)
        .expect("qualified: a summary is due");
    assert_eq!(first.revision, 1);
    assert!(
        v.session.handoff(now, EDGE).is_none(),
        "handed off: not due again"
    );
    // Nothing material: another pricing view changes the score, not what sales hears.
    v.page(now + MINUTE, "/pricing");
    assert!(!v.session.summary_due(now + MINUTE));
    // A chat answer is material.
    v.answer(now + 2 * MINUTE, "budget", "approved");
    assert!(v.session.summary_due(now + 2 * MINUTE));
    let second = v.session.handoff(now + 2 * MINUTE, EDGE).unwrap();
    assert_eq!(second.revision, 2);
    assert_ne!(
        second.id, first.id,
        "each revision has its own idempotency key"
    );
    assert_eq!(
        second.slots.get("budget").map(|s| s.as_text()),
        Some("approved".into())
    );
    // So is a question typed for sales; it travels in the summary.
    v.track(
        now + 3 * MINUTE,
        "Question Asked",
        json!({"question": "Do you integrate with\nSalesforce?\u{202E}"}),
    );
    let third = v.session.handoff(now + 3 * MINUTE, EDGE).unwrap();
    assert_eq!(third.revision, 3);
    assert_eq!(third.questions, ["Do you integrate with Salesforce?"]);
    // The summary read back is the last revision, unchanged, until the next change.
    let again = v.session.summary(now + 4 * MINUTE, EDGE).unwrap();
    assert_eq!((again.id.as_str(), again.revision), (third.id.as_str(), 3));
}

#[test]
fn the_identify_then_demo_request_of_a_form_ends_in_one_summary_with_the_demo_request() {
    // The demo form identifies one step before it records the request: the revision after
    // the request carries it, so sales sees what the visitor did last.
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("v");
    v.page(t, "/pricing")
        .page(t + DAY, "/pricing")
        .page(t + DAY + MINUTE, "/case-studies/acme")
        .track(
            t + DAY + 2 * MINUTE,
            "Asset Downloaded",
            json!({"asset_type": "case_study"}),
        )
        .answer(t + DAY + 3 * MINUTE, "budget", "approved");
    v.identify(t + DAY + 4 * MINUTE, vp_of_sales());
    let at_identify = v.session.handoff(t + DAY + 4 * MINUTE, EDGE);
    v.track(
        t + DAY + 5 * MINUTE,
        "Demo Requested",
        json!({"form": "demo"}),
    );
    let after = v.session.handoff(t + DAY + 5 * MINUTE, EDGE).unwrap();
    assert!(
        after.reasons.iter().any(|r| r.rule == "demo_request"),
        "{:?}",
        after.reasons
    );
    assert_eq!(after.revision, at_identify.map_or(1, |s| s.revision + 1));
    assert_eq!(after.score, v.snap(t + DAY + 5 * MINUTE).score);
}

/// A revision pings a rep: only what the summary shows sales counts. A pricing view that fills
/// a slot the summary does not carry (FAINT's interest) is not one; a budget answer is.
#[test]
fn a_slot_the_summary_does_not_show_makes_no_new_revision() {
    let t = at("2026-11-02T09:00:00Z");
    let mut v = Visitor::new("rae");
    v.page(t, "/demo")
        .identify(t + MINUTE, vp_of_sales())
        .track(t + 2 * MINUTE, "Demo Requested", json!({}));
    let first = v.session.handoff(t + 2 * MINUTE, EDGE).unwrap();
    assert_eq!((first.stage.as_str(), first.revision), ("sql", 1));
    v.page(t + 3 * MINUTE, "/pricing")
        .page(t + 4 * MINUTE, "/pricing");
    assert!(
        !v.session.summary_due(t + 4 * MINUTE),
        "pricing views change nothing sales sees"
    );
    v.answer(t + 5 * MINUTE, "budget", "approved");
    assert!(
        v.session.summary_due(t + 5 * MINUTE),
        "a budget answer does"
    );
    let second = v.session.handoff(t + 5 * MINUTE, EDGE).unwrap();
    assert_eq!(second.revision, 2);
}
