//! One HTTP attempt: POST the payload, signed, with the summary id as idempotency key.
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::serve::store::Pending;

/// A receiver that does not answer within this is tried again later.
const TIMEOUT: Duration = Duration::from_secs(10);

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("leadpulse/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &[u8], body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
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
) -> Result<(), String> {
    let mut request = client
        .post(&pending.receiver)
        .header("content-type", "application/json")
        .header("idempotency-key", &pending.summary_id)
        .header("x-leadpulse-delivery", pending.id.to_string())
        .body(pending.payload.clone());
    if let (Some(secret), "webhook") = (secret, pending.kind.as_str()) {
        if let Some(signature) = signature(secret, pending.payload.as_bytes()) {
            request = request.header("x-leadpulse-signature", signature);
        }
    }
    let response = request.send().await.map_err(|e| format!("{e}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", status.as_u16()))
    }
}
