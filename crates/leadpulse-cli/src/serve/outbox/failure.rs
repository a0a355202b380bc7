//! Why an attempt failed, and what that means for the delivery: tried again (after the
//! backoff, or when the receiver said with `Retry-After`), or dead at once.
use std::time::{Duration, SystemTime};

use axum::http::{header, HeaderMap, StatusCode};

/// The longest `Retry-After` honoured: a receiver cannot park its queue for a day.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Why an attempt failed, and whether trying again can help.
#[derive(Debug)]
pub struct Failure {
    pub error: String,
    /// The receiver said the delivery will never be taken (docs/collector.md, "Outbox").
    pub permanent: bool,
    /// The receiver asked to be left alone this long (429 or 503 with `Retry-After`): the
    /// delivery's next attempt, and its receiver's whole queue, wait for it.
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// A failure that trying again may mend (a connection refused, a timeout).
    pub fn transient(error: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            permanent: false,
            retry_after: None,
        }
    }

    /// A receiver's answer that was not a 2xx: `what` says it in words (with the API's own
    /// message where it gave one).
    pub fn answer(status: StatusCode, headers: &HeaderMap, what: String) -> Failure {
        Failure {
            error: what,
            permanent: permanent(status.as_u16()),
            retry_after: matches!(status.as_u16(), 429 | 503)
                .then(|| retry_after(headers, SystemTime::now()))
                .flatten(),
        }
    }
}

/// Answers that no retry can change: the URL is gone or wrong, or the receiver refuses this
/// request as such. 408, 409, 425, 429 and every 5xx are worth another attempt.
pub fn permanent(status: u16) -> bool {
    matches!(status, 400 | 401 | 403 | 404 | 405 | 410 | 413 | 415 | 422)
}

/// `Retry-After` (RFC 9110, 10.2.3): seconds, or an HTTP date; at most [`MAX_RETRY_AFTER`].
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or_default(),
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// `HTTP 404 Not Found`.
pub fn status_line(status: StatusCode) -> String {
    format!(
        "HTTP {}{}",
        status.as_u16(),
        status
            .canonical_reason()
            .map(|r| format!(" {r}"))
            .unwrap_or_default()
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn gone_and_refused_are_permanent_busy_is_not() {
        for status in [400, 401, 403, 404, 410, 422] {
            assert!(permanent(status), "{status}");
        }
        for status in [408, 409, 429, 500, 502, 503] {
            assert!(!permanent(status), "{status}");
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_and_never_a_day() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        // 2026-01-01T00:00:30Z, 30 s after `now`.
        headers.insert(
            header::RETRY_AFTER,
            "Thu, 01 Jan 2026 00:00:30 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        headers.insert(header::RETRY_AFTER, "86400".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(MAX_RETRY_AFTER));
        headers.insert(header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn only_busy_answers_carry_a_wait() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, "3".parse().unwrap());
        let busy = Failure::answer(StatusCode::TOO_MANY_REQUESTS, &headers, "busy".into());
        assert_eq!(
            (busy.permanent, busy.retry_after),
            (false, Some(Duration::from_secs(3)))
        );
        let refused = Failure::answer(StatusCode::BAD_REQUEST, &headers, "no".into());
        assert_eq!((refused.permanent, refused.retry_after), (true, None));
    }
}
