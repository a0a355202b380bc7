//! The demo site and the package: `/pkg/*` from `ROOT/pkg/`, everything else from
//! `ROOT/www/`; `/` and folders → `index.html`; `/pricing` → `pricing.html` or
//! `pricing/index.html`. Nothing outside those two folders is ever served (canonical paths:
//! not through `..`, encoded separators or symlinks), nor hidden files. The model: `/model.json`
//! (the document, for editors) and `/model.lpm` (compiled, for the browser build).
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use leadpulse::core::model::{compiled, BUILTIN_JSON};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::app::App;

/// Percent-decoded path segments; `None` for anything that could step outside the folder
/// or name a hidden file: `..`, `.x`, encoded `/` or `\`, NUL, invalid escapes or UTF-8.
fn decode_segments(raw_path: &str) -> Option<Vec<String>> {
    raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect()
}

fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    // NOTE: strict: every `%` starts a valid escape (the decoder would keep a bad one as text).
    let escapes_valid = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'%')
        .all(|(i, _)| {
            bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        });
    if !escapes_valid {
        return None;
    }
    let decoded = percent_decode_str(segment).decode_utf8().ok()?;
    let safe = !decoded.starts_with('.') && !decoded.contains(['/', '\\', '\0', ':', '%']);
    safe.then(|| decoded.into_owned())
}

/// The file a request path names, inside `root/www` or `root/pkg`, if there is one.
fn resolve(root: &Path, raw_path: &str) -> Option<PathBuf> {
    let segments = decode_segments(raw_path)?;
    let (folder, rest) = match segments.split_first() {
        Some((first, rest)) if first == "pkg" => ("pkg", rest),
        _ => ("www", segments.as_slice()),
    };
    let base = root.join(folder).canonicalize().ok()?;
    let candidate = rest.iter().fold(base.clone(), |path, s| path.join(s));
    let wants_folder = raw_path.ends_with('/');
    let chosen = if candidate.is_file() && !wants_folder {
        candidate
    } else if candidate.is_dir() {
        candidate.join("index.html")
    } else if !wants_folder && candidate.extension().is_none() {
        candidate.with_extension("html")
    } else {
        return None;
    };
    // NOTE: canonical paths also catch symlinks that lead out of the folder.
    let chosen = chosen.canonicalize().ok()?;
    (chosen.starts_with(&base) && chosen.is_file()).then_some(chosen)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

fn only_get(method: &Method) -> Option<Response> {
    (method != Method::GET && method != Method::HEAD).then(|| {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "method not allowed\n",
        )
            .into_response()
    })
}

/// Text is served as UTF-8 (the files are): said in the header, so no browser guesses.
fn with_charset(response: &mut Response) {
    let Some(media) = response.headers().get(header::CONTENT_TYPE) else {
        return;
    };
    // NOTE: text/javascript is the media type the HTML standard names for scripts.
    let media = match media.to_str().unwrap_or_default() {
        "application/javascript" => "text/javascript",
        other => other,
    };
    if media.starts_with("text/") && !media.contains("charset") {
        if let Ok(value) = HeaderValue::from_str(&format!("{media}; charset=utf-8")) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
    }
}

/// How long browsers may use a file without asking again. Pages: never (a new deployment shows
/// at once; `Last-Modified` makes the check a 304). The package and the site's assets: five
/// minutes, then revalidated — a page load fetches the tracker, the glue and the wasm together,
/// so a cached set always comes from one deployment.
fn cache_control(html: bool) -> &'static str {
    if html {
        "no-cache"
    } else {
        "public, max-age=300, must-revalidate"
    }
}

/// Whether a query string carries a LeadPulse form (its hidden `leadpulse-form` field): the
/// form was sent with GET, so what the visitor typed is in the address.
fn carries_a_form(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some(super::request::FORM_FIELD))
    })
}

/// A form sent with GET is refused, not processed: personal data does not travel in URLs (they
/// end up in logs, histories and referrers). The page says so to the person who sent it.
fn form_in_url() -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        axum::response::Html(
            "<!doctype html><meta charset=\"utf-8\"><title>Not sent</title>\
             <h1>Your request was not sent</h1><p>This form sent your details in the page \
             address, which we do not accept. Please go back and send it again; if this \
             happens again, tell us at the address on our site.</p>",
        ),
    )
        .into_response()
}

/// Files of the site and the package (the router's fallback).
pub async fn files(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Some(refusal) = only_get(request.method()) {
        return refusal;
    }
    if carries_a_form(request.uri().query()) {
        return form_in_url();
    }
    let Some(file) = resolve(&app.root, request.uri().path()) else {
        return not_found();
    };
    let html = file.extension().is_some_and(|e| e == "html");
    let cache = cache_control(html);
    let mut response = match ServeFile::new(&file).oneshot(request).await {
        Ok(response) => response.map(Body::new).into_response(),
        Err(e) => {
            tracing::error!("site: {}: {e}", file.display());
            return not_found();
        }
    };
    with_charset(&mut response);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let (true, Some(policy)) = (html, &app.csp) {
        if let Ok(value) = HeaderValue::from_str(policy) {
            response
                .headers_mut()
                .insert("content-security-policy", value);
        }
    }
    response
}

/// `GET /model.json`: the first `--model` (read on every request, so edits show at once),
/// else `www/model.json`, else the built-in model.
pub async fn model_document(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Some(refusal) = only_get(request.method()) {
        return refusal;
    }
    let bytes = match &app.model_file {
        Some(path) => std::fs::read(path).map_err(|e| {
            tracing::error!("site: reading the model failed: {e}");
        }),
        None => Ok(BUILTIN_JSON.as_bytes().to_vec()),
    };
    match bytes {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(()) => not_found(),
    }
}

/// `GET /model.lpm`: the site's model compiled for the browser build (`leadpulse compile`).
/// Its content hash is its ETag: a browser asks again every time (a changed model applies at
/// once) and gets a 304 while the model is the same.
pub async fn model_compiled(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Some(refusal) = only_get(request.method()) {
        return refusal;
    }
    let etag = format!("\"{}\"", app.model.hash);
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        compiled::encode_text(&app.model),
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plain_and_encoded_segments() {
        assert_eq!(decode_segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(
            decode_segments("/pkg//a%20b.js").unwrap(),
            ["pkg", "a b.js"]
        );
        assert_eq!(decode_segments("/caf%C3%A9").unwrap(), ["café"]);
    }

    #[test]
    fn refuses_traversal_and_hidden_files() {
        for bad in [
            "/../x",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2e%2fx",
            "/a%2f..%2f..%2fx",
            "/..%5cx",
            "/.env",
            "/a%00.html",
            "/C:%5cwindows",
            "/%zz",
            "/%c3",
            "/%",
            "/%252e%252e/x",
        ] {
            assert_eq!(decode_segments(bad), None, "{bad}");
        }
    }
}
