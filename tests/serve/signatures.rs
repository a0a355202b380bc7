//! Edge signatures: verified, tampered, required.
use serde_json::{json, Value};

use crate::harness::{fixture, sign, site, summary, Server};

#[test]
fn signatures_mark_summaries_verified_and_tampering_is_refused() {
    let secret = "edge-secret-for-the-tests";
    let server = Server::start(
        &site("signed"),
        &["--signing-secret", secret, "--rate-limit", "off"],
    );
    let mut edge = summary(1);
    edge["runtime"] = json!("edge");
    let body = edge.to_string();
    let signature = sign(secret, body.as_bytes());

    let signed = server.post(
        "application/json",
        &[("X-LeadPulse-Signature", &signature)],
        body.as_bytes(),
    );
    assert_eq!(signed.status, 201, "{}", signed.text());
    assert_eq!(signed.json()["verified"], json!(true));

    let tampered = body.replace("\"score\":77", "\"score\":99");
    assert_ne!(tampered, body);
    let header = [("X-LeadPulse-Signature", signature.as_str())];
    assert_eq!(
        server
            .post("application/json", &header, tampered.as_bytes())
            .status,
        401
    );
    let wrong_key = sign("another-secret-of-16+", summary(2).to_string().as_bytes());
    let header = [("X-LeadPulse-Signature", wrong_key.as_str())];
    assert_eq!(
        server
            .post(
                "application/json",
                &header,
                summary(2).to_string().as_bytes()
            )
            .status,
        401
    );
    let header = [("X-LeadPulse-Signature", "sha256=abc")];
    assert_eq!(
        server
            .post(
                "application/json",
                &header,
                summary(2).to_string().as_bytes()
            )
            .status,
        401
    );

    // Unsigned is accepted but unverified; the edge's signed copy later upgrades it.
    let browser = summary(3).to_string();
    assert_eq!(
        server
            .post("application/json", &[], browser.as_bytes())
            .json()["verified"],
        json!(false)
    );
    let signature = sign(secret, browser.as_bytes());
    let header = [("X-LeadPulse-Signature", signature.as_str())];
    let upgrade = server.post("application/json", &header, browser.as_bytes());
    assert_eq!(
        (upgrade.status, upgrade.json()["verified"].clone()),
        (200, json!(true))
    );

    let trust: Vec<(Value, Value)> = server
        .leads()
        .iter()
        .map(|l| (l["summaryId"].clone(), l["trust"].clone()))
        .collect();
    assert_eq!(
        trust,
        [
            (summary(3)["id"].clone(), json!("verified")),
            (summary(1)["id"].clone(), json!("verified"))
        ]
    );
    // A signed but impossible summary is still rejected: the signature vouches for the sender,
    // not for the arithmetic.
    let mut impossible = summary(4);
    impossible["score"] = json!(1000);
    let body = impossible.to_string();
    let signature = sign(secret, body.as_bytes());
    let header = [("X-LeadPulse-Signature", signature.as_str())];
    let reply = server.post("application/json", &header, body.as_bytes());
    assert_eq!(reply.json()["trust"], json!("rejected"));
    assert_eq!(server.leads().len(), 2);
}

#[test]
fn require_signature_refuses_unsigned_summaries() {
    let secret = "from-the-environment";
    let server = Server::start_with_env(
        &site("required"),
        &["--require-signature", "--rate-limit", "off"],
        &[("LEADPULSE_SIGNING_SECRET", secret)],
    );
    let body = fixture().to_string();
    let unsigned = server.post("application/json", &[], body.as_bytes());
    assert_eq!(unsigned.status, 401, "{}", unsigned.text());
    let signature = sign(secret, body.as_bytes());
    let header = [("X-LeadPulse-Signature", signature.as_str())];
    assert_eq!(
        server
            .post("application/json", &header, body.as_bytes())
            .status,
        201
    );
    assert_eq!(server.leads().len(), 1);
}

#[test]
fn verified_summaries_are_not_rate_limited_but_unsigned_ones_are() {
    let secret = "edge-secret-for-the-tests";
    // Default limits (burst 10): the edge forwards for many visitors from one address.
    let server = Server::start(&site("edge-rate"), &["--signing-secret", secret]);
    for n in 100..125 {
        let body = summary(n).to_string();
        let signature = sign(secret, body.as_bytes());
        let response = server.post(
            "application/json",
            &[("X-LeadPulse-Signature", &signature)],
            body.as_bytes(),
        );
        assert_eq!(
            response.status,
            201,
            "signed summary {n}: {}",
            response.text()
        );
    }
    let unsigned: Vec<u16> = (200..215)
        .map(|n| server.post_json(&summary(n)).status)
        .collect();
    assert!(
        unsigned.contains(&429),
        "unsigned traffic is still limited: {unsigned:?}"
    );
}

/// Rotating the signing secret: while the collector has the new secret as current and the
/// old as previous, summaries signed with either are verified; anything else is refused.
#[test]
fn during_a_rotation_either_signing_secret_verifies() {
    let new = "the-new-edge-secret-2026";
    let old = "the-old-edge-secret-2025";
    let server = Server::start_with_env(
        &site("rotation"),
        &["--signing-secret", new, "--rate-limit", "off"],
        &[("LEADPULSE_PREVIOUS_SIGNING_SECRET", old)],
    );
    for (n, secret) in [(1, old), (2, new)] {
        let body = summary(n).to_string();
        let signature = sign(secret, body.as_bytes());
        let reply = server.post(
            "application/json",
            &[("X-LeadPulse-Signature", &signature)],
            body.as_bytes(),
        );
        assert_eq!(reply.status, 201, "{secret}: {}", reply.text());
        assert_eq!(reply.json()["trust"], json!("verified"), "{secret}");
    }
    let body = summary(3).to_string();
    let signature = sign("neither-of-the-two-secrets", body.as_bytes());
    let reply = server.post(
        "application/json",
        &[("X-LeadPulse-Signature", &signature)],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 401);

    // After the edge switched and its re-sends drained: the previous one is dropped.
    drop(server);
    let server = Server::start(
        &site("rotated"),
        &["--signing-secret", new, "--rate-limit", "off"],
    );
    let body = summary(4).to_string();
    let signature = sign(old, body.as_bytes());
    let reply = server.post(
        "application/json",
        &[("X-LeadPulse-Signature", &signature)],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 401);
}
