//! SOQL text: string literals escaped, and date-time literals (which take no quotes).
use leadpulse::core::time::format_iso;

/// `'text'` with `\` and `'` escaped (SOQL's rules for string literals).
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A date-time literal to the second (`2026-11-20T11:40:02Z`) for a time in milliseconds.
pub fn datetime_ms(ms: i64) -> String {
    let iso = format_iso(ms);
    format!("{}Z", iso.get(..19).unwrap_or(&iso))
}

/// The literal for a `LastModifiedDate` as the API gives it (`2026-11-20T11:40:02.000+0000`,
/// always UTC), to the second; `None` if it is not one.
pub fn datetime_of(value: &str) -> Option<String> {
    let second = value.get(..19)?;
    let ok = second.len() == 19 && second.as_bytes().get(10) == Some(&b'T');
    ok.then(|| format!("{second}Z"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(string("o'neil@example.com"), r"'o\'neil@example.com'");
        assert_eq!(string(r"a\b"), r"'a\\b'");
        assert_eq!(datetime_ms(1_767_225_600_500), "2026-01-01T00:00:00Z");
        assert_eq!(
            datetime_of("2026-11-20T11:40:02.000+0000").as_deref(),
            Some("2026-11-20T11:40:02Z")
        );
        assert_eq!(datetime_of("yesterday"), None);
    }
}
