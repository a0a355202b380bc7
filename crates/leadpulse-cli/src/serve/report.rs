//! `GET /api/report[?from=DATE][&to=DATE][&by=source|model|owner]`: the sales figures of
//! `leadpulse report --json` (docs/metrics.md), computed on the collector's own connection.
//! Token required (auth.rs).
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::app::App;

#[derive(Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

pub async fn report(State(app): State<Arc<App>>, Query(params): Query<ReportQuery>) -> Response {
    let query = match crate::report::query(
        params.from.as_deref(),
        params.to.as_deref(),
        params.by.as_deref(),
    ) {
        Ok(query) => query,
        Err((path, message)) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": message, "path": path })),
            )
                .into_response()
        }
    };
    let store = app.store.clone();
    let computed = tokio::task::spawn_blocking(move || {
        store.read(|tx| crate::report::figures::compute(tx, &query))
    })
    .await;
    match computed {
        Ok(Ok(report)) => Json(report).into_response(),
        Ok(Err(e)) => super::unavailable::answer(&e, "read the report"),
        Err(e) => {
            tracing::error!("api: report: {e}");
            failed()
        }
    }
}

fn failed() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "error": "could not read the store" })),
    )
        .into_response()
}
