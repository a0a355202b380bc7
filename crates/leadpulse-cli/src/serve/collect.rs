//! `POST /collect`: one summary per request. Checked against the contract (400 with the JSON
//! path of the first problem), its edge signature verified, unsigned traffic rate-limited per
//! client, its trust assessed, stored once per id, and pushed to sales when it is an SQL.
//! A visitor's request to be contacted comes the same way (request.rs): as JSON with
//! `"type": "request"`, or as a plain form post from a page without JavaScript.
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadpulse::core::model::DEFAULT_REARM_POINTS;
use leadpulse::core::summary::{Summary, MAX_BYTES};
use serde_json::json;

use super::app::App;
use super::client;
use super::now_ms;
use super::origin;
use super::outbox;
use super::request;
use super::sales_status;
use super::signature;
use super::store::{Received, Stored};
use leadpulse::core::summary::trust;

fn refuse(status: StatusCode, error: &str, path: Option<&str>) -> Response {
    let body = match path {
        Some(path) => json!({ "error": error, "path": path }),
        None => json!({ "error": error }),
    };
    (status, Json(body)).into_response()
}

/// What a body is, by its media type: JSON (`application/json` from `fetch`,
/// `text/plain;charset=UTF-8` from `sendBeacon(string)`), or a form post.
#[derive(PartialEq)]
enum Body {
    Json,
    Form,
}

fn media_type(headers: &HeaderMap) -> Option<Body> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("text/plain")
    {
        Some(Body::Json)
    } else if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Some(Body::Form)
    } else {
        None
    }
}

pub async fn collect(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(why) = origin::refusal(&headers, &app.allow_origins) {
        tracing::info!("collect: refused a cross-site post: {why}");
        return refuse(StatusCode::FORBIDDEN, &why, None);
    }
    let Some(media) = media_type(&headers) else {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json or text/plain (a summary or a request), \
             or application/x-www-form-urlencoded (a form post)",
            None,
        );
    };
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
    if media == Body::Form {
        return request::from_form(app, &headers, &body, now).await;
    }
    if request::is_request(&body) {
        return request::from_json(app, &body, signed, now).await;
    }
    if body.len() > MAX_BYTES {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("a summary is at most {MAX_BYTES} bytes"),
            None,
        );
    }
    let summary = match Summary::from_json(&body).and_then(|s| s.check(now).map(|()| s)) {
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
    let (trust, trust_reason) =
        trust::assess(&summary, &app.models, signed, app.push_unknown_models);
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
                rearm: app
                    .models
                    .get(&summary.model)
                    .map_or(DEFAULT_REARM_POINTS, |model| model.sql.rearm),
            };
            let result = app.store.receive(
                &received,
                &|traits, sequence| app.owners.assign(traits, sequence),
                &|lead, event| outbox::deliveries(&app.receivers, lead, event),
            );
            result.map(|stored| (stored, summary.id, summary.visitor))
        })
        .await
    };
    let (stored, id, visitor) = match stored {
        Ok(Ok(stored)) => stored,
        Ok(Err(e)) => return super::unavailable::answer(&e, "store the summary"),
        Err(e) => {
            tracing::error!("collect: {e}");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the summary",
                None,
            );
        }
    };
    let (status, lead, fresh, trust) = match stored {
        Stored::New {
            lead,
            pushed,
            trust,
        } => {
            if pushed > 0 {
                app.waker.wake();
            }
            app.events.changes.lead(lead);
            (StatusCode::CREATED, lead, true, trust)
        }
        Stored::Verified { lead } => {
            app.events.changes.lead(lead);
            (StatusCode::OK, lead, true, trust)
        }
        Stored::Duplicate { lead } => (StatusCode::OK, lead, false, trust),
    };
    // NOTE: the visitor's own browser keeps this to ask later what sales did (sales_status.rs);
    // an impossible summary gets none.
    let token = (trust != trust::Trust::Rejected)
        .then(|| sales_status::token(&app.status_key, lead, &visitor))
        .flatten();
    let body = json!({
        "stored": fresh,
        "id": id,
        "lead": lead,
        "verified": signed,
        "trust": trust.name(),
        "status": token,
    });
    (status, Json(body)).into_response()
}
