//! Text matching: case-insensitive comparison and substring search.
//!
//! NOTE: in-house rather than `str::to_lowercase` and `str::contains(&str)`: those link the
//! standard library's Unicode case tables and its two-way string searcher, a sizeable part
//! of the wasm module for the short texts compared here. The lowercase mapping is Unicode's
//! (from a compact table, checked against the standard library for every character), with
//! one deliberate difference: final sigma. `str::to_lowercase` writes `ς` for a word-final
//! `Σ` and `σ` elsewhere; here both sigmas become `σ`, so that Greek text matches however
//! its sigmas were written.
mod case_table;

use std::borrow::Cow;

use case_table::RANGES;

/// [`lower`], borrowing `text` when it has no upper case ASCII and nothing else (the usual
/// trait value or answer).
pub fn lowered(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(lower(text))
    }
}

/// Lower-cased `text` for case-insensitive matching; allocation-light for ASCII.
pub fn lower(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // The one character whose lowercase is two: İ → i + combining dot above.
            '\u{130}' => out.push_str("i\u{307}"),
            c => out.push(lower_char(c)),
        }
    }
    out
}

/// One character's simple lowercase mapping (final sigma folded to `σ`).
pub fn lower_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if c == 'ς' {
        return 'σ';
    }
    let code = u32::from(c);
    let run = RANGES.partition_point(|&(packed, _)| packed >> 11 <= code);
    let Some(&(packed, delta)) = run.checked_sub(1).and_then(|i| RANGES.get(i)) else {
        return c;
    };
    let (start, count, stride) = (packed >> 11, ((packed >> 1) & 0x3ff) + 1, (packed & 1) + 1);
    let offset = code - start;
    if offset < count * stride && offset % stride == 0 {
        code.checked_add_signed(delta)
            .and_then(char::from_u32)
            .unwrap_or(c)
    } else {
        c
    }
}

/// `text` without control characters (C0, DEL, C1; line breaks and tabs become spaces) and
/// without the invisible characters that reorder or hide text (bidirectional overrides and
/// isolates, marks, zero-width joiners): what a person typed, safe to show a sales rep and
/// small to send.
pub fn printable(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if hidden(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Case-insensitive equality; allocation-free for ASCII (the hot path).
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        lower(a) == lower(b)
    }
}

/// The first byte offset at or after `from` where `needle` occurs in `haystack`.
/// Naive search: the texts are short (titles, user agents, paths).
pub fn find(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return (from <= h.len()).then_some(from);
    };
    // NOTE: the first byte is compared before the rest: most positions fail there.
    (from..=h.len().checked_sub(n.len())?)
        .find(|&i| h.get(i) == Some(&first) && h.get(i..).is_some_and(|t| t.starts_with(n)))
}

pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle, 0).is_some()
}

/// `(before, after)` around the first `separator`.
pub fn split_once<'t>(text: &'t str, separator: &str) -> Option<(&'t str, &'t str)> {
    let at = find(text, separator, 0)?;
    Some((text.get(..at)?, text.get(at + separator.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character maps as `char::to_lowercase` maps it (bar the documented sigma).
    #[test]
    fn table_matches_the_standard_library() {
        let mut mismatches = Vec::new();
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            let mut std_lower = c.to_lowercase();
            let expected = match (std_lower.next(), std_lower.next()) {
                (Some(one), None) => one,
                _ => continue, // İ: handled by `lower`, checked below
            };
            let expected = if expected == 'ς' { 'σ' } else { expected };
            if lower_char(c) != expected {
                mismatches.push(c);
            }
        }
        assert!(
            mismatches.is_empty(),
            "{} characters map differently from the standard library (first: {:?}); \
             regenerate case_table.rs",
            mismatches.len(),
            mismatches.first()
        );
        assert_eq!(lower("İSTANBUL Ärger ΟΔΟΣ ς"), "i̇stanbul ärger οδοσ σ");
        assert_eq!(lower("Straße ẞ"), "straße ß");
    }

    #[test]
    fn printable_drops_control_and_reordering_characters() {
        assert_eq!(printable("plain text"), "plain text");
        assert_eq!(
            printable("a\u{0}b\nc\u{202E}d\u{2066}e\u{200B}f\u{7f}"),
            "ab cdef"
        );
        assert_eq!(printable("ünïcödé ✓"), "ünïcödé ✓");
    }

    #[test]
    fn comparisons_and_searches() {
        assert!(eq_ignore_case("VP Sales", "vp sales"));
        assert!(eq_ignore_case("GESCHÄFTSFÜHRER", "geschäftsführer"));
        assert!(!eq_ignore_case("a", "b"));
        assert_eq!(find("acting cto, cto", "cto", 0), Some(7));
        assert_eq!(find("acting cto, cto", "cto", 8), Some(12));
        assert_eq!(find("ab", "abc", 0), None);
        assert_eq!(find("ab", "", 2), Some(2));
        assert_eq!(find("ab", "b", 5), None);
        assert_eq!(
            split_once("https://x.io/a", "://"),
            Some(("https", "x.io/a"))
        );
        assert_eq!(split_once("x", "://"), None);
    }
}
