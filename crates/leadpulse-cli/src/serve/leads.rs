//! `/api/`: the leads (newest change first), one lead with its revisions and history, and
//! sales feedback, recorded as the token's user's. Token required (auth.rs); the outbox's
//! routes are in deliveries.rs.
use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use leadpulse::core::json::{Obj, Problems, Value};
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::json;

use super::app::App;
use super::auth::Actor;
use super::now_ms;
use super::status::Status;
use super::store::{Feedback, FeedbackError, LeadRow};

const DEFAULT_LIMIT: u32 = 100;
pub(super) const MAX_LIMIT: u32 = 1000;

pub(super) fn error(status: StatusCode, error: &str, path: Option<&str>) -> Response {
    let body = match path {
        Some(path) => json!({ "error": error, "path": path }),
        None => json!({ "error": error }),
    };
    (status, Json(body)).into_response()
}

/// Runs a store call off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    call: impl FnOnce(&super::store::Store) -> T + Send + 'static,
) -> Result<T, Response> {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || call(&store))
        .await
        .map_err(|e| {
            tracing::error!("api: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        })
}

pub(super) fn store_failed(e: super::store::Error) -> Response {
    super::unavailable::answer(&e, "read or write the store")
}

/// The owner's booking page, from the configuration (`--owner NAME=URL`, owner rules).
fn with_booking(app: &App, mut lead: LeadRow) -> LeadRow {
    lead.booking_url = app.owners.booking_url(lead.owner.as_deref());
    lead
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<String>,
    /// `true`: also the leads whose latest summary was rejected as impossible.
    rejected: Option<bool>,
}

/// `GET /api/leads[?status=new][&limit=N][&rejected=true]` → `{"leads": [...]}`.
pub async fn list(State(app): State<Arc<App>>, Query(query): Query<ListQuery>) -> Response {
    let limit = match query.limit.as_deref().map(str::parse::<u32>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            let message = format!("limit must be an integer from 1 to {MAX_LIMIT}");
            return error(StatusCode::BAD_REQUEST, &message, Some("limit"));
        }
    };
    if let Some(status) = query.status.as_deref() {
        if Status::from_name(status).is_none() {
            let names: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
            let message = format!("unknown status; expected one of {}", names.join(", "));
            return error(StatusCode::BAD_REQUEST, &message, Some("status"));
        }
    }
    let rejected = query.rejected.unwrap_or(false);
    let status = query.status.clone();
    match blocking(&app, move |store| {
        store.leads(status.as_deref(), rejected, limit)
    })
    .await
    {
        Ok(Ok(leads)) => {
            let leads: Vec<LeadRow> = leads.into_iter().map(|l| with_booking(&app, l)).collect();
            Json(json!({ "leads": leads })).into_response()
        }
        Ok(Err(e)) => store_failed(e),
        Err(response) => response,
    }
}

/// `GET /api/leads/{id}` → the lead, every revision, and its history.
pub async fn one(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, "no such lead", None);
    };
    match blocking(&app, move |store| store.lead(id)).await {
        Ok(Ok(Some(mut page))) => {
            page.lead = with_booking(&app, page.lead);
            Json(page).into_response()
        }
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "no such lead", None),
        Ok(Err(e)) => store_failed(e),
        Err(response) => response,
    }
}

/// The first key that the top-level object of `text` has twice. NOTE: the JSON reader keeps
/// the last of them (as `JSON.parse` does) while other readers keep the first, so a body
/// such as `{"status":"won","status":"lost"}` is refused rather than read one way.
fn duplicate_key(text: &str) -> Option<String> {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut seen = HashSet::new();
            let mut twice = None;
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                if !seen.insert(key.clone()) && twice.is_none() {
                    twice = Some(key);
                }
            }
            Ok(twice)
        }
    }
    serde_json::Deserializer::from_str(text)
        .deserialize_map(Keys)
        .ok()
        .flatten()
}

