//! Requests on `/collect` (docs/collector.md, "Requests"): a visitor asking to be contacted,
//! heard whatever the analytics consent. Two ways in:
//! - JSON `{"type": "request", …}` from the tracker or the edge: answered like a summary
//!   (`201` stored, `200` an id already stored, `400` with the path of the problem);
//! - a plain form post (`application/x-www-form-urlencoded`, a page without JavaScript):
//!   the collector builds the request from the fields and answers the browser — `303` to the
//!   form's `leadpulse-next` page, or a short thank-you page; a problem is a page that says
//!   what to fix, for the person who filled in the form.
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use leadpulse::core::request::{Request, BASIS_REQUEST};
use leadpulse::core::sorted_map::SortedMap;
use leadpulse::core::text::printable;
use leadpulse::core::time::format_iso;
use rand::Rng;
use serde::Deserialize;
use serde_json::json;

use super::app::App;
use super::outbox;
use super::store::{Error, ReceivedRequest, StoredRequest};

/// The hidden fields a form carries for LeadPulse (never stored as what the visitor typed).
pub const FORM_FIELD: &str = "leadpulse-form";
pub const NEXT_FIELD: &str = "leadpulse-next";

/// Whether a JSON body is a request (`"type": "request"`) rather than a summary. Anything
/// unreadable is left to the summary reader, which names the problem.
pub fn is_request(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Peek {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    serde_json::from_slice::<Peek>(body).is_ok_and(|p| p.kind.as_deref() == Some("request"))
}

fn refuse(status: StatusCode, error: &str, path: Option<&str>) -> Response {
    let body = match path {
        Some(path) => json!({ "error": error, "path": path }),
        None => json!({ "error": error }),
    };
    (status, Json(body)).into_response()
}

/// Stores a checked request and wakes the outbox when sales is to hear of it.
async fn store(
    app: &Arc<App>,
    request: Request,
    json: String,
    signed: bool,
    now: i64,
) -> Result<StoredRequest, Error> {
    let app = app.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let received = ReceivedRequest {
            request: &request,
            json: &json,
            signed,
            now,
        };
        app.store
            .receive_request(
                &received,
                &|traits, sequence| app.owners.assign(traits, sequence),
                &|lead, event| outbox::deliveries(&app.receivers, lead, event),
            )
            .map(|stored| (stored, app))
    })
    .await
    .map_err(|e| Error::Failed(e.to_string()))??;
    let (stored, app) = stored;
    if let StoredRequest::New { lead, pushed } = stored {
        if pushed > 0 {
            app.waker.wake();
        }
        app.events.changes.lead(lead);
    }
    Ok(stored)
}

/// `POST /collect` with a JSON request.
pub async fn from_json(app: Arc<App>, body: &[u8], signed: bool, now: i64) -> Response {
    let request = match Request::from_json(body).and_then(|r| r.check(now).map(|()| r)) {
        Ok(request) => request,
        Err(problem) => {
            tracing::info!("collect: refused a request: {}", problem.describe());
            return refuse(
                StatusCode::BAD_REQUEST,
                &problem.message,
                Some(&problem.path),
            );
        }
    };
    let id = request.id.clone();
    // NOTE: with analytics consent the visitor's browser may keep a status token (what sales
    // did, sales_status.rs); without, nothing that identifies them is handed back.
    let visitor = request.visitor.clone();
    let json = String::from_utf8_lossy(body).into_owned();
    let token = |lead| {
        visitor
            .as_deref()
            .and_then(|v| super::sales_status::token(&app.status_key, lead, v))
    };
    match store(&app, request, json, signed, now).await {
        Ok(StoredRequest::New { lead, .. }) => (
            StatusCode::CREATED,
            Json(json!({ "stored": true, "id": id, "lead": lead, "status": token(lead) })),
        )
            .into_response(),
        Ok(StoredRequest::Duplicate { lead }) => (
            StatusCode::OK,
            Json(json!({ "stored": false, "id": id, "lead": lead, "status": token(lead) })),
        )
            .into_response(),
        Err(e) => super::unavailable::answer(&e, "store the request"),
    }
}

/// A page the browser shows after a form post without JavaScript.
fn page(status: StatusCode, title: &str, text: &str, back: Option<&str>) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let back = back
        .map(|href| format!("<p><a href=\"{}\">Back to the site</a></p>", escape(href)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <body style=\"font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem\">\
         <h1>{}</h1><p>{}</p>{back}</body></html>",
        escape(title),
        escape(title),
        escape(text)
    );
    (status, Html(html)).into_response()
}

/// The page a form post came from, if it is a page of an allowed site (its `Referer`, checked
/// against the post's `Origin`, which `/collect` has already accepted).
fn origin_of(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    (origin.starts_with("https://") || origin.starts_with("http://")).then(|| origin.to_string())
}

