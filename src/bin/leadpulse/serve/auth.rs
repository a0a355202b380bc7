//! The API token: every `/api/` request carries `Authorization: Bearer <token>`. Lead data is
//! personal data; nothing about a lead is served without it.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::app::App;

/// The token of `Bearer <token>`; the scheme is case-insensitive (RFC 9110, 11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub async fn require_token(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    // NOTE: compared in constant time, so the response time says nothing about the token.
    let valid = given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(app.api_token.as_bytes())));
    if valid {
        return next.run(request).await;
    }
    let error = if given.is_some() {
        "the API token does not match"
    } else {
        "the API needs a token: Authorization: Bearer <token> (leadpulse serve --api-token)"
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer realm=\"leadpulse\"")],
        Json(json!({ "error": error })),
    )
        .into_response()
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
