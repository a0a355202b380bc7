//! `/api/outbox`: the deliveries not made — waiting for their next attempt, or dead (refused
//! for good, or out of attempts) — and `POST /api/outbox/{id}/retry`, which puts a dead one
//! back in its receiver's queue. Token required (auth.rs).
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::app::App;
use super::auth::Actor;
use super::leads::{blocking, error, store_failed, MAX_LIMIT};
use super::now_ms;
use super::outbox::MAX_ATTEMPTS;
use super::store::Retried;

/// `GET /api/outbox` → `{"waiting": [...], "dead": [...], "maxAttempts"}`.
pub async fn list(State(app): State<Arc<App>>) -> Response {
    match blocking(&app, |store| store.undelivered(MAX_LIMIT)).await {
        Ok(Ok((waiting, dead))) => Json(json!({
            "waiting": waiting,
            "dead": dead,
            "maxAttempts": MAX_ATTEMPTS,
        }))
        .into_response(),
        Ok(Err(e)) => store_failed(e),
        Err(response) => response,
    }
}

/// `POST /api/outbox/{id}/retry`: a dead delivery is due again at once (202), recorded as the
/// token's user's doing; one that is not dead is left alone (409), an unknown id is 404.
pub async fn retry(
    State(app): State<Arc<App>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, "no such delivery", None);
    };
    let now = now_ms();
    let by = actor.name.clone();
    match blocking(&app, move |store| store.retry(id, &by, now)).await {
        Ok(Ok(Retried::Queued)) => {
            app.waker.wake();
            app.events.changes.outbox();
            (
                StatusCode::ACCEPTED,
                Json(json!({ "id": id, "state": "waiting" })),
            )
                .into_response()
        }
        Ok(Ok(Retried::NotDead)) => error(
            StatusCode::CONFLICT,
            "only a dead delivery can be retried (this one is waiting or delivered)",
            None,
        ),
        Ok(Ok(Retried::NotFound)) => error(StatusCode::NOT_FOUND, "no such delivery", None),
        Ok(Err(e)) => store_failed(e),
        Err(response) => response,
    }
}
