//! Edge signatures: verified, tampered, required.
use serde_json::{json, Value};

use crate::harness::{fixture, sign, site, summary, Server};

#[test]
fn signatures_mark_summaries_verified_and_tampering_is_refused() {
    let secret = "edge-secret";
    let server = Server::start(
        &site("signed"),
        &["--secret", secret, "--rate-limit", "off"],
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

    let tampered = body.replace("\"score\":88", "\"score\":99");
    assert_ne!(tampered, body);
    let header = [("X-LeadPulse-Signature", signature.as_str())];
    assert_eq!(
        server
            .post("application/json", &header, tampered.as_bytes())
            .status,
        401
    );
    let wrong_key = sign("other-secret", summary(2).to_string().as_bytes());
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

    let verified: Vec<(Value, Value)> = server
        .leads()
        .iter()
        .map(|l| (l["id"].clone(), l["verified"].clone()))
        .collect();
    assert_eq!(
        verified,
        [
            (summary(3)["id"].clone(), json!(true)),
            (summary(1)["id"].clone(), json!(true))
        ]
    );
}

#[test]
fn require_signature_refuses_unsigned_summaries() {
    let secret = "from-the-environment";
    let server = Server::start_with_env(
        &site("required"),
        &["--require-signature", "--rate-limit", "off"],
        &[("LEADPULSE_SECRET", secret)],
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
    let secret = "edge-secret";
    // Default limits (burst 10): the edge forwards for many visitors from one address.
    let server = Server::start(&site("edge-rate"), &["--secret", secret]);
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
