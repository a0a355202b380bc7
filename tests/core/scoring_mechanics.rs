//! Decay, windows, caps, frequency, sessions, hysteresis, rounding: each rule of the engine
//! checked on a small model so that a failure points at one mechanism.
use crate::common;

use common::*;
use leadpulse::core::event::Event;
use leadpulse::core::time::{DAY, HOUR, MINUTE};
use serde_json::json;

fn pricing(points: i64, extra: serde_json::Value) -> serde_json::Value {
    let mut rule = json!({"id": "pricing", "when": {"page": "/pricing"}, "points": points});
    if let (Some(rule), serde_json::Value::Object(extra)) = (rule.as_object_mut(), extra) {
        rule.extend(extra);
    }
    json!([rule])
}

#[test]
fn decay_halves_a_contribution_after_its_half_life() {
    let model = model_with(pricing(40, json!({"halfLifeDays": 10})), json!({}));
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    v.page(t, "/pricing");
    assert_eq!(v.snap(t).score, 40);
    assert_eq!(v.snap(t + 10 * DAY).score, 20);
    assert_eq!(v.snap(t + 20 * DAY).score, 10);
    assert_eq!(v.snap(t + 5 * DAY).score, 28, "40 × 2^-0.5 = 28.28");
}

#[test]
fn a_window_drops_old_hits_entirely() {
    let model = model_with(pricing(10, json!({"windowDays": 7})), json!({}));
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    v.page(t, "/pricing");
    assert_eq!(v.snap(t + 7 * DAY).score, 10);
    assert_eq!(v.snap(t + 7 * DAY + 1).score, 0);
}

#[test]
fn caps_hold_per_rule_per_group_and_per_axis() {
    let rules = json!([
        {"id": "blog", "group": "content", "when": {"page": "/blog/*"}, "points": 4, "cap": 10},
        {"id": "guide", "group": "content", "when": {"page": "/guides/*"}, "points": 5},
        {"id": "demo", "when": {"event": "Demo Requested"}, "points": 30}
    ]);
    let model = model_with(
        rules,
        json!({"groups": {"content": {"cap": 12}}, "caps": {"engagement": 35}}),
    );
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    for i in 0..5 {
        v.page(t + i * MINUTE, &format!("/blog/post-{i}"));
    }
    assert_eq!(
        reason(&v.snap(t + HOUR), "blog"),
        10,
        "rule cap: 5 × 4 capped at 10"
    );
    v.page(t + 6 * MINUTE, "/guides/a")
        .page(t + 7 * MINUTE, "/guides/b");
    let s = v.snap(t + HOUR);
    assert_eq!(
        reason(&s, "blog") + reason(&s, "guide"),
        12,
        "group cap: 10 + 10 scaled to 12"
    );
    v.track(t + 8 * MINUTE, "Demo Requested", json!({}));
    let s = v.snap(t + HOUR);
    assert_eq!(s.engagement, 35, "axis cap: 12 + 30 scaled to 35");
    assert_eq!(
        s.reasons.iter().map(|r| r.points).sum::<i64>(),
        s.score,
        "reasons sum to the score"
    );
}

#[test]
fn frequency_once_per_session_and_per_period() {
    let rules = json!([
        {"id": "once", "when": {"event": "Signed Up"}, "points": 5, "frequency": "once"},
        {"id": "per_session", "when": {"page": "/pricing"}, "points": 3, "frequency": {"max": 2, "per": "session"}},
        {"id": "per_week", "when": {"page": "/docs/**"}, "points": 1, "frequency": {"max": 1, "perDays": 7}}
    ]);
    let model = model_with(rules, json!({}));
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    for i in 0..4 {
        v.track(t + i * MINUTE, "Signed Up", json!({}))
            .page(t + i * MINUTE, "/pricing")
            .page(t + i * MINUTE, "/docs/api/keys");
    }
    let s = v.snap(t + HOUR);
    assert_eq!(
        (
            reason(&s, "once"),
            reason(&s, "per_session"),
            reason(&s, "per_week")
        ),
        (5, 6, 1)
    );
    // A new session (after 30 minutes of inactivity) re-arms per-session rules only.
    v.page(t + 2 * HOUR, "/pricing")
        .page(t + 2 * HOUR, "/docs/x");
    assert_eq!(reason(&v.snap(t + 3 * HOUR), "per_session"), 9);
    assert_eq!(reason(&v.snap(t + 3 * HOUR), "per_week"), 1);
    v.page(t + 8 * DAY, "/docs/x");
    assert_eq!(
        reason(&v.snap(t + 8 * DAY), "per_week"),
        2,
        "a new period counts again"
    );
}

