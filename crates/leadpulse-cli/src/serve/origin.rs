//! Which web pages may post to `/collect`: pages of this server, and the site origins given
//! with `--allow-origin`. CORS alone does not stop a browser from *sending*: `sendBeacon`,
//! `fetch(…, {mode: 'no-cors'})` and form posts are "simple" requests that go out whatever the
//! answer's headers say, so any site could make its visitors' browsers post forged summaries
//! from their addresses (past per-address limits). Browsers name the page's origin in the
//! `Origin` header of every POST; a request that names another origin, or `null` (sandboxed
//! frames, file: pages, some redirects), is refused here, before anything is read or stored.
//!
//! NOTE: this stops other sites from using visitors' browsers. It does not stop a script that
//! posts directly (it can send any `Origin` or none): signatures, trust checks and rate limits
//! are what meet that (docs/collector.md, "Who can post").
use axum::http::{header, HeaderMap, HeaderValue};

/// Why a request's `Origin` is refused, if it is.
pub fn refusal(headers: &HeaderMap, allowed: &[HeaderValue]) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?;
    if allowed.contains(origin) {
        return None;
    }
    let text = origin.to_str().unwrap_or_default();
    if same_origin(text, headers.get(header::HOST)) {
        return None;
    }
    Some(format!(
        "pages of {} may not post here (the collector's --allow-origin lists the sites that may)",
        if text.is_empty() {
            "an unreadable origin"
        } else {
            text
        }
    ))
}

/// Whether `origin` names this server: its host and port are the request's `Host`. (Behind
/// a TLS-terminating proxy the scheme differs, so only the authority is compared.)
fn same_origin(origin: &str, host: Option<&HeaderValue>) -> bool {
    let Some(host) = host.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| !a.is_empty() && a.eq_ignore_ascii_case(host))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            h.insert(header::ORIGIN, origin.parse().unwrap());
        }
        h
    }

    #[test]
    fn own_pages_listed_sites_and_non_browsers_may_post() {
        let allowed = ["https://www.example.com".parse().unwrap()];
        for (origin, host) in [
            (None, "leads.example.com"),
            (Some("https://www.example.com"), "leads.example.com"),
            (Some("http://127.0.0.1:8080"), "127.0.0.1:8080"),
            (Some("https://Leads.Example.com"), "leads.example.com"),
        ] {
            assert_eq!(
                refusal(&headers(origin, host), &allowed),
                None,
                "{origin:?}"
            );
        }
    }

    #[test]
    fn other_sites_and_null_are_refused() {
        let allowed = ["https://www.example.com".parse().unwrap()];
        for origin in [
            "https://evil.example",
            "null",
            "https://www.example.com.evil.example",
            "http://www.example.com",
            "http://127.0.0.1:8081",
        ] {
            let why = refusal(&headers(Some(origin), "127.0.0.1:8080"), &allowed);
            assert!(why.is_some_and(|w| w.contains(origin)), "{origin}");
        }
    }
}
