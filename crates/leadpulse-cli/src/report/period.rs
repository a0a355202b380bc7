//! The report's period: `--from`/`--to` as days (UTC) or instants, and ISO weeks for the
//! trend.
use leadpulse::core::time::{self, format_iso, Millis, DAY};

/// The start of `--from`: a day's midnight (UTC), an ISO-8601 time, or epoch milliseconds.
pub fn start(text: &str) -> Result<Millis, String> {
    instant(text)
}

/// The (exclusive) end of `--to`: a day (`2026-03-31`) includes that whole day; a time is
/// the end itself.
pub fn end(text: &str) -> Result<Millis, String> {
    let at = instant(text)?;
    Ok(if text.trim().len() == 10 {
        at + DAY
    } else {
        at
    })
}

fn instant(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    text.parse::<i64>()
        .ok()
        .or_else(|| time::parse_iso(text))
        .ok_or_else(|| {
            format!("'{text}' is not a date (YYYY-MM-DD), an ISO-8601 time or epoch milliseconds")
        })
}

/// Monday 00:00 UTC of the week holding `at`.
pub fn week_start(at: Millis) -> Millis {
    let day = at.div_euclid(DAY);
    // NOTE: 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0.
    let weekday = (day + 3).rem_euclid(7);
    (day - weekday) * DAY
}

/// The ISO week of a Monday: `2026-W10` (the year of its Thursday).
pub fn week_label(monday: Millis) -> String {
    let thursday = monday + 3 * DAY;
    let date = format_iso(thursday);
    let year = date.get(..4).unwrap_or("0000");
    let january = time::parse_iso(&format!("{year}-01-01")).unwrap_or(thursday);
    let week = (thursday - january).div_euclid(DAY) / 7 + 1;
    format!("{year}-W{week:02}")
}

/// `YYYY-MM-DD` of an instant.
pub fn day(at: Millis) -> String {
    format_iso(at).get(..10).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_weeks_and_labels() {
        let monday = time::parse_iso("2026-03-02").unwrap();
        assert_eq!(week_start(monday + 3 * DAY + 5), monday);
        assert_eq!(week_start(monday - 1), monday - 7 * DAY);
        assert_eq!(week_label(monday), "2026-W10");
        assert_eq!(
            week_label(time::parse_iso("2024-12-30").unwrap()),
            "2025-W01"
        );
        assert_eq!(
            end("2026-03-31").unwrap(),
            time::parse_iso("2026-04-01").unwrap()
        );
        assert_eq!(
            end("2026-03-31T12:00:00Z").unwrap(),
            time::parse_iso("2026-03-31T12:00:00Z").unwrap()
        );
        assert!(start("March").is_err());
    }
}
