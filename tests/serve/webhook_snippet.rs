//! The webhook verification snippet in docs/collector.md, run as it is there (with Node)
//! against a real delivery from the collector and copies of it that must be refused: tampered,
//! stale, from the future, signed with another secret, with a header missing, short or of the
//! wrong type. It answers each without throwing.
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::delivery::{pushing_to, start, WEBHOOK_SECRET};
use crate::harness::{sign_webhook, site, summary};
use crate::receiver::Receiver;

/// The first ```js block of docs/collector.md that defines `verifyLeadPulse`.
fn snippet() -> String {
    let doc = std::fs::read_to_string(concat!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
        "/docs/collector.md"
    ))
    .unwrap();
    doc.split("```js\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(code, _)| code))
        .find(|code| code.contains("export function verifyLeadPulse"))
        .expect("a ```js block defining verifyLeadPulse in docs/collector.md")
        .to_string()
}

/// Runs `verifyLeadPulse(headers, body, secret, now)` for every case; what each returned,
/// or `threw: …`.
fn run(dir: &Path, cases: &Value) -> Vec<String> {
    std::fs::write(dir.join("verify.mjs"), snippet()).unwrap();
    std::fs::write(dir.join("cases.json"), cases.to_string()).unwrap();
    let driver = r#"
import { readFileSync } from 'node:fs';
import { verifyLeadPulse } from './verify.mjs';
const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));
const results = cases.map((c) => {
  const body = c.bodyText ?? Buffer.from(c.body, 'base64');
  try {
    return String(verifyLeadPulse(c.headers, body, c.secret, c.now));
  } catch (e) {
    return `threw: ${e.message}`;
  }
});
console.log(JSON.stringify(results));
"#;
    std::fs::write(dir.join("driver.mjs"), driver).unwrap();
    let out = Command::new("node")
        .arg(dir.join("driver.mjs"))
        .output()
        .expect("node (the docs' snippet is JavaScript)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_documented_snippet_verifies_a_delivery_and_refuses_everything_else() {
    let receiver = Receiver::start();
    let dir = site("snippet");
    let server = start(&dir, &pushing_to(&receiver.url("/hook")));
    assert_eq!(server.post_json(&summary(1)).status, 201);
    let hook = receiver.wait_for(1, Duration::from_secs(10)).remove(0);
    let timestamp = hook.header("x-leadpulse-timestamp").unwrap().to_string();
    let signature = hook.header("x-leadpulse-signature").unwrap().to_string();
    let now: i64 = timestamp.parse().unwrap();
    let body = base64(&hook.body);
    let headers = json!({
        "content-type": "application/json",
        "x-leadpulse-timestamp": timestamp,
        "x-leadpulse-signature": signature,
    });
    let with = |name: &str, value: Value| {
        let mut headers = headers.clone();
        headers[name] = value;
        headers
    };
    let without = |name: &str| {
        let mut headers = headers.clone();
        headers.as_object_mut().unwrap().remove(name);
        headers
    };
    let mut tampered = hook.body.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 1;
    // Signed correctly, but 6 minutes old (or ahead): outside the 5-minute window.
    let old = (now - 360).to_string();
    let stale = json!({
        "x-leadpulse-timestamp": old,
        "x-leadpulse-signature": sign_webhook(WEBHOOK_SECRET, &old, &hook.body),
    });
    let ahead = (now + 360).to_string();
    let future = json!({
        "x-leadpulse-timestamp": ahead,
        "x-leadpulse-signature": sign_webhook(WEBHOOK_SECRET, &ahead, &hook.body),
    });
    let case = |name: &str, headers: Value, body: &str, secret: &str| json!({ "name": name, "headers": headers, "body": body, "secret": secret, "now": now });
    let cases = json!([
        case("as delivered", headers.clone(), &body, WEBHOOK_SECRET),
        {
            "name": "as delivered, the body a string",
            "headers": headers.clone(),
            "bodyText": String::from_utf8(hook.body.clone()).unwrap(),
            "secret": WEBHOOK_SECRET,
            "now": now + 299,
        },
        case("tampered body", headers.clone(), &base64(&tampered), WEBHOOK_SECRET),
        case("another secret", headers.clone(), &body, "not-the-webhook-secret"),
        case("stale", stale, &body, WEBHOOK_SECRET),
        case("from the future", future, &body, WEBHOOK_SECRET),
        case("no signature", without("x-leadpulse-signature"), &body, WEBHOOK_SECRET),
        case("no timestamp", without("x-leadpulse-timestamp"), &body, WEBHOOK_SECRET),
        case("no headers", json!({}), &body, WEBHOOK_SECRET),
        case("headers null", Value::Null, &body, WEBHOOK_SECRET),
        case("short signature", with("x-leadpulse-signature", json!("sha256=ab")), &body, WEBHOOK_SECRET),
        case("empty signature", with("x-leadpulse-signature", json!("")), &body, WEBHOOK_SECRET),
        case("signature twice (an array)", with("x-leadpulse-signature", json!([signature, signature])), &body, WEBHOOK_SECRET),
        case("not hex", with("x-leadpulse-signature", json!(format!("sha256={}", "zz".repeat(32)))), &body, WEBHOOK_SECRET),
        case("timestamp not a number", with("x-leadpulse-timestamp", json!("soon")), &body, WEBHOOK_SECRET),
        case("timestamp with the signature's time in it", with("x-leadpulse-timestamp", json!(format!("{now}.5"))), &body, WEBHOOK_SECRET),
    ]);
    let names: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let results = run(&dir, &cases);
    let answered: Vec<(&str, &str)> = names
        .iter()
        .copied()
        .zip(results.iter().map(String::as_str))
        .collect();
    let expected: Vec<(&str, &str)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (*name, if i < 2 { "true" } else { "false" }))
        .collect();
    assert_eq!(answered, expected);
}
