//! Frameworks, the next question, and the hand-off summary.
use crate::common;

use common::*;
use leadpulse::core::summary::{Runtime, SummaryOptions, MAX_BYTES};
use leadpulse::core::time::{DAY, HOUR, MINUTE};
use serde_json::json;

const BROWSER: SummaryOptions = SummaryOptions {
    runtime: Runtime::Browser,
    include_email: false,
    shadow: None,
};

#[test]
fn coverage_and_next_question_follow_answers_traits_and_events() {
    let t = at("2026-05-01T10:00:00Z");
    let mut v = Visitor::new("v");
    v.page(t, "/");
    let s = v.snap(t);
    assert_eq!(s.frameworks.get("BANT").unwrap().coverage, 0);
    assert_eq!(
        s.next_question.as_ref().unwrap().slot,
        "budget",
        "highest weight first"
    );
    v.answer(t + MINUTE, "budget", "approved");
    let s = v.snap(t + MINUTE);
    assert_eq!(s.frameworks.get("BANT").unwrap().filled, vec!["budget"]);
    assert_eq!(s.next_question.as_ref().unwrap().slot, "authority");
    assert_eq!(
        reason(&s, "slot.budget"),
        12,
        "the answer scores its option's points"
    );
    v.identify(t + 2 * MINUTE, json!({"title": "Head of RevOps"}));
    v.track(t + 3 * MINUTE, "Demo Requested", json!({}));
    let s = v.snap(t + 3 * MINUTE);
    assert_eq!(
        s.frameworks.get("BANT").unwrap().coverage,
        75,
        "authority from the title, need from the demo request"
    );
    assert_eq!(s.frameworks.get("BANT").unwrap().missing, vec!["timeline"]);
    assert_eq!(s.frameworks.get("CHAMP").unwrap().coverage, 75);
    assert_eq!(
        s.next_question.as_ref().unwrap().question,
        "When would you like a solution in place?"
    );
    v.answer(t + 4 * MINUTE, "budget", "none");
    assert_eq!(
        reason(&v.snap(t + 4 * MINUTE), "slot.budget"),
        -5,
        "a new answer replaces the old one"
    );
}

#[test]
fn the_summary_is_due_only_while_qualified_and_its_id_is_stable() {
    let t = at("2026-05-01T10:00:00Z");
    let mut v = Visitor::new("anon-7");
    v.page(t, "/pricing");
    assert!(
        v.session.summary(t, BROWSER).is_none(),
        "no hand-off stage held yet"
    );
    v.identify(t + MINUTE, senior_buyer());
    assert_eq!(
        v.session.summary(t + MINUTE, BROWSER).unwrap().stage,
        "mql",
        "an MQL is handed off too (stored by the collector, not pushed to sales)"
    );
    buying_journey(&mut v, t);
    let now = t + 4 * DAY + HOUR;
    let summary = v.session.summary(now, BROWSER).expect("qualified");
    assert_eq!(summary.stage, "sql");
    assert!(summary.id.starts_with("lp_") && summary.id.len() == 19);
    assert_eq!(
        v.session.summary(now + HOUR, BROWSER).unwrap().id,
        summary.id,
        "same qualification, same id"
    );
    let mut twin = Visitor::new("anon-7");
    twin.page(t, "/pricing")
        .identify(t + MINUTE, senior_buyer());
    buying_journey(&mut twin, t);
    assert_eq!(
        twin.session.summary(now, BROWSER).unwrap().id,
        summary.id,
        "deterministic across runtimes"
    );
    assert_eq!(
        v.session.summary(now + 300 * DAY, BROWSER).unwrap().stage,
        "mql",
        "decayed out of SQL; the fit alone still holds MQL"
    );
}

#[test]
fn the_summary_shares_only_what_the_model_allows() {
    let t = at("2026-05-01T10:00:00Z");
    let mut v = Visitor::new("anon-8");
    v.apply(json!({"type": "page", "anonymousId": "anon-8", "timestamp": t, "properties": {"path": "/blog/a",
        "referrer": "https://news.ycombinator.com/item?id=1", "search": "?utm_source=hn&utm_campaign=launch&secret=1"}}));
    v.identify(
        t + MINUTE,
        json!({"email": "dana@acme.io", "title": "VP Sales", "phone": "+1 555 0100",
        "company": {"name": "Acme", "employee_count": 300, "industry": "Software"}}),
    );
    buying_journey(&mut v, t + HOUR);
    v.answer(t + 4 * DAY + 2 * HOUR, "budget", "approved")
        .answer(t + 4 * DAY + 2 * HOUR, "champion", "our CFO");
    let now = t + 4 * DAY + 3 * HOUR;
    let summary = v.session.summary(now, BROWSER).unwrap();
    let json = out(&summary);
    assert!(
        json["traits"].get("email").is_none(),
        "no e-mail without consent"
    );
    assert!(
        json["traits"].get("phone").is_none(),
        "only allow-listed traits"
    );
    assert_eq!(json["traits"]["company.name"], "Acme");
    assert_eq!(json["slots"]["budget"], "approved");
    assert!(
        json["slots"].get("champion").is_none(),
        "slot not marked shareable"
    );
    assert_eq!(json["source"]["first"]["referrer"], "news.ycombinator.com");
    assert_eq!(
        json["source"]["first"]["utm"],
        json!({"source": "hn", "campaign": "launch"})
    );
    assert_eq!(json["runtime"], "browser");
    assert!(json.to_string().len() <= MAX_BYTES);
    assert!(
        !json.to_string().contains("/blog/a"),
        "no URLs leave the device"
    );
    let consented = v
        .session
        .summary(
            now,
            SummaryOptions {
                runtime: Runtime::Edge,
                include_email: true,
                shadow: None,
            },
        )
        .unwrap();
    assert_eq!(
        consented.traits.get("email").map(|e| e.as_text()),
        Some("dana@acme.io".into())
    );
    assert_eq!(consented.runtime, "edge");
    assert_eq!(
        consented.id, summary.id,
        "the id names the qualification, not the delivery"
    );
}