#[test]
fn sessions_split_on_inactivity_and_on_the_length_cap() {
    let rules = json!([{"id": "return", "when": {"session": 2}, "points": 1}]);
    let model = model_with(
        rules,
        json!({"session": {"inactivityMinutes": 30, "maxHours": 2}}),
    );
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    v.page(t, "/").page(t + 29 * MINUTE, "/a");
    assert_eq!(v.snap(t + HOUR).sessions, 1);
    v.page(t + 29 * MINUTE + 31 * MINUTE, "/b");
    assert_eq!(
        v.snap(t + HOUR).sessions,
        2,
        "31 minutes idle starts a session"
    );
    // Active every 20 minutes for 3 hours: the 2-hour cap still splits it.
    for i in 1..=9 {
        v.page(t + HOUR + i * 20 * MINUTE, "/c");
    }
    let s = v.snap(t + 5 * HOUR);
    assert_eq!(s.sessions, 3);
    assert_eq!(reason(&s, "return"), 2, "each return visit counts");
}

#[test]
fn pricing_revisits_within_seven_days_count_extra() {
    let rules = json!([{"id": "revisit", "when": {"page": "/pricing", "repeat": {"count": 2, "withinDays": 7}}, "points": 8}]);
    let model = model_with(rules, json!({}));
    let t = at("2026-01-01T00:00:00Z");
    let mut slow = Visitor::with_model(model.clone(), "slow");
    slow.page(t, "/pricing").page(t + 8 * DAY, "/pricing");
    assert_eq!(
        slow.snap(t + 9 * DAY).score,
        0,
        "8 days apart is not a revisit within 7"
    );
    let mut keen = Visitor::with_model(model, "keen");
    keen.page(t, "/pricing").page(t + 3 * DAY, "/pricing");
    assert_eq!(keen.snap(t + 4 * DAY).score, 8);
}

#[test]
fn engaged_time_tiers_fire_when_crossed_each_session() {
    let rules = json!([
        {"id": "one_minute", "when": {"engagedSeconds": 60}, "points": 2},
        {"id": "deep_pricing", "when": {"engagedSeconds": 90, "page": "/pricing"}, "points": 5}
    ]);
    let model = model_with(rules, json!({}));
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    v.engage(t, "/blog/a", 40.0)
        .engage(t + MINUTE, "/pricing", 40.0)
        .engage(t + 2 * MINUTE, "/pricing", 40.0);
    let s = v.snap(t + HOUR);
    assert_eq!(
        (reason(&s, "one_minute"), reason(&s, "deep_pricing")),
        (2, 0),
        "only 80 s on pricing"
    );
    v.engage(t + 3 * MINUTE, "/pricing", 10.0);
    assert_eq!(reason(&v.snap(t + HOUR), "deep_pricing"), 5);
    assert_eq!(v.snap(t + HOUR).engaged_seconds, 130);
    v.engage(t + 2 * HOUR, "/blog/b", 61.0);
    assert_eq!(
        reason(&v.snap(t + 2 * HOUR), "one_minute"),
        4,
        "a new session crosses again"
    );
}

#[test]
fn hysteresis_holds_between_exit_and_enter_and_cooldown_delays_reentry() {
    // SQL: enter at 40, leave below 30, 24 h cooldown. Points decay with a 10-day half-life.
    let rules = json!([{"id": "demo", "when": {"event": "Demo Requested"}, "points": 44, "halfLifeDays": 10},
                       {"id": "ping", "when": {"event": "Ping"}, "points": 1}]);
    let model = model_with(rules, json!({}));
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "v");
    v.track(t, "Demo Requested", json!({}));
    assert!(v.snap(t).qualified);
    // After 4 days the score (33) is below enter but above exit: still qualified.
    v.track(t + 4 * DAY, "Ping", json!({}));
    let s = v.snap(t + 4 * DAY);
    assert!(s.score < 40 && s.score >= 30, "{}", s.score);
    assert!(s.qualified, "hysteresis holds above the exit threshold");
    // After 6.5 days (28 + 1 points) it drops out, even without an event (read-time decay).
    let dropped = t + 6 * DAY + 12 * HOUR;
    assert_eq!(v.snap(dropped).score, 29);
    assert!(!v.snap(dropped).qualified);
    v.track(dropped, "Ping", json!({}));
    // A new demo request 1 hour later scores above enter, but the cooldown holds.
    v.track(dropped + HOUR, "Demo Requested", json!({}));
    let s = v.snap(dropped + HOUR);
    assert!(
        s.score >= 40 && !s.qualified,
        "cooldown: {} points but not re-qualified",
        s.score
    );
    v.track(dropped + DAY + 2 * HOUR, "Ping", json!({}));
    let s = v.snap(dropped + DAY + 2 * HOUR);
    assert!(s.qualified, "re-enters after the cooldown");
    assert_eq!(s.qualified_at.as_deref(), Some("2026-01-08T14:00:00.000Z"));
    assert_eq!(s.stage, "sql");
}