/// The feedback body, every problem with its path: `{"status", "reason"?, "amount"?, "by"?}`.
/// NOTE: `by` is still read and checked (clients send it), but the history records the
/// token's user (`actor`): a name in the body proves nothing.
fn read_feedback(body: &[u8], actor: &Actor) -> Result<Feedback, (String, String)> {
    let text = std::str::from_utf8(body).map_err(|_| (String::new(), "not UTF-8".to_string()))?;
    if let Some(key) = duplicate_key(text) {
        return Err((key, "this key appears more than once".into()));
    }
    let value = Value::from_text(text).map_err(|e| (String::new(), format!("not JSON: {e}")))?;
    let mut p = Problems::default();
    let Some(obj) = Obj::open(
        &value,
        "",
        Some(&["status", "reason", "amount", "by"]),
        &mut p,
    ) else {
        let first = p.0.into_iter().next().unwrap_or_default();
        return Err((first.path, first.message));
    };
    let status: Option<String> = obj.req("status", &mut p);
    let reason: Option<String> = obj.opt("reason", &mut p);
    let amount: Option<f64> = obj.opt("amount", &mut p);
    let by: Option<String> = obj.opt("by", &mut p);
    let status = status.and_then(|name| {
        let found = Status::from_name(&name).filter(|s| s.next_of_any());
        if found.is_none() {
            p.range(
                "status",
                "expected accepted, rejected, opportunity, won or lost",
            );
        }
        found
    });
    if amount.is_some_and(|a| !(0.0..=1e12).contains(&a)) {
        p.range("amount", "must be between 0 and 1e12");
    }
    // NOTE: a blank reason is no reason (a step that needs one is refused for it).
    let reason = reason
        .map(|r| leadpulse::core::text::printable(r.trim()))
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.len() > 500) {
        p.range("reason", "at most 500 bytes");
    }
    let by = by
        .map(|b| leadpulse::core::text::printable(b.trim()))
        .filter(|b| !b.is_empty());
    if by.as_ref().is_some_and(|b| b.len() > 128) {
        p.range("by", "at most 128 bytes");
    }
    if let Some(problem) = p.0.into_iter().next() {
        return Err((problem.path, problem.message));
    }
    let status = status.ok_or((
        String::from("status"),
        String::from("required field is missing"),
    ))?;
    if let Some(claimed) = by.filter(|b| *b != actor.name) {
        tracing::debug!(
            "feedback: 'by: {claimed}' ignored: the token is {}'s",
            actor.name
        );
    }
    Ok(Feedback {
        status,
        reason,
        amount,
        by: actor.name.clone(),
    })
}

/// `POST /api/leads/{id}/feedback`: 200 with the lead; 409 with the statuses that may follow
/// when this one may not; 400 when the step's rules (status.rs) refuse its reason or amount.
pub async fn feedback(
    State(app): State<Arc<App>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, "no such lead", None);
    };
    let feedback = match read_feedback(&body, &actor) {
        Ok(feedback) => feedback,
        Err((path, message)) => return error(StatusCode::BAD_REQUEST, &message, Some(&path)),
    };
    let now = now_ms();
    let receivers = app.receivers.clone();
    let push = move |lead: &_, event| super::outbox::deliveries(&receivers, lead, event);
    match blocking(&app, move |store| store.feedback(id, &feedback, now, &push)).await {
        Ok(Ok(lead)) => {
            app.waker.wake();
            app.events.changes.lead(lead.id);
            Json(json!({ "lead": with_booking(&app, lead) })).into_response()
        }
        Ok(Err(FeedbackError::NotFound)) => error(StatusCode::NOT_FOUND, "no such lead", None),
        Ok(Err(FeedbackError::Invalid { from, allowed })) => {
            let names: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
            let message = if names.is_empty() {
                format!("a {} lead takes no further status", from.name())
            } else {
                format!("a {} lead can become {}", from.name(), names.join(" or "))
            };
            (
                StatusCode::CONFLICT,
                Json(json!({ "error": message, "status": from.name(), "allowed": names })),
            )
                .into_response()
        }
        Ok(Err(FeedbackError::Refused { path, message })) => {
            error(StatusCode::BAD_REQUEST, &message, Some(&path))
        }
        Ok(Err(FeedbackError::Store(e))) => store_failed(e),
        Err(response) => response,
    }
}

pub async fn no_such_api() -> Response {
    error(StatusCode::NOT_FOUND, "no such API", None)
}
