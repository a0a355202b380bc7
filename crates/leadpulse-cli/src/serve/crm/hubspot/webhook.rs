//! Status changes made in HubSpot: its webhooks (a private app's, or a public app's, with
//! `contact.propertyChange` subscriptions to `hs_lead_status` and `lifecyclestage`) post
//! here, `POST /crm/hubspot/webhook`. A request is believed only with a valid
//! `X-HubSpot-Signature-v3` — base64 of HMAC-SHA256 with the app's client secret over the
//! method, the URI HubSpot called, the body and `X-HubSpot-Request-Timestamp` — and a
//! timestamp at most 5 minutes old.
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Url;
use serde_json::json;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::api::Event;
use crate::serve::app::App;
use crate::serve::crm::inbound::{apply, Change};
use crate::serve::crm::Kind;

pub const PATH: &str = "/crm/hubspot/webhook";
/// The most a batch of events may weigh (HubSpot sends up to 100 events a request).
pub const MAX_BYTES: usize = 256 * 1024;
/// How old a request's timestamp may be (HubSpot's own advice).
const FRESH_MS: i64 = 5 * 60 * 1000;

/// The v3 signature of a request.
pub fn signature(
    secret: &[u8],
    method: &str,
    uri: &str,
    body: &[u8],
    timestamp: &str,
) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(method.as_bytes());
    mac.update(uri.as_bytes());
    mac.update(body);
    mac.update(timestamp.as_bytes());
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// The URI as HubSpot signs it: the address it called (`--public-url` and the path, else
/// `http://` and the `Host`), with the few characters HubSpot decodes decoded.
pub fn signed_uri(public_url: Option<&Url>, host: Option<&str>, uri: &Uri) -> String {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let base = match public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_string(),
        None => format!("http://{}", host.unwrap_or("localhost")),
    };
    let mut out = format!("{base}{path}");
    for (encoded, plain) in [
        ("%3A", ":"),
        ("%2F", "/"),
        ("%3F", "?"),
        ("%40", "@"),
        ("%21", "!"),
        ("%24", "$"),
        ("%27", "'"),
        ("%28", "("),
        ("%29", ")"),
        ("%2A", "*"),
        ("%2C", ","),
        ("%3B", ";"),
    ] {
        out = out
            .replace(encoded, plain)
            .replace(&encoded.to_lowercase(), plain);
    }
    out
}

/// Whether a request is HubSpot's: signed with `secret`, timestamped within 5 minutes.
pub fn verify(
    secret: &[u8],
    method: &str,
    uri: &str,
    body: &[u8],
    headers: &HeaderMap,
    now_ms: i64,
) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(given), Some(timestamp)) = (
        header("x-hubspot-signature-v3"),
        header("x-hubspot-request-timestamp"),
    ) else {
        return Err("no X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp");
    };
    let at: i64 = timestamp
        .parse()
        .map_err(|_| "the timestamp is not milliseconds")?;
    if (now_ms - at).abs() > FRESH_MS {
        return Err("the timestamp is more than 5 minutes off");
    }
    let expected = signature(secret, method, uri, body, timestamp).ok_or("no signing key")?;
    if bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err("the signature does not match")
    }
}

fn refuse(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// `POST /crm/hubspot/webhook`: a batch of events; each status change applied in order.
pub async fn receive(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = app
        .crms
        .hubspot
        .as_ref()
        .and_then(|h| h.app_secret.as_ref())
    else {
        return refuse(
            StatusCode::NOT_FOUND,
            "HubSpot webhooks need LEADPULSE_HUBSPOT_APP_SECRET",
        );
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let signed = signed_uri(app.crms.context.receivers.public_url.as_ref(), host, &uri);
    let now = crate::serve::now_ms();
    if let Err(why) = verify(
        secret.expose().as_bytes(),
        method.as_str(),
        &signed,
        &body,
        &headers,
        now,
    ) {
        tracing::warn!("HubSpot webhook refused: {why} (signed URI {signed})");
        return refuse(StatusCode::UNAUTHORIZED, why);
    }
    let mut events: Vec<Event> = match serde_json::from_slice(&body) {
        Ok(events) => events,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("not a list of HubSpot events: {e}"),
            )
        }
    };
    events.sort_by_key(|e| e.occurred_at);
    let mut applied = 0;
    for event in &events {
        let Some((property, value)) = event.contact_change() else {
            continue;
        };
        let candidates = app.crms.context.map.hubspot_candidates(property, value);
        if candidates.is_empty() {
            continue;
        }
        let change = Change {
            object_id: event.object_id.to_string(),
            property: property.to_string(),
            value: value.to_string(),
            candidates,
        };
        applied += apply(&app, Kind::Hubspot, change).await;
    }
    Json(json!({ "events": events.len(), "applied": applied })).into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn signed_over_method_uri_body_and_timestamp() {
        // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"secret",
        //   b"POSThttps://leads.example.com/crm/hubspot/webhook[]1767225600000",hashlib.sha256).digest()).decode())'
        let expected = "7ZIvlq1EQZ9GX71OREn6xm2T+F9tV8ui9V5voQHuwmI=";
        let uri = "https://leads.example.com/crm/hubspot/webhook";
        let signed = signature(b"secret", "POST", uri, b"[]", "1767225600000").unwrap();
        assert_eq!(signed, expected);
        let mut headers = HeaderMap::new();
        headers.insert("x-hubspot-signature-v3", signed.parse().unwrap());
        headers.insert(
            "x-hubspot-request-timestamp",
            "1767225600000".parse().unwrap(),
        );
        let now = 1_767_225_600_000 + 60_000;
        assert_eq!(verify(b"secret", "POST", uri, b"[]", &headers, now), Ok(()));
        assert!(verify(b"other", "POST", uri, b"[]", &headers, now).is_err());
        assert!(verify(b"secret", "POST", uri, b"[ ]", &headers, now).is_err());
        assert!(verify(
            b"secret",
            "POST",
            "http://elsewhere/crm/hubspot/webhook",
            b"[]",
            &headers,
            now
        )
        .is_err());
        let stale = 1_767_225_600_000 + FRESH_MS + 1;
        assert_eq!(
            verify(b"secret", "POST", uri, b"[]", &headers, stale),
            Err("the timestamp is more than 5 minutes off")
        );
    }

    #[test]
    fn the_uri_hubspot_called() {
        let uri: Uri = "/crm/hubspot/webhook?portal%3A=1%2C2".parse().unwrap();
        let public = Url::parse("https://leads.example.com/").unwrap();
        assert_eq!(
            signed_uri(Some(&public), Some("127.0.0.1:8080"), &uri),
            "https://leads.example.com/crm/hubspot/webhook?portal:=1,2"
        );
        assert_eq!(
            signed_uri(None, Some("127.0.0.1:8080"), &uri),
            "http://127.0.0.1:8080/crm/hubspot/webhook?portal:=1,2"
        );
    }
}
