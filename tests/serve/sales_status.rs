//! What the site learns of what sales did: the visitor's browser asks with the token it got when
//! its summary was stored; the edge asks by visitor id, signed. A minimal answer — with sales
//! (the owner's first name), recycled, customer — and nothing for an unknown or forged token.
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::harness::{revision, sign, site, summary, Server};

const SECRET: &str = "status-test-signing-secret-01234";

fn status(server: &Server, token: &str) -> (u16, Value) {
    let reply = server.get(&format!("/status/{token}"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    (reply.status, reply.json())
}

fn feedback(server: &Server, lead: &Value, body: Value) {
    let reply = server.api_post(&format!("/api/leads/{lead}/feedback"), &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[test]
fn the_visitors_browser_learns_where_sales_has_the_lead_and_nothing_else() {
    let server = Server::start(
        &site("status"),
        &[
            "--rate-limit",
            "off",
            "--owner",
            "Ana Ruiz=https://cal.example.com/ana",
            "--signing-secret",
            SECRET,
        ],
    );
    // An MQL: stored, a token, not with sales yet.
    let mut mql = revision(1, 1);
    mql["stage"] = json!("mql");
    let answer = server.post_json(&mql).json();
    let token = answer["status"]
        .as_str()
        .expect("a status token")
        .to_string();
    assert_eq!(
        status(&server, &token),
        (200, json!({"sales": "none", "owner": null}))
    );
    // The SQL: with sales, the owner's first name only.
    let sql = server.post_json(&revision(1, 2)).json();
    assert_eq!(sql["status"], json!(token), "one token per lead");
    let (code, body) = status(&server, &token);
    assert_eq!(
        (code, &body),
        (
            200,
            &json!({"sales": "with_sales", "owner": {"firstName": "Ana", "bookingUrl": "https://cal.example.com/ana"}})
        )
    );
    let reply = server.get(&format!("/status/{token}"));
    assert_eq!(
        reply.header("x-leadpulse-signature"),
        Some(sign(SECRET, &reply.body).as_str()),
        "signed for the edge"
    );
    feedback(
        &server,
        &sql["lead"],
        json!({"status": "rejected", "reason": "no budget"}),
    );
    assert_eq!(status(&server, &token).1["sales"], json!("recycled"));
    // Another lead that sales won.
    let won = server.post_json(&summary(2)).json();
    for step in [
        json!({"status": "accepted"}),
        json!({"status": "opportunity"}),
        json!({"status": "won", "amount": 9000}),
    ] {
        feedback(&server, &won["lead"], step);
    }
    assert_eq!(
        status(&server, won["status"].as_str().unwrap()).1["sales"],
        json!("customer")
    );

    // Forged, altered, of another lead, or garbage: 404, like an unknown one.
    let mut bytes = leadpulse::core::encoding::base64url::decode(&token).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let altered = leadpulse::core::encoding::base64url::encode(&bytes);
    let mut other =
        leadpulse::core::encoding::base64url::decode(won["status"].as_str().unwrap()).unwrap();
    other[..8].copy_from_slice(&1i64.to_be_bytes()); // lead 1's id, lead 2's tag
    for bad in [
        altered,
        leadpulse::core::encoding::base64url::encode(&other),
        "AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "nope".to_string(),
    ] {
        assert_eq!(
            status(&server, &bad),
            (404, json!({"error": "no such status"})),
            "{bad}"
        );
    }
    // An impossible summary gets no token.
    let mut forged = summary(3);
    forged["score"] = json!(999);
    assert_eq!(server.post_json(&forged).json()["status"], Value::Null);
}

#[test]
fn the_edge_asks_by_visitor_signed() {
    let server = Server::start(
        &site("status-edge"),
        &[
            "--rate-limit",
            "off",
            "--owner",
            "Ben",
            "--signing-secret",
            SECRET,
        ],
    );
    assert_eq!(server.post_json(&summary(1)).status, 201);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let ask = |visitor: &str, stamp: &str, secret: &str| {
        let signature = sign(secret, format!("status|{visitor}|{stamp}").as_bytes());
        server.request(
            "GET",
            &format!("/status?visitor={visitor}"),
            &[
                ("X-LeadPulse-Timestamp", stamp),
                ("X-LeadPulse-Signature", &signature),
            ],
            b"",
        )
    };
    let reply = ask("visitor-1", &now, SECRET);
    assert_eq!(
        (reply.status, reply.json()["sales"].clone()),
        (200, json!("with_sales"))
    );
    for (visitor, stamp, secret) in [
        ("visitor-1", now.as_str(), "another-secret-0123456789abcdef"),
        ("visitor-1", "1000000000", SECRET),
        ("visitor-9", now.as_str(), SECRET),
    ] {
        assert_eq!(ask(visitor, stamp, secret).status, 404, "{visitor} {stamp}");
    }
    assert_eq!(
        server.get("/status?visitor=visitor-1").status,
        404,
        "unsigned"
    );
}
