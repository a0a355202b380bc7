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

/// The longest pattern matched (bytes). Longer ones match nothing; the model reader refuses
/// them, so a model never has one.
pub const MAX_PATTERN: usize = 256;

/// Pattern positions, one bit each: the states of the matcher.
#[derive(Clone, Copy, Default)]
struct States([u64; MAX_PATTERN / 64 + 1]);

impl States {
    fn set(&mut self, i: usize) {
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    fn has(&self, i: usize) -> bool {
        self.0
            .get(i / 64)
            .is_some_and(|word| word & (1 << (i % 64)) != 0)
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }
}

/// The wildcard at pattern position `i`, and how many bytes it takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `**`: any bytes.
    AnyDepth,
    /// `*`: any bytes but `/`.
    Star,
    Byte(u8),
}

fn token(pattern: &[u8], i: usize) -> Option<(Token, usize)> {
    match pattern.get(i..)? {
        [b'*', b'*', ..] => Some((Token::AnyDepth, 2)),
        [b'*', ..] => Some((Token::Star, 1)),
        [c, ..] => Some((Token::Byte(*c), 1)),
        [] => None,
    }
}

/// Adds, in place, the positions reachable from `states` by letting wildcards match nothing.
/// Wildcards only lead forward, so one pass in order is enough.
fn close(pattern: &[u8], states: &mut States) {
    let mut i = 0;
    while let Some((token, len)) = token(pattern, i) {
        if states.has(i) && !matches!(token, Token::Byte(_)) {
            states.set(i + len);
        }
        i += len;
    }
}

/// Whether `text` matches `pattern`. The literal head of the pattern (up to its first
/// wildcard) is compared directly, and the commonest tails (none, `**`, `*`) need no
/// automaton: every rule is tried on every page view, and most patterns are a literal path
/// or a literal prefix. NOTE: running the automaton for every rule doubled the engine's
/// per-event cost (`cargo bench --bench engine`: 1.69 → 2.51 µs; replay of parsed events
/// 1.04 → 0.54 M/s); with this head and tail it is back to the figures in docs/performance.md.
fn match_from(pattern: &[u8], text: &[u8]) -> bool {
    if pattern.len() > MAX_PATTERN {
        return false;
    }
    let head = pattern
        .iter()
        .position(|&b| b == b'*')
        .unwrap_or(pattern.len());
    let (literal, rest) = pattern.split_at(head);
    let Some(text_rest) = text
        .get(..head)
        .filter(|start| start.eq_ignore_ascii_case(literal))
        .and_then(|_| text.get(head..))
    else {
        return false;
    };
    match rest {
        [] => text_rest.is_empty(),
        b"**" => true,
        b"*" => !text_rest.contains(&b'/'),
        _ => run_automaton(rest, text_rest),
    }
}

/// Runs the pattern as an automaton over the text, all live positions at once: O(text ×
/// pattern), never exponential. NOTE: a backtracking matcher took 16.8 s for `/*a*a*a*a*b`
/// on a 200-character path; this one takes microseconds (tests below).
fn run_automaton(pattern: &[u8], text: &[u8]) -> bool {
    let mut current = States::default();
    current.set(0);
    close(pattern, &mut current);
    for &c in text {
        let mut next = States::default();
        let mut i = 0;
        while let Some((token, len)) = token(pattern, i) {
            if current.has(i) {
                match token {
                    Token::AnyDepth => next.set(i),
                    Token::Star if c != b'/' => next.set(i),
                    Token::Star => {}
                    Token::Byte(p) if p.eq_ignore_ascii_case(&c) => next.set(i + len),
                    Token::Byte(_) => {}
                }
            }
            i += len;
        }
        if next.is_empty() {
            return false;
        }
        close(pattern, &mut next);
        current = next;
    }
    current.has(pattern.len())
}

#[cfg(test)]
mod tests {
    use super::{matches, MAX_PATTERN};

    /// The definition, by backtracking: exponential on hostile patterns, so only for short
    /// inputs, as the reference the automaton must agree with.
    fn reference(pattern: &[u8], text: &[u8]) -> bool {
        match pattern {
            [] => text.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=text.len()).any(|skip| reference(rest, &text[skip..])),
            [b'*', rest @ ..] => {
                let end = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
                (0..=end).any(|skip| reference(rest, &text[skip..]))
            }
            [p, rest @ ..] => match text {
                [t, text_rest @ ..] if p.eq_ignore_ascii_case(t) => reference(rest, text_rest),
                _ => false,
            },
        }
    }

    #[test]
    fn agrees_with_the_backtracking_definition() {
        let alphabet = [b'a', b'B', b'/', b'*'];
        let words = |len: usize| {
            (0..alphabet.len().pow(len as u32)).map(move |mut n| {
                (0..len)
                    .map(|_| {
                        let c = alphabet[n % alphabet.len()];
                        n /= alphabet.len();
                        c
                    })
                    .collect::<Vec<u8>>()
            })
        };
        for pattern_len in 0..=5 {
            for pattern in words(pattern_len) {
                for text_len in 0..=5 {
                    for text in words(text_len).filter(|t| !t.contains(&b'*')) {
                        assert_eq!(
                            super::match_from(&pattern, &text),
                            reference(&pattern, &text),
                            "{:?} on {:?}",
                            String::from_utf8_lossy(&pattern),
                            String::from_utf8_lossy(&text)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn hostile_patterns_take_linear_time() {
        let long = format!("/{}", "a".repeat(2000));
        let short = format!("/{}", "a".repeat(200));
        assert!(!matches("/**/**/**/**/pricing", &long));
        assert!(!matches("/*a*a*a*a*b", &short));
        assert!(matches("/*a*a*a*a*", &short));
        assert!(!matches("**a**a**a**a**a**a**b", &long));
    }

    #[test]
    fn patterns_over_the_limit_match_nothing() {
        let pattern = format!("/{}", "*".repeat(MAX_PATTERN));
        assert!(!matches(&pattern, "/a"));
    }

    #[test]
    fn single_star_stays_in_a_segment() {
        assert!(matches("/blog/*", "/blog/how-to-score"));
        assert!(!matches("/blog/*", "/blog/2026/how-to-score"));
        assert!(matches(
            "/case-studies/*",
            "/case-studies/acme?utm_source=x"
        ));
        assert!(matches("/a*b*c", "/aXbYc"));
        assert!(!matches("/a*b*c", "/aX/bYc"));
    }

    #[test]
    fn double_star_crosses_segments() {
        assert!(matches("/docs/**", "/docs/a/b/c"));
        assert!(matches("**/pricing", "/en/pricing"));
        assert!(matches("/a**c", "/aX/bYc"));
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
