//! One HTTP attempt: POST the payload, signed with a timestamp, with the summary id as
//! idempotency key; and what the answer means for the delivery.
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::failure::{status_line, Failure};
use crate::serve::store::Pending;

/// A receiver that does not answer within this is tried again later.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The client every webhook and Slack delivery is sent with. Refused at start when it cannot
/// be made: a default client would have no timeout, and one hung receiver would hold its queue.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("leadpulse/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot make the HTTP client for webhooks: {e}"))
}

/// `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the timestamp is signed with
/// the body, so a captured request cannot be replayed later with a fresh one.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(format!("sha256={hex}"))
}

pub async fn send(
    client: &reqwest::Client,
    pending: &Pending,
    secret: Option<&[u8]>,
    now_seconds: i64,
) -> Result<(), Failure> {
    let mut request = client
        .post(&pending.receiver)
        .header("content-type", "application/json")
        .header("idempotency-key", &pending.summary_id)
        .header("x-leadpulse-delivery", pending.id.to_string())
        .body(pending.payload.clone());
    if let (Some(secret), "webhook") = (secret, pending.kind.as_str()) {
        if let Some(signature) = signature(secret, now_seconds, pending.payload.as_bytes()) {
            request = request
                .header("x-leadpulse-timestamp", now_seconds.to_string())
                .header("x-leadpulse-signature", signature);
        }
    }
    let response = request
        .send()
        .await
        .map_err(|e| Failure::transient(format!("{e}")))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    Err(Failure::answer(
        status,
        response.headers(),
        status_line(status),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_timestamp_with_the_body() {
        // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        let expected = "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686";
        let signed = signature(b"secret", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(signed.as_deref(), Some(expected));
        let later = signature(b"secret", 1_700_000_001, br#"{"a":1}"#);
        assert_ne!(later.as_deref(), Some(expected));
    }
}
