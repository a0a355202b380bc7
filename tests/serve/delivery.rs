//! Pushing SQLs to sales: a real HTTP receiver gets each new SQL and revision, signed, with
//! the summary id as idempotency key; through a receiver outage and a `kill -9`, exactly once
//! per id once it answers 2xx.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{mql, revision, sign_webhook, site, summary, Server};
use crate::receiver::{free_port, Hook, Receiver};

pub const WEBHOOK_SECRET: &str = "webhook-secret-for-the-tests";

pub fn pushing_to(url: &str) -> Vec<String> {
    [
        "--rate-limit",
        "off",
        "--webhook",
        url,
        "--webhook-secret",
        WEBHOOK_SECRET,
    ]
    .map(String::from)
    .to_vec()
}

pub fn start(dir: &std::path::Path, args: &[String]) -> Server {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(dir, &args)
}

/// Waits until the outbox has nothing left to deliver: the marker after which "nothing else
/// was sent" can be asserted.
pub fn outbox_empty(server: &Server, timeout: Duration) {
    server.until("the outbox to empty", timeout, |s| {
        s.waiting().is_empty().then_some(())
    });
}

/// Signed over `<timestamp>.<body>`, the timestamp the collector's clock at sending.
pub fn assert_signed(hook: &Hook) {
    let timestamp = hook.header("x-leadpulse-timestamp").expect("a timestamp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sent: u64 = timestamp.parse().expect("unix seconds");
    assert!(now.abs_diff(sent) < 300, "{sent} vs {now}");
    assert_eq!(
        hook.header("x-leadpulse-signature"),
        Some(sign_webhook(WEBHOOK_SECRET, timestamp, &hook.body).as_str())
    );
    assert_eq!(hook.header("content-type"), Some("application/json"));
}

#[test]
fn a_new_sql_reaches_the_webhook_and_slack_at_once_signed_with_its_id() {
    let receiver = Receiver::start();
    let dir = site("push");
    let mut args = pushing_to(&receiver.url("/hook"));
    args.extend(
        [
            "--slack",
            &receiver.url("/slack"),
            "--owner",
            "ana",
            "--public-url",
            "https://leads.example.test/",
        ]
        .map(String::from),
    );
    let server = start(&dir, &args);

    // Neither an MQL nor a forged SQL is pushed; the real SQL after them is.
    assert_eq!(server.post_json(&mql(1)).status, 201);
    let mut forged = summary(2);
    forged["score"] = json!(999);
    assert_eq!(server.post_json(&forged).json()["trust"], json!("rejected"));
    let sent = Instant::now();
    let sql = revision(3, 1);
    assert_eq!(server.post_json(&sql).status, 201);
    let hooks = receiver.wait_for(2, Duration::from_secs(10));
    let latency = hooks.iter().map(|h| h.at - sent).max().unwrap();
    eprintln!("hand-off: summary received → webhook and Slack delivered in {latency:?}");

    let webhook = hooks
        .iter()
        .find(|h| h.path == "/hook")
        .expect("the webhook");
    assert_signed(webhook);
    assert_eq!(webhook.header("idempotency-key"), sql["id"].as_str());
    let body = webhook.json();
    assert_eq!(body["type"], json!("lead.sql"));
    assert_eq!(body["summary"], sql);
    assert_eq!(
        (
            &body["lead"]["visitor"],
            &body["lead"]["status"],
            &body["lead"]["owner"],
            &body["lead"]["trust"]
        ),
        (
            &json!("visitor-3"),
            &json!("new"),
            &json!("ana"),
            &json!("unverified")
        )
    );
    let lead = body["lead"]["id"].as_i64().unwrap();
    let base = "https://leads.example.test";
    assert_eq!(
        body["lead"]["url"],
        json!(format!("{base}/api/leads/{lead}"))
    );
    assert_eq!(
        body["lead"]["dashboard"],
        json!(format!("{base}/dashboard#lead-{lead}"))
    );
    let slack = hooks
        .iter()
        .find(|h| h.path == "/slack")
        .expect("the Slack message");
    assert_eq!(slack.header("idempotency-key"), sql["id"].as_str());
    let text = slack.json()["text"].as_str().unwrap().to_string();
    for expected in [
        "https://leads.example.test/dashboard#lead-",
        "New SQL: Rae Ortiz",
        "VP Marketing",
        "Acme",
        "score 77",
        "owner ana",
        "Does it work with Salesforce?",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }

    // A revision is pushed as one.
    let mut second = revision(3, 2);
    second["questions"] = json!(["Does it work with Salesforce?", "Is there an EU region?"]);
    assert_eq!(server.post_json(&second).status, 201);
    let hooks = receiver.wait_for(4, Duration::from_secs(10));
    let update = hooks[2..].iter().find(|h| h.path == "/hook").unwrap();
    assert_eq!(
        (
            update.json()["type"].clone(),
            update.header("idempotency-key")
        ),
        (json!("lead.revision"), second["id"].as_str())
    );

    outbox_empty(&server, Duration::from_secs(10));
    let everything = receiver.hooks();
    assert_eq!(
        everything.len(),
        4,
        "only the SQL and its revision, to both receivers"
    );
    assert!(everything
        .iter()
        .all(|h| h.json().to_string().contains("visitor-3") || h.path == "/slack"));
}

/// NOTE: the minute passes on the collector's test clock (`LEADPULSE_TEST_CLOCK_FILE`), not
/// in real time: the attempts back off by the clock the collector reads.
#[test]
fn a_receiver_down_for_a_minute_gets_the_lead_once_it_is_back() {
    let address = free_port();
    let url = format!("http://{address}/hook");
    let dir = site("outage");
    let clock = dir.join("clock-offset-ms");
    std::fs::write(&clock, "0").unwrap();
    let args = pushing_to(&url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let clock_env = [("LEADPULSE_TEST_CLOCK_FILE", clock.to_str().unwrap())];
    let server = Server::start_with_env(&dir, &args, &clock_env);
    let sql = summary(1);
    assert_eq!(server.post_json(&sql).status, 201);
    let attempts = |s: &Server, at_least: i64| {
        let waiting = s.waiting();
        (waiting.len() == 1 && waiting[0]["attempts"].as_i64() >= Some(at_least))
            .then(|| waiting[0].clone())
    };
    let failing = server.until("failed attempts", Duration::from_secs(30), |s| {
        attempts(s, 3)
    });
    assert!(
        failing["lastError"].as_str().is_some_and(|e| !e.is_empty()),
        "{failing}"
    );
    assert_eq!(failing["summaryId"], sql["id"]);
    // A minute later, still down: the attempts go on.
    std::fs::write(&clock, "60000").unwrap();
    let seen = failing["attempts"].as_i64().unwrap();
    server.until("an attempt a minute on", Duration::from_secs(30), |s| {
        attempts(s, seen + 1)
    });

    let receiver = Receiver::start_on(address);
    // NOTE: the waits double up to 5 minutes: after a minute down the next attempt is at
    // most ≈ 64 s away, so 65 s on the collector's clock it has been made.
    let back = Instant::now();
    std::fs::write(&clock, "125000").unwrap();
    let hooks = receiver.wait_for(1, Duration::from_secs(30));
    eprintln!(
        "delivered {:?} (real time) after the receiver came back",
        back.elapsed()
    );
    outbox_empty(&server, Duration::from_secs(10));
    assert_eq!(receiver.hooks().len(), 1);
    assert_eq!(hooks[0].header("idempotency-key"), sql["id"].as_str());
    assert_signed(&hooks[0]);
}

#[test]
fn a_delivery_pending_at_kill_9_is_made_once_after_the_restart() {
    let dir = site("kill");
    let address = free_port();
    let url = format!("http://{address}/hook");
    let sql = summary(1);
    // NOTE: killed mid-attempt, the delivery stays claimed until its claim runs out: 1 s here
    // instead of the default minute, which is longer than the wait below.
    let mut args = pushing_to(&url);
    args.extend(["--outbox-claim-ms", "1000"].map(String::from));
    {
        let server = start(&dir, &args);
        assert_eq!(server.post_json(&sql).status, 201);
        server.until("a failed attempt", Duration::from_secs(10), |s| {
            s.waiting()
                .first()
                .filter(|w| w["attempts"].as_i64() >= Some(1))
                .map(|_| ())
        });
        server.kill();
    }
    let receiver = Receiver::start_on(address);
    let server = start(&dir, &args);
    let hooks = receiver.wait_for(1, Duration::from_secs(40));
    outbox_empty(&server, Duration::from_secs(10));
    assert_eq!(receiver.hooks().len(), 1, "exactly once");
    assert_eq!(hooks[0].header("idempotency-key"), sql["id"].as_str());
    assert_eq!(hooks[0].json()["summary"], sql);
    // Restarting again sends nothing more: a summary posted now is the only next delivery.
    drop(server);
    let server = start(&dir, &pushing_to(&url));
    assert_eq!(server.post_json(&summary(2)).status, 201);
    let hooks = receiver.wait_for(2, Duration::from_secs(10));
    outbox_empty(&server, Duration::from_secs(10));
    let ids: Vec<Value> = receiver
        .hooks()
        .iter()
        .map(|h| json!(h.header("idempotency-key")))
        .collect();
    assert_eq!(
        ids,
        [sql["id"].clone(), summary(2)["id"].clone()],
        "{hooks:?}"
    );
}

#[test]
fn a_failing_receiver_is_retried_and_the_repeat_carries_the_same_id() {
    let receiver = Receiver::start();
    receiver.answer(503);
    let server = start(&site("retry"), &pushing_to(&receiver.url("/hook")));
    assert_eq!(server.post_json(&summary(1)).status, 201);
    receiver.wait_for(2, Duration::from_secs(10));
    receiver.answer(200);
    let hooks = receiver.wait_for(3, Duration::from_secs(20));
    outbox_empty(&server, Duration::from_secs(10));
    let ids: Vec<Option<&str>> = hooks.iter().map(|h| h.header("idempotency-key")).collect();
    assert!(
        ids.iter().all(|id| *id == summary(1)["id"].as_str()),
        "{ids:?}"
    );
    let deliveries: Vec<Option<&str>> = hooks
        .iter()
        .map(|h| h.header("x-leadpulse-delivery"))
        .collect();
    assert!(
        deliveries.windows(2).all(|w| w[0] == w[1]),
        "one delivery, tried again: {deliveries:?}"
    );
    let answers: Vec<u16> = receiver.hooks().iter().map(|h| h.answered).collect();
    assert_eq!(
        answers.iter().filter(|&&a| a == 200).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.last(),
        Some(&200),
        "nothing after the 2xx: {answers:?}"
    );
}
