//! `/api/me` (who the token belongs to) and the admin's `/api/users`: list users, add one
//! (its token in the answer, once), revoke one. A rep's token gets 403 on `/api/users`.
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use leadpulse::core::json::{Obj, Problems, Value};
use serde_json::json;

use super::app::App;
use super::auth::{refuse_rep, Actor};
use super::leads::{blocking, error, store_failed};
use super::now_ms;
use super::people::{self, PeopleError};
use super::store::Role;

/// `GET /api/me` → `{"name", "role"}`.
pub async fn me(Extension(actor): Extension<Actor>) -> Response {
    Json(json!({ "name": actor.name, "role": actor.role })).into_response()
}

/// `GET /api/users` → `{"users": [{name, role, createdAt, lastUsedAt, revokedAt}]}`.
pub async fn list(State(app): State<Arc<App>>, Extension(actor): Extension<Actor>) -> Response {
    if let Some(refusal) = refuse_rep(&actor) {
        return refusal;
    }
    match blocking(&app, |store| store.users()).await {
        Ok(Ok(users)) => Json(json!({ "users": users })).into_response(),
        Ok(Err(e)) => store_failed(e),
        Err(response) => response,
    }
}

fn failed(e: PeopleError) -> Response {
    match e {
        PeopleError::BadName(why) => error(StatusCode::BAD_REQUEST, &why, Some("name")),
        PeopleError::Taken(_) | PeopleError::AlreadyRevoked(_) => {
            error(StatusCode::CONFLICT, &e.to_string(), None)
        }
        PeopleError::NotFound(_) => error(StatusCode::NOT_FOUND, &e.to_string(), None),
        PeopleError::Store(e) => store_failed(e),
    }
}

/// The body of `POST /api/users`: `{"name", "role"?}` (role `rep` unless said).
fn read_new_user(body: &[u8]) -> Result<(String, Role), (String, String)> {
    let text = std::str::from_utf8(body).map_err(|_| (String::new(), "not UTF-8".to_string()))?;
    let value = Value::from_text(text).map_err(|e| (String::new(), format!("not JSON: {e}")))?;
    let mut p = Problems::default();
    let obj = Obj::open(&value, "", Some(&["name", "role"]), &mut p);
    let name: Option<String> = obj.as_ref().and_then(|o| o.req("name", &mut p));
    let role: Option<String> = obj.as_ref().and_then(|o| o.opt("role", &mut p));
    let role = match role.as_deref().map(Role::from_name) {
        None => Some(Role::Rep),
        Some(Some(role)) => Some(role),
        Some(None) => {
            p.range("role", "expected rep or admin");
            None
        }
    };
    if let Some(problem) = p.0.into_iter().next() {
        return Err((problem.path, problem.message));
    }
    name.zip(role)
        .ok_or_else(|| ("name".to_string(), "required field is missing".to_string()))
}

/// `POST /api/users` → `201 {"name", "role", "token"}`: the token is in this answer only.
pub async fn add(
    State(app): State<Arc<App>>,
    Extension(actor): Extension<Actor>,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_rep(&actor) {
        return refusal;
    }
    let (name, role) = match read_new_user(&body) {
        Ok(user) => user,
        Err((path, message)) => return error(StatusCode::BAD_REQUEST, &message, Some(&path)),
    };
    let now = now_ms();
    let added = {
        let name = name.clone();
        blocking(&app, move |store| people::add(store, &name, role, now)).await
    };
    match added {
        Ok(Ok(token)) => {
            tracing::info!("users: {} added {name} ({})", actor.name, role.name());
            let body = json!({ "name": name, "role": role, "token": token });
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Ok(Err(e)) => failed(e),
        Err(response) => response,
    }
}

/// `POST /api/users/{name}/revoke` → `200 {"name", "revoked": true}`: their token fails from
/// the next request on.
pub async fn revoke(
    State(app): State<Arc<App>>,
    Extension(actor): Extension<Actor>,
    Path(name): Path<String>,
) -> Response {
    if let Some(refusal) = refuse_rep(&actor) {
        return refusal;
    }
    let now = now_ms();
    let revoked = {
        let name = name.clone();
        blocking(&app, move |store| people::revoke(store, &name, now)).await
    };
    match revoked {
        Ok(Ok(())) => {
            tracing::info!("users: {} revoked {name}", actor.name);
            Json(json!({ "name": name, "revoked": true })).into_response()
        }
        Ok(Err(e)) => failed(e),
        Err(response) => response,
    }
}
