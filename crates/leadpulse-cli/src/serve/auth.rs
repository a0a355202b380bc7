//! Who is asking: every `/api/` request carries `Authorization: Bearer <token>`, either the
//! shared `--api-token` (automation; an admin, recorded as `api`) or a user's own token
//! (`leadpulse users add`). Lead data is personal data; nothing about a lead is served
//! without one. The user the token names is the actor of every change the request makes.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::app::App;
use super::leads::{blocking, store_failed};
use super::now_ms;
use super::people::{self, SHARED_TOKEN_USER};
use super::store::Role;

/// The user behind a request: the history's `by` for whatever it changes.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// Whether they may manage users.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The token of `Bearer <token>`; the scheme is case-insensitive (RFC 9110, 11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthorized(error: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer realm=\"leadpulse\"")],
        Json(json!({ "error": error })),
    )
        .into_response()
}

pub async fn require_token(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .filter(|token| !token.is_empty())
        .map(str::to_string);
    let Some(given) = given else {
        return unauthorized(
            "the API needs a token: Authorization: Bearer <token> (leadpulse serve --api-token, \
             or a user's from leadpulse users add)",
        );
    };
    // NOTE: compared in constant time, so the response time says nothing about the token.
    let shared = bool::from(given.as_bytes().ct_eq(app.api_token.as_bytes()));
    let actor = if shared {
        Some(Actor {
            name: SHARED_TOKEN_USER.to_string(),
            role: Role::Admin,
        })
    } else {
        // NOTE: looked up on every request, so a revoked token fails at once, even when
        // `leadpulse users revoke` ran in another process.
        let hash = people::hash(&given);
        let now = now_ms();
        match blocking(&app, move |store| store.user_by_token(&hash, now)).await {
            Ok(Ok(user)) => user.map(|(name, role)| Actor { name, role }),
            Ok(Err(e)) => return store_failed(e),
            Err(response) => return response,
        }
    };
    match actor {
        Some(actor) => {
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        None => {
            unauthorized("the token does not match any user's or the API token (or it was revoked)")
        }
    }
}

/// The 403 for a rep where only an admin may act; `None` for an admin.
pub fn refuse_rep(actor: &Actor) -> Option<Response> {
    if actor.is_admin() {
        return None;
    }
    let error = format!("{} is a rep: only an admin may manage users", actor.name);
    Some((StatusCode::FORBIDDEN, Json(json!({ "error": error }))).into_response())
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER  abc ", "bEaReR abc"] {
            assert_eq!(bearer(value), Some("abc"), "{value}");
        }
        for value in ["Basic abc", "Bearerabc", "bearer", "abc"] {
            assert_eq!(bearer(value), None, "{value}");
        }
    }
}
