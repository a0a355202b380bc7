//! The answer when the store fails a call: `503 Service Unavailable` with `Retry-After` when
//! the database is down, out of connections or busy (the client sends again; the tracker and
//! the edge do, and nothing was acknowledged that was not stored), else `500`.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::store::Error;

/// Seconds a client is asked to wait before sending again while the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// The answer for a failed store call made to do `what` ("store the summary"); logged.
pub fn answer(e: &Error, what: &str) -> Response {
    if e.unavailable() {
        tracing::warn!("store: could not {what}: {e}");
        let body = json!({ "error": format!("the database is unavailable: could not {what}; try again shortly") });
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        return response;
    }
    tracing::error!("store: could not {what}: {e}");
    let body = json!({ "error": format!("could not {what}") });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
