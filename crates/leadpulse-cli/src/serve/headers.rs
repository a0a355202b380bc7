//! Security headers on every answer: no MIME sniffing anywhere; referrers only as an origin
//! across sites (none from the dashboard, whose URLs name leads); the dashboard and the API
//! never framed (clickjacking); API answers never cached (they carry personal data).
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

fn is_dashboard(path: &str) -> bool {
    path == "/dashboard" || path == "/dashboard.html" || path.starts_with("/dashboard/")
}

pub async fn security(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let api = path.starts_with("/api/");
    let dashboard = is_dashboard(&path);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(if dashboard {
            "no-referrer"
        } else {
            "strict-origin-when-cross-origin"
        }),
    );
    if api || dashboard {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        // NOTE: appended: a --csp policy on the page stays in force beside this one.
        headers.append(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
