//! The domain cases the engine exists for.
use crate::common;

use common::*;
use leadpulse::core::time::{DAY, HOUR, MINUTE};
use serde_json::json;

#[test]
fn nurtured_pricing_viewer_outranks_fresh_blog_subscriber() {
    let now = at("2026-11-20T12:00:00Z");
    // Contact #1 subscribed to the blog yesterday evening.
    let mut one = Visitor::new("contact-1");
    one.page(now - 17 * HOUR, "/blog/why-pipelines-leak").track(
        now - 17 * HOUR + MINUTE,
        "Newsletter Subscribed",
        json!({}),
    );
    // Contact #2 downloaded an e-book 3 months ago, has since subscribed, engaged with
    // other content, and has been viewing the pricing page.
    let mut two = Visitor::new("contact-2");
    two.track(
        now - 90 * DAY,
        "Asset Downloaded",
        json!({"asset_type": "ebook"}),
    )
    .track(now - 60 * DAY, "Newsletter Subscribed", json!({}))
    .page(now - 30 * DAY, "/blog/attribution-101")
    .track(now - 20 * DAY, "Webinar Attended", json!({}))
    .page(now - 6 * DAY, "/pricing")
    .page(now - 2 * DAY, "/pricing")
    .page(now - 2 * DAY + MINUTE, "/integrations/salesforce");
    let (s1, s2) = (one.snap(now), two.snap(now));
    assert!(
        s2.score > s1.score,
        "#2 ({}) must outrank #1 ({})",
        s2.score,
        s1.score
    );
    assert!(s2.engagement > s1.engagement);
    assert_eq!(s1.stage, "visitor");
    // Nearer to SQL: a smaller gap to the SQL entry score.
    let sql_enter = builtin().sql.enter as i64;
    assert!(sql_enter - s2.score < sql_enter - s1.score);
    assert!(reason(&s2, "pricing_page") > 0 && reason(&s2, "pricing_revisit") > 0);
}

#[test]
fn senior_buyer_journey_reaches_sql_and_the_same_journey_long_ago_scores_far_lower() {
    let now = at("2026-11-20T12:00:00Z");
    let mut recent = Visitor::new("recent");
    buying_journey(&mut recent, now - 5 * DAY);
    let snap = recent.snap(now);
    assert_eq!(snap.stage, "sql");
    assert!(snap.qualified);
    assert!(snap.qualified_at.is_some());
    assert_eq!(snap.grade.chars().next(), Some('A'));

    let mut old = Visitor::new("old");
    buying_journey(&mut old, now - 185 * DAY);
    let then = old.snap(now);
    assert!(
        then.score * 2 < snap.score,
        "6 months on: {} vs {}",
        then.score,
        snap.score
    );
    assert!(
        then.engagement * 4 < snap.engagement,
        "engagement decays: {} vs {}",
        then.engagement,
        snap.engagement
    );
    assert_eq!(then.fit, snap.fit, "fit attributes do not decay");
    assert!(!then.qualified, "decayed below the SQL exit threshold");
    assert_eq!(
        then.stage, "sql",
        "stage is forward-only: the highest reached"
    );
}

#[test]
fn engaged_student_and_unengaged_senior_buyer_stay_below_sql() {
    let start = at("2026-11-01T09:00:00Z");
    let mut student = Visitor::new("student");
    journey_as(
        &mut student,
        start,
        json!({"email": "sam@uni.edu", "title": "Student"}),
    );
    for week in 0..3 {
        student.page(start + (7 + week) * DAY, "/pricing").track(
            start + (7 + week) * DAY + MINUTE,
            "Webinar Attended",
            json!({}),
        );
    }
    let s = student.snap(start + 10 * DAY);
    assert!(
        s.engagement >= builtin().sql.needs.min_engagement.unwrap_or(0.0) as i64,
        "the student is engaged"
    );
    assert!(s.fit < 0, "student e-mail and title are negative fit");
    assert_ne!(s.stage, "sql");
    assert!(!s.qualified);

    let mut buyer = Visitor::new("buyer");
    buyer.identify(start, senior_buyer());
    let b = buyer.snap(start + DAY);
    assert!(b.fit >= 30, "a strong fit: {}", b.fit);
    assert_eq!(b.engagement, 0);
    assert_eq!(b.stage, "lead", "known by e-mail, never engaged");
    assert!(!b.qualified);
}

#[test]
fn negative_signals_lower_the_score() {
    let t = at("2026-11-02T10:00:00Z");
    let mut v = Visitor::new("jobseeker");
    v.page(t, "/pricing");
    let before = v.snap(t).score;
    v.page(t + MINUTE, "/careers/backend-engineer");
    let after = v.snap(t + MINUTE);
    assert_eq!(reason(&after, "careers_page"), -10);
    assert_eq!(after.score, before - 10);

    let mut rival = Visitor::new("rival");
    rival.identify(t, json!({"email": "spy@pipewise.io", "title": "VP Sales"}));
    assert!(
        rival.snap(t).fit < 0,
        "a competitor outweighs a senior title"
    );
}
