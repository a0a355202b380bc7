//! Path globs for page rules: `*` matches within one path segment, `**` across segments.
//!
//! `/pricing` matches `/pricing` and `/pricing/` (a trailing slash is not a different page);
//! `/blog/*` matches `/blog/post` but not `/blog/a/b`; `/docs/**` matches everything under `/docs/`.

/// Whether `path` (without query or fragment) matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let path = normalize(path);
    let pattern = normalize(pattern);
    match_from(pattern.as_bytes(), path.as_bytes())
}

/// Like [`matches`], for a pattern and a path already normalized (the model normalizes its
/// patterns at load, events their paths at parse): the engine's hot path.
pub fn matches_normalized(pattern: &str, path: &str) -> bool {
    match_from(pattern.as_bytes(), path.as_bytes())
}

/// Strips the query, the fragment and a trailing slash (except for the root).
pub fn normalize(path: &str) -> &str {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let path = path.get(..end).unwrap_or(path);
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => path,
    }
}

fn match_from(pattern: &[u8], text: &[u8]) -> bool {
    match pattern {
        [] => text.is_empty(),
        [b'*', b'*', rest @ ..] => {
            (0..=text.len()).any(|skip| text.get(skip..).is_some_and(|t| match_from(rest, t)))
        }
        [b'*', rest @ ..] => {
            let segment_end = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
            (0..=segment_end).any(|skip| text.get(skip..).is_some_and(|t| match_from(rest, t)))
        }
        [p, rest @ ..] => match text {
            [t, text_rest @ ..] if p.eq_ignore_ascii_case(t) => match_from(rest, text_rest),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn single_star_stays_in_a_segment() {
        assert!(matches("/blog/*", "/blog/how-to-score"));
        assert!(!matches("/blog/*", "/blog/2026/how-to-score"));
        assert!(matches(
            "/case-studies/*",
            "/case-studies/acme?utm_source=x"
        ));
    }

    #[test]
    fn double_star_crosses_segments() {
        assert!(matches("/docs/**", "/docs/a/b/c"));
        assert!(matches("**/pricing", "/en/pricing"));
    }

    #[test]
    fn exact_paths_ignore_trailing_slash_case_and_fragment() {
        assert!(matches("/pricing", "/pricing/"));
        assert!(matches("/pricing", "/Pricing#plans"));
        assert!(!matches("/pricing", "/pricing-old"));
        assert!(matches("/", "/"));
        assert!(!matches("/", "/blog"));
    }
}
