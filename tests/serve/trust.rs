//! Trust before push: only what the collector can check reaches sales. A summary for a model
//! it was not given is held for review; visitor text cannot mention or link in Slack; revision
//! numbers cannot jump to freeze a lead; other sites' pages cannot post.
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{revision, site, summary, Server};
use crate::receiver::Receiver;

fn pushing(receiver: &Receiver, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--rate-limit",
        "off",
        "--webhook",
        &receiver.url("/hook"),
        "--webhook-secret",
        "webhook-secret-for-the-tests",
        "--slack",
        &receiver.url("/slack"),
        "--owner",
        "ana",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn start(name: &str, args: &[String]) -> Server {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&site(name), &args)
}

fn unknown_model(n: u64) -> Value {
    let mut s = summary(n);
    s["model"] = json!("00000000000000ff");
    s
}

/// The visitors the receiver heard of, in order.
fn pushed_visitors(receiver: &Receiver, path: &str) -> Vec<String> {
    receiver
        .hooks()
        .iter()
        .filter(|h| h.path == path)
        .map(|h| {
            h.json()["lead"]["visitor"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn an_unsigned_summary_of_an_unknown_model_is_held_for_review_not_pushed() {
    let receiver = Receiver::start();
    let server = start("trust-unknown", &pushing(&receiver, &[]));
    let mut forged = unknown_model(1);
    forged["score"] = json!(999);
    forged["fit"] = json!(999);
    forged["engagement"] = json!(0);
    forged["reasons"] = json!([{"rule": "wire_transfer", "points": 999}]);
    let reply = server.post_json(&forged);
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["trust"], json!("unchecked"));

    // The marker: a real SQL after it reaches the receiver (webhook and Slack) …
    assert_eq!(server.post_json(&summary(2)).status, 201);
    receiver.wait_for(2, Duration::from_secs(10));
    // … and the forged one never did.
    assert_eq!(pushed_visitors(&receiver, "/hook"), ["visitor-2"]);
    assert_eq!(receiver.hooks().len(), 2);

    let held = server
        .leads()
        .into_iter()
        .find(|l| l["visitor"] == "visitor-1")
        .expect("the held lead is listed");
    assert_eq!(
        (&held["status"], &held["trust"], &held["owner"]),
        (&json!("review"), &json!("unchecked"), &Value::Null)
    );
    assert!(held["trustReason"]
        .as_str()
        .is_some_and(|r| r.contains("held for review") && r.contains("--model")));
    // Someone who checked it may still take it.
    let reply = server.api_post(
        &format!("/api/leads/{}/feedback", held["id"]),
        &json!({"status": "accepted"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[test]
fn the_deployment_may_opt_in_to_push_unknown_models() {
    let receiver = Receiver::start();
    let server = start(
        "trust-unknown-opt-in",
        &pushing(&receiver, &["--push-unknown-models"]),
    );
    let reply = server.post_json(&unknown_model(1));
    assert_eq!(reply.json()["trust"], json!("unverified"));
    receiver.wait_for(2, Duration::from_secs(10));
    assert_eq!(pushed_visitors(&receiver, "/hook"), ["visitor-1"]);
}

#[test]
fn an_unknown_model_revision_never_becomes_a_leads_latest() {
    let receiver = Receiver::start();
    let server = start("trust-unknown-revision", &pushing(&receiver, &[]));
    assert_eq!(server.post_json(&revision(1, 1)).status, 201);
    let mut later = revision(1, 2);
    later["model"] = json!("00000000000000ff");
    later["score"] = json!(60);
    later["engagement"] = json!(later["score"].as_i64().unwrap() - later["fit"].as_i64().unwrap());
    assert_eq!(server.post_json(&later).status, 201);
    let lead = &server.leads()[0];
    assert_eq!(lead["revision"], json!(1));
    assert_eq!(lead["trust"], json!("unverified"));
}

#[test]
fn visitor_text_in_slack_cannot_mention_or_link() {
    let receiver = Receiver::start();
    let server = start("trust-slack", &pushing(&receiver, &[]));
    let mut sql = summary(1);
    sql["traits"]["name"] = json!("Forged <!channel> <https://evil.example|Reset password>");
    sql["questions"] = json!(["<@U024BE7LH> call me"]);
    assert_eq!(server.post_json(&sql).status, 201);
    let hooks = receiver.wait_for(2, Duration::from_secs(10));
    let slack = hooks.iter().find(|h| h.path == "/slack").unwrap().json();
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.contains("Forged &lt;!channel&gt; &lt;https://evil.example|Reset password&gt;"),
        "{text}"
    );
    assert!(text.contains("&lt;@U024BE7LH&gt; call me"), "{text}");
    for raw in ["<!channel>", "<https://evil.example", "<@U024BE7LH>"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
}

#[test]
fn a_revision_cannot_jump_to_freeze_a_lead() {
    let receiver = Receiver::start();
    let server = start("trust-revision-jump", &pushing(&receiver, &[]));
    // A forged first revision far ahead: stored as impossible, not a lead.
    let reply = server.post_json(&revision(1, u32::MAX));
    assert_eq!(reply.json()["trust"], json!("rejected"), "{}", reply.text());
    assert!(server.leads().is_empty());
    // The visitor's real revisions still become the lead, and reach sales.
    assert_eq!(server.post_json(&revision(1, 1)).status, 201);
    receiver.wait_for(2, Duration::from_secs(10));
    let lead = &server.leads()[0];
    assert_eq!(
        (&lead["revision"], &lead["status"]),
        (&json!(1), &json!("new"))
    );
    // A jump of more than 32 is kept in the history, not as the latest.
    assert_eq!(server.post_json(&revision(1, 40)).status, 201);
    assert_eq!(server.post_json(&revision(1, 2)).status, 201);
    let lead = &server.leads()[0];
    assert_eq!(lead["revision"], json!(2));
    let page = server.api_get(&format!("/api/leads/{}", lead["id"])).json();
    assert_eq!(page["revisions"].as_array().unwrap().len(), 4);
}

#[test]
fn pages_of_other_sites_cannot_post() {
    let dir = site("trust-origin");
    let server = Server::start(
        &dir,
        &[
            "--rate-limit",
            "off",
            "--allow-origin",
            "https://www.example.com",
        ],
    );
    let body = summary(1).to_string();
    let host = format!("127.0.0.1:{}", server.port);
    let post = |origin: Option<&str>, body: &str| {
        let mut headers = vec![("Content-Type", "text/plain;charset=UTF-8")];
        if let Some(origin) = origin {
            headers.push(("Origin", origin));
        }
        server.request("POST", "/collect", &headers, body.as_bytes())
    };
    for origin in ["https://evil.example", "null"] {
        let reply = post(Some(origin), &body);
        assert_eq!(reply.status, 403, "{origin}: {}", reply.text());
        assert!(reply.json()["error"].as_str().unwrap().contains(origin));
    }
    assert!(server.leads_at("/api/leads?rejected=true").is_empty());
    let own = format!("http://{host}");
    for (n, origin) in [Some("https://www.example.com"), Some(own.as_str()), None]
        .into_iter()
        .enumerate()
    {
        let reply = post(origin, &summary(n as u64 + 2).to_string());
        assert_eq!(reply.status, 201, "{origin:?}: {}", reply.text());
    }
    assert_eq!(server.leads().len(), 3);
}
