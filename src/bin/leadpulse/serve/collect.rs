//! `POST /collect`: one summary per request. Checked against the contract (400 with the JSON
//! path of the first problem), its edge signature verified, unsigned traffic rate-limited per
//! client, its trust assessed, stored once per id, and pushed to sales when it is an SQL.
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadpulse::core::summary::ReceivedSummary;
use serde_json::json;

use super::app::App;
use super::client;
use super::now_ms;
use super::outbox;
use super::signature;
use super::store::{Received, Stored};
use super::trust;

fn refuse(status: StatusCode, error: &str, path: Option<&str>) -> Response {
    let body = match path {
        Some(path) => json!({ "error": error, "path": path }),
        None => json!({ "error": error }),
    };
    (status, Json(body)).into_response()
}

/// `application/json` from `fetch`, `text/plain;charset=UTF-8` from `sendBeacon(string)`.
fn accepted_media_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json") || essence.eq_ignore_ascii_case("text/plain")
}

pub async fn collect(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !accepted_media_type(&headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json or text/plain",
            None,
        );
    }
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    let signed = match signature::check(&app.signing_secrets, header, &body, app.require_signature)
    {
        Ok(signed) => signed,
        Err(rejection) => return refuse(StatusCode::UNAUTHORIZED, rejection.message(), None),
    };
    // NOTE: only unsigned (browser) traffic is limited per client: signed summaries come from
    // a few edge addresses on behalf of many visitors, and the secret vouches for them.
    if let (Some(limiter), false) = (&app.limiter, signed) {
        let address = client::address(app.behind_proxy, peer, &headers);
        if let Err(seconds) = client::check(limiter, address) {
            tracing::info!("collect: {address} is over the rate limit");
            let mut response = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "too many summaries from this client",
                None,
            );
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    }
    let now = now_ms();
    let summary = match ReceivedSummary::from_json(&body).and_then(|s| s.check(now).map(|()| s)) {
        Ok(summary) => summary,
        Err(problem) => {
            tracing::info!("collect: refused a summary: {}", problem.describe());
            return refuse(
                StatusCode::BAD_REQUEST,
                &problem.message,
                Some(&problem.path),
            );
        }
    };
    let (trust, trust_reason) = trust::assess(&summary, &app.models, signed);
    if trust == trust::Trust::Rejected {
        tracing::warn!(
            "collect: {} stored as rejected: {}",
            summary.id,
            trust_reason.as_deref().unwrap_or("")
        );
    }
    let stored = {
        let app = app.clone();
        let json = String::from_utf8_lossy(&body).into_owned();
        tokio::task::spawn_blocking(move || {
            let received = Received {
                summary: &summary,
                json: &json,
                signed,
                trust,
                trust_reason,
                now,
            };
            let result = app.store.receive(
                &received,
                &|s, sequence| app.owners.assign(s, sequence),
                &|lead| outbox::deliveries(&app.receivers, lead),
            );
            result.map(|stored| (stored, summary.id))
        })
        .await
    };
    let (stored, id) = match stored {
        Ok(Ok(stored)) => stored,
        Ok(Err(e)) => {
            tracing::error!("collect: storing failed: {e}");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the summary",
                None,
            );
        }
        Err(e) => {
            tracing::error!("collect: {e}");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the summary",
                None,
            );
        }
    };
    let (status, lead, fresh) = match stored {
        Stored::New { lead, pushed } => {
            if pushed > 0 {
                app.waker.wake();
            }
            (StatusCode::CREATED, lead, true)
        }
        Stored::Verified { lead } => (StatusCode::OK, lead, true),
        Stored::Duplicate { lead } => (StatusCode::OK, lead, false),
    };
    let body = json!({
        "stored": fresh,
        "id": id,
        "lead": lead,
        "verified": signed,
        "trust": trust.name(),
    });
    (status, Json(body)).into_response()
}