#[test]
fn reasons_always_sum_exactly_to_the_score() {
    let v = {
        let mut v = Visitor::new("sum");
        let t = at("2026-03-01T08:00:00Z");
        buying_journey(&mut v, t);
        v.page(t + 9 * DAY, "/careers")
            .answer(t + 9 * DAY, "budget", "planned");
        v
    };
    for days in [0, 1, 3, 7, 13, 29, 61, 97, 200] {
        let s = v.snap(at("2026-03-10T08:00:00Z") + days * DAY + 37 * MINUTE);
        assert_eq!(
            s.reasons.iter().map(|r| r.points).sum::<i64>(),
            s.score,
            "day {days}"
        );
        assert_eq!(s.fit + s.engagement, s.score);
        assert!(
            s.reasons.windows(2).all(|w| w[0].points >= w[1].points),
            "largest first"
        );
    }
}

#[test]
fn repeated_message_ids_are_ignored() {
    let t = at("2026-01-01T00:00:00Z");
    let mut s = session("v");
    let event = json!({"type": "page", "anonymousId": "v", "timestamp": t, "messageId": "m-1", "properties": {"path": "/pricing"}});
    let parsed = Event::parse(&lp(&event), None).unwrap();
    assert_eq!(
        s.apply(&parsed, t).unwrap().0,
        leadpulse::core::engine::Applied::Scored { progress: true }
    );
    let once = s.snapshot(t);
    assert_eq!(
        s.apply(&parsed, t).unwrap().0,
        leadpulse::core::engine::Applied::Duplicate
    );
    assert_eq!(s.snapshot(t), once);
}

#[test]
fn a_rejected_event_leaves_the_state_unchanged() {
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::new("v");
    buying_journey(&mut v, t);
    let before = v.session.state().clone();
    let bad = [
        json!({"type": "answer", "anonymousId": "v", "timestamp": t + DAY, "properties": {"slot": "budgett", "value": "yes"}}),
        json!({"type": "page", "anonymousId": "someone-else", "timestamp": t + DAY, "properties": {"path": "/pricing"}}),
        json!({"type": "page", "anonymousId": "v", "timestamp": t + 30 * DAY, "properties": {"path": "/pricing"}}),
    ];
    for event in bad {
        let parsed = Event::parse(&lp(&event), None).unwrap();
        assert!(v.session.apply(&parsed, t + DAY).is_err(), "{event}");
        assert_eq!(v.session.state(), &before, "{event}");
    }
}

#[test]
fn bots_are_flagged_and_never_qualify() {
    let t = at("2026-01-01T00:00:00Z");
    let mut crawler = Visitor::new("crawler");
    crawler.apply(json!({"type": "page", "anonymousId": "crawler", "timestamp": t, "properties": {"path": "/"},
        "context": {"userAgent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}}));
    buying_journey(&mut crawler, t + MINUTE);
    let s = crawler.snap(t + 5 * DAY);
    assert!(s.bot && !s.qualified && s.stage != "sql");
    assert_eq!(s.bot_reason.as_deref(), Some("user agent matches 'bot'"));

    let mut driven = Visitor::new("driven");
    driven.apply(json!({"type": "page", "anonymousId": "driven", "timestamp": t, "properties": {"path": "/"}, "context": {"webdriver": true}}));
    assert_eq!(
        driven.snap(t).bot_reason.as_deref(),
        Some("navigator.webdriver is set")
    );

    let mut burst = Visitor::new("burst");
    for i in 0..31 {
        burst.page(t + i * 1000, "/pricing");
    }
    assert_eq!(
        burst.snap(t + MINUTE).bot_reason.as_deref(),
        Some("more than 30 page views in a minute")
    );
}

#[test]
fn out_of_order_events_count_without_opening_sessions() {
    let t = at("2026-01-01T12:00:00Z");
    let mut v = Visitor::new("v");
    v.page(t, "/pricing").page(t - 5 * HOUR, "/integrations");
    let s = v.snap(t);
    assert_eq!(s.sessions, 1);
    assert!(reason(&s, "integrations_page") > 0);
    assert_eq!(s.first_seen.as_deref(), Some("2026-01-01T07:00:00.000Z"));
}

#[test]
fn a_stage_marked_known_waits_for_the_visitor_to_be_identified() {
    let rules = json!([{"id": "demo", "when": {"event": "Demo Requested"}, "points": 50}]);
    let stages = json!({"stages": {"mql": {"enter": 20, "exit": 10}, "sql": {"enter": 40, "exit": 30, "known": true}}});
    let model = model_with(rules, stages);
    let t = at("2026-01-01T00:00:00Z");
    let mut v = Visitor::with_model(model, "anon");
    v.track(t, "Demo Requested", json!({}));
    let s = v.snap(t);
    assert_eq!(
        (s.stage, s.qualified),
        ("mql", false),
        "anonymous: marketing-qualified only"
    );
    v.identify(t + MINUTE, json!({"email": "dana@acme.io"}));
    let s = v.snap(t + MINUTE);
    assert_eq!(
        (s.stage, s.qualified),
        ("sql", true),
        "known now: sales-qualified"
    );
}
