//! `POST /collect`: one summary per request, checked, signature-verified and stored once.
use std::net::IpAddr;
use std::time::Instant;

use serde_json::{json, Value};

use super::http::{Body, Head, Response};
use super::store::Outcome;
use super::{iso_time, signature, summary_check, App};

/// The contract's size cap for one summary.
pub const MAX_BODY_BYTES: u64 = 4096;

pub fn handle(app: &App, head: &Head, body: Body<'_>, client: IpAddr) -> Response {
    match head.method.as_str() {
        "POST" => {}
        // Same-origin only: no CORS headers, so cross-origin preflights fail as intended.
        "OPTIONS" => return Response::empty(204).with_header("Allow", "POST, OPTIONS"),
        _ => return Response::error(405, "use POST").with_header("Allow", "POST, OPTIONS"),
    }
    if head.header("transfer-encoding").is_some() {
        return Response::error(411, "send the summary with a Content-Length");
    }
    let len = match head.content_length() {
        Ok(Some(len)) if len > MAX_BODY_BYTES => {
            return Response::error(413, "summary larger than 4096 bytes")
        }
        Ok(Some(len)) => len,
        Ok(None) => return Response::error(411, "send the summary with a Content-Length"),
        Err(e) => {
            return e
                .response()
                .unwrap_or_else(|| Response::error(400, "bad request"))
        }
    };
    if !is_accepted_media_type(head.header("content-type")) {
        return Response::error(415, "Content-Type must be application/json or text/plain");
    }
    let bytes = match body.read(usize::try_from(len).unwrap_or(usize::MAX)) {
        Ok(bytes) => bytes,
        Err(e) => {
            return e
                .response()
                .unwrap_or_else(|| Response::error(400, "bad request"))
        }
    };
    let verified = match signature::check(
        app.secret.as_deref(),
        head.header(signature::HEADER),
        &bytes,
        app.require_signature,
    ) {
        Ok(verified) => verified,
        Err(rejection) => return Response::error(401, rejection.message()),
    };
    // NOTE: only unverified (browser) traffic is rate-limited per client: signed summaries
    // come from a few edge IPs on behalf of many visitors, and the secret vouches for them.
    // Reading the body first is bounded by the 4 KB cap above.
    if let (Some(limiter), false) = (&app.limiter, verified) {
        if let Err(wait) = limiter.check(client, Instant::now()) {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Response::error(429, "too many summaries from this client")
                .with_header("Retry-After", seconds.max(1).to_string());
        }
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return invalid("body is not UTF-8", "");
    };
    let summary: Value = match serde_json::from_str(&text) {
        Ok(summary) => summary,
        Err(e) => return invalid(&format!("body is not JSON: {e}"), ""),
    };
    if let Err(problem) = summary_check::check(&summary) {
        return invalid(&problem.error, &problem.path);
    }
    let id = summary
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match app.store.insert(id, iso_time::now_ms(), verified, &text) {
        Ok(Outcome::Stored) => stored(201, true, id, verified),
        Ok(Outcome::Verified) => stored(200, true, id, true),
        Ok(Outcome::Duplicate) => stored(200, false, id, verified),
        Err(e) => {
            log!("leadpulse serve: storing {id} failed: {e}");
            Response::error(500, "could not store the summary")
        }
    }
}

fn invalid(error: &str, path: &str) -> Response {
    Response::json(400, &json!({ "error": error, "path": path }))
}

fn stored(status: u16, stored: bool, id: &str, verified: bool) -> Response {
    Response::json(
        status,
        &json!({ "stored": stored, "id": id, "verified": verified }),
    )
}

/// `application/json` from `fetch`, `text/plain;charset=UTF-8` from `sendBeacon(string)`.
fn is_accepted_media_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json") || essence.eq_ignore_ascii_case("text/plain")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_json_and_beacon_media_types() {
        assert!(is_accepted_media_type(Some("application/json")));
        assert!(is_accepted_media_type(Some("text/plain;charset=UTF-8")));
        assert!(is_accepted_media_type(Some(
            "Application/JSON; charset=utf-8"
        )));
        assert!(!is_accepted_media_type(Some(
            "application/x-www-form-urlencoded"
        )));
        assert!(!is_accepted_media_type(Some(
            "multipart/form-data; boundary=x"
        )));
        assert!(!is_accepted_media_type(None));
    }
}
