//! Each receiver its own queue: a receiver that keeps the collector waiting delays only
//! itself; one that answers 410 Gone is given up on at once (dead), listed, kept across a
//! `kill -9`, and put back in its queue by a retry.
use std::time::Duration;

use serde_json::{json, Value};

use crate::delivery::{assert_signed, outbox_empty, pushing_to, start};
use crate::harness::{site, summary, Server, TOKEN};
use crate::receiver::Receiver;

/// The outbox entries for `receiver` (a URL) among `entries`.
fn for_receiver<'a>(entries: &'a [Value], receiver: &str) -> Vec<&'a Value> {
    entries
        .iter()
        .filter(|e| e["receiver"].as_str() == Some(receiver))
        .collect()
}

#[test]
fn a_receiver_that_keeps_the_collector_waiting_delays_only_itself() {
    let slow = Receiver::start();
    slow.hold();
    let fast = Receiver::start();
    let slow_url = slow.url("/hook");
    let mut args = pushing_to(&slow_url);
    args.extend(["--slack".to_string(), fast.url("/slack")]);
    let server = start(&site("slow-receiver"), &args);

    const N: u64 = 10;
    for n in 1..=N {
        assert_eq!(server.post_json(&summary(n)).status, 201);
    }
    // The marker: the fast receiver has every SQL …
    let hooks = fast.wait_for(N as usize, Duration::from_secs(30));
    // … while the slow one has not answered its first, and the collector is still in its
    // first attempt at each (a shared queue would have waited for the slow attempts to time
    // out, 10 s, before sending the fast receiver more than the first).
    assert!(!slow.hooks().is_empty(), "the slow receiver got its first");
    assert_eq!(slow.answered(), 0);
    let waiting = server.waiting();
    let slow_waiting = for_receiver(&waiting, &slow_url);
    assert_eq!(slow_waiting.len(), N as usize, "{waiting:?}");
    assert!(
        slow_waiting.iter().all(|w| w["attempts"] == json!(0)),
        "{slow_waiting:?}"
    );
    let mut keys: Vec<&str> = hooks
        .iter()
        .filter_map(|h| h.header("idempotency-key"))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), N as usize);

    // Once it answers, it gets every one too.
    slow.release();
    outbox_empty(&server, Duration::from_secs(60));
    let mut slow_keys: Vec<String> = slow
        .hooks()
        .iter()
        .filter_map(|h| h.header("idempotency-key").map(String::from))
        .collect();
    slow_keys.sort_unstable();
    slow_keys.dedup();
    assert_eq!(slow_keys.len(), N as usize);
    for hook in slow.hooks() {
        assert_signed(&hook);
    }
}

fn retry(server: &Server, id: &Value, token: Option<&str>) -> u16 {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("Authorization", b.as_str()))
        .collect();
    server
        .request("POST", &format!("/api/outbox/{id}/retry"), &headers, b"")
        .status
}

#[test]
fn a_gone_receiver_is_dead_at_once_listed_across_a_kill_and_retried_on_request() {
    let gone = Receiver::start();
    gone.answer(410);
    let dir = site("gone");
    let args = pushing_to(&gone.url("/hook"));
    let server = start(&dir, &args);
    assert_eq!(server.post_json(&summary(1)).status, 201);
    let dead = server.until("a dead delivery", Duration::from_secs(10), |s| {
        s.dead().first().cloned()
    });
    assert_eq!(
        (&dead["state"], &dead["attempts"], &dead["summaryId"]),
        (&json!("dead"), &json!(1), &summary(1)["id"])
    );
    assert!(
        dead["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("410")),
        "{dead}"
    );
    assert!(dead["deadAt"].is_string() && dead["id"].is_i64(), "{dead}");
    assert!(server.waiting().is_empty());

    // Never tried again: a second SQL's delivery (also refused) is the receiver's second
    // request, and after a `kill -9` both are still dead, neither tried again.
    assert_eq!(server.post_json(&summary(2)).status, 201);
    server.until("two dead deliveries", Duration::from_secs(10), |s| {
        (s.dead().len() == 2).then_some(())
    });
    server.kill();
    let server = start(&dir, &args);
    let listed = server.dead();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(server.post_json(&summary(3)).status, 201);
    server.until("three dead deliveries", Duration::from_secs(10), |s| {
        (s.dead().len() == 3).then_some(())
    });
    let ids: Vec<Value> = gone
        .hooks()
        .iter()
        .map(|h| json!(h.header("idempotency-key")))
        .collect();
    assert_eq!(
        ids,
        [
            summary(1)["id"].clone(),
            summary(2)["id"].clone(),
            summary(3)["id"].clone()
        ],
        "each tried once"
    );

    // The receiver is back; a retry puts the first in its queue and it is delivered.
    gone.answer(200);
    assert_eq!(retry(&server, &dead["id"], None), 401);
    assert_eq!(retry(&server, &dead["id"], Some(TOKEN)), 202);
    let hooks = gone.wait_for(4, Duration::from_secs(10));
    assert_eq!(
        hooks[3].header("idempotency-key"),
        summary(1)["id"].as_str()
    );
    assert_signed(&hooks[3]);
    server.until("the retried delivery made", Duration::from_secs(10), |s| {
        (s.dead().len() == 2 && s.waiting().is_empty()).then_some(())
    });
    assert_eq!(
        retry(&server, &dead["id"], Some(TOKEN)),
        409,
        "delivered: nothing to retry"
    );
    assert_eq!(retry(&server, &json!(999_999), Some(TOKEN)), 404);
    assert_eq!(retry(&server, &json!("x"), Some(TOKEN)), 404);
}