/// Where to send the browser after a stored form post: the form's `leadpulse-next` — a path
/// on the posting site, or a URL on it — never anywhere else (no open redirect).
fn next_page(next: Option<&str>, origin: Option<&str>) -> Option<String> {
    let (next, origin) = (next?.trim(), origin?);
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        return Some(format!("{origin}{next}"));
    }
    let same_site = next
        .strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    same_site.then(|| next.to_string())
}

/// `POST /collect` with a form (`application/x-www-form-urlencoded`), from a page without
/// JavaScript: the request is built here, with no visitor id and basis `request` (nothing is
/// known of analytics consent).
pub async fn from_form(app: Arc<App>, headers: &HeaderMap, body: &[u8], now: i64) -> Response {
    let origin = origin_of(headers);
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|r| origin.as_deref().is_some_and(|o| r.starts_with(o)));
    let mut fields = SortedMap::new();
    let (mut form, mut next) = (None, None);
    for (name, value) in form_urlencoded::parse(body) {
        match name.as_ref() {
            FORM_FIELD => form = Some(value.trim().to_string()),
            NEXT_FIELD => next = Some(value.into_owned()),
            _ if value.trim().is_empty() => {}
            _ => {
                // NOTE: what a person typed is kept, made printable line by line (the contract
                // refuses control and reordering characters; a refusal would lose the request).
                let text: Vec<String> = value
                    .replace("\r\n", "\n")
                    .split('\n')
                    .map(printable)
                    .collect();
                fields.insert(name.into_owned(), text.join("\n"));
            }
        }
    }
    let page_path = referer
        .and_then(|r| r.get(origin.as_deref().unwrap_or_default().len()..))
        .map(|path| path.split(['?', '#']).next().unwrap_or("/").to_string())
        .filter(|p| p.starts_with('/'))
        .unwrap_or_else(|| "/".to_string());
    let id = format!("rq_{:016x}", rand::rng().random::<u64>());
    let request = Request {
        kind: "request".into(),
        version: 1,
        id,
        form: form
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "contact".into()),
        basis: BASIS_REQUEST.into(),
        visitor: None,
        page: page_path,
        at: format_iso(now),
        fields,
        runtime: "browser".into(),
    };
    if let Err(problem) = request.check(now) {
        tracing::info!("collect: refused a form post: {}", problem.describe());
        let what = if problem.path == "fields.email" {
            "We need your e-mail address to answer you: please go back and add it.".to_string()
        } else {
            format!(
                "Something in the form could not be read ({}: {}). Please go back and check it.",
                problem.path, problem.message
            )
        };
        return page(
            StatusCode::BAD_REQUEST,
            "Your request was not sent",
            &what,
            referer,
        );
    }
    let json = match serde_json::to_string(&request) {
        Ok(json) => json,
        Err(e) => {
            tracing::error!("collect: {e}");
            return page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Your request was not sent",
                "Something went wrong on our side. Please try again in a minute.",
                referer,
            );
        }
    };
    match store(&app, request, json, false, now).await {
        Ok(_) => match next_page(next.as_deref(), origin.as_deref())
            .and_then(|n| HeaderValue::from_str(&n).ok())
        {
            Some(location) => {
                (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
            }
            None => page(
                StatusCode::OK,
                "Thanks, we have your request",
                "Our team will reply by e-mail within one business day.",
                referer,
            ),
        },
        Err(e) => {
            tracing::error!("collect: storing a form request failed: {e}");
            let mut answer = page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Your request was not sent",
                "We could not store it just now. Please try again in a minute.",
                referer,
            );
            if e.unavailable() {
                answer.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(super::unavailable::RETRY_AFTER_SECONDS),
                );
            }
            answer
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_requests_from_summaries() {
        assert!(is_request(br#"{"type":"request","id":"rq_1"}"#));
        assert!(!is_request(br#"{"version":1,"id":"lp_1"}"#));
        assert!(!is_request(b"not json"));
        assert!(!is_request(br#"{"type":"summary"}"#));
    }

    #[test]
    fn redirects_only_within_the_posting_site() {
        let origin = Some("https://www.example.com");
        assert_eq!(
            next_page(Some("/thanks"), origin).as_deref(),
            Some("https://www.example.com/thanks")
        );
        assert_eq!(
            next_page(Some("https://www.example.com/t"), origin).as_deref(),
            Some("https://www.example.com/t")
        );
        for evil in [
            "//evil.example/x",
            "https://evil.example/",
            "https://www.example.com.evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(next_page(Some(evil), origin), None, "{evil}");
        }
        assert_eq!(next_page(Some("/thanks"), None), None);
    }
}
