//! What the site learns of what sales did (docs/collector.md, "What the site learns"): for a
//! visitor who handed off, a minimal status — `with_sales` (with the owner's first name and
//! booking page, when the collector was given one),
//! `recycled` (sales sent the lead back), `customer` (won) or `none` — so the site stops
//! pitching a demo to someone a rep is already talking to. Nothing else about the lead, and
//! nothing at all for an unknown or forged token.
//!
//! Who may ask: the visitor's own browser, with the token the collector gave it when it stored
//! the visitor's summary (`status` in the 201/200 answer): `lead id ‖ HMAC(status key, lead id ‖
//! visitor)`, cut to 16 bytes, base64url. The key is the collector's own, made once and kept in
//! the store. The edge, which holds the signing secret, asks by visitor id with a signature
//! (`GET /status?visitor=…`, `X-LeadPulse-Timestamp` and `X-LeadPulse-Signature` over
//! `status|<visitor>|<timestamp>`). Answers are signed with the signing secret when there is
//! one, so the edge can check them.
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hmac::{Hmac, Mac};
use leadpulse::core::encoding::base64url;
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::app::App;
use super::now_ms;
use super::signature;
use super::store::SalesView;

/// The store key that signs status tokens.
pub const KEY_NAME: &str = "status";
/// How far a signed status request's timestamp may be from now.
const FRESH_MS: i64 = 5 * 60 * 1000;

fn mac(key: &[u8], parts: &[&[u8]]) -> Option<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    for part in parts {
        mac.update(part);
    }
    Some(mac.finalize().into_bytes().into())
}

/// The token a visitor's browser asks with: lead id and a MAC tying it to the visitor.
pub fn token(key: &[u8; 32], lead: i64, visitor: &str) -> Option<String> {
    let id = lead.to_be_bytes();
    let tag = mac(
        key,
        &[b"leadpulse-status-v1|", &id, b"|", visitor.as_bytes()],
    )?;
    let mut bytes = id.to_vec();
    bytes.extend_from_slice(tag.get(..16)?);
    Some(base64url::encode(&bytes))
}

/// The lead id a token names, and its tag (not yet checked).
fn decode(token: &str) -> Option<(i64, Vec<u8>)> {
    if token.len() > 64 {
        return None;
    }
    let bytes = base64url::decode(token).ok()?;
    let (id, tag) = (bytes.get(..8)?, bytes.get(8..)?);
    (tag.len() == 16).then(|| {
        (
            i64::from_be_bytes(id.try_into().unwrap_or([0; 8])),
            tag.to_vec(),
        )
    })
}

/// Whether `tag` is the one the collector made for `lead` of `visitor`.
fn genuine(key: &[u8; 32], lead: i64, visitor: &str, tag: &[u8]) -> bool {
    let id = lead.to_be_bytes();
    mac(
        key,
        &[b"leadpulse-status-v1|", &id, b"|", visitor.as_bytes()],
    )
    .and_then(|expected| expected.get(..16).map(|e| bool::from(e.ct_eq(tag))))
    .unwrap_or(false)
}

/// The minimal status, as the site sees it.
fn answer(app: &App, found: Option<SalesView>) -> Response {
    let Some(found) = found else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "error": "no such status" })),
        )
            .into_response();
    };
    let sales = match found.status.as_str() {
        "new" | "review" | "accepted" | "opportunity" => "with_sales",
        "rejected" | "lost" => "recycled",
        "won" => "customer",
        _ => "none",
    };
    // NOTE: a first name and the booking page the team published (`--owner NAME=URL`) are what
    // the site may show ("Book a call with Ana"); nothing else of the rep.
    let owner = found.owner.as_deref().filter(|_| sales == "with_sales");
    let first_name = owner.and_then(|o| o.split_whitespace().next());
    let owner = first_name.map(|name| {
        let mut owner = json!({ "firstName": name });
        if let Some(url) = owner_booking(app, found.owner.as_deref()) {
            owner["bookingUrl"] = json!(url);
        }
        owner
    });
    let body = json!({ "sales": sales, "owner": owner }).to_string();
    let mut response = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.clone(),
    )
        .into_response();
    if let Some(secret) = app.signing_secrets.first() {
        if let Some(tag) = mac(secret, &[body.as_bytes()]) {
            let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
            if let Ok(value) = HeaderValue::from_str(&format!("sha256={hex}")) {
                response.headers_mut().insert(signature::HEADER, value);
            }
        }
    }
    response
}

/// The owner's booking page, if the collector was given one.
fn owner_booking<'a>(app: &'a App, owner: Option<&str>) -> Option<&'a str> {
    app.receivers.bookings.get(owner?).map(String::as_str)
}

/// Runs a store call off the async threads; a store failure reads as "no such status".
async fn view(app: &Arc<App>, lead: i64) -> Option<SalesView> {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || store.sales_view(lead))
        .await
        .ok()?
        .map_err(|e| tracing::error!("status: store: {e}"))
        .ok()?
}

/// `GET /status/{token}`: the visitor's own browser.
pub async fn by_token(State(app): State<Arc<App>>, Path(token): Path<String>) -> Response {
    let Some((lead, tag)) = decode(&token) else {
        return answer(&app, None);
    };
    // NOTE: the tag covers the visitor, so it is checked after the lookup: a forged token costs
    // one indexed read and is answered 404, like an unknown one.
    let found = view(&app, lead)
        .await
        .filter(|found| genuine(&app.status_key, lead, &found.visitor, &tag));
    answer(&app, found)
}

#[derive(Deserialize)]
pub struct ByVisitor {
    visitor: String,
}

/// `GET /status?visitor=…`: the edge, signed with the signing secret (or the previous one).
pub async fn by_visitor(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<ByVisitor>,
) -> Response {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(stamp), Some(given)) = (text("x-leadpulse-timestamp"), text(signature::HEADER))
    else {
        return answer(&app, None);
    };
    let fresh = stamp
        .parse::<i64>()
        .ok()
        .is_some_and(|t| (now_ms() - t * 1000).abs() <= FRESH_MS);
    let message = format!("status|{}|{stamp}", query.visitor);
    let signed = fresh
        && signature::check(&app.signing_secrets, Some(given), message.as_bytes(), true)
            == Ok(true);
    if !signed {
        return answer(&app, None);
    }
    let store = app.store.clone();
    let visitor = query.visitor.clone();
    let lead = tokio::task::spawn_blocking(move || store.lead_of_visitor(&visitor))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let found = match lead {
        Some(lead) => view(&app, lead).await,
        None => None,
    };
    answer(&app, found)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_token_names_its_lead_and_nothing_else() {
        let token = token(&KEY, 42, "anon-1").unwrap();
        let (lead, tag) = decode(&token).unwrap();
        assert_eq!(lead, 42);
        assert!(genuine(&KEY, 42, "anon-1", &tag));
        // Another visitor's lead under that id, another key, another id: not genuine.
        assert!(!genuine(&KEY, 42, "anon-2", &tag));
        assert!(!genuine(&[8; 32], 42, "anon-1", &tag));
        assert!(!genuine(&KEY, 43, "anon-1", &tag));
        let mut bytes = base64url::decode(&token).unwrap();
        bytes[7] ^= 1;
        let (lead, tag) = decode(&base64url::encode(&bytes)).unwrap();
        assert!(!genuine(&KEY, lead, "anon-1", &tag));
        for bad in ["not base64!", "", "AAAA", &"A".repeat(100)] {
            assert!(decode(bad).is_none(), "{bad}");
        }
    }
}
