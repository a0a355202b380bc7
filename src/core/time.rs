//! Epoch milliseconds ⇄ ISO-8601 (UTC), without a clock or a date crate.
//!
//! The core never reads the time; callers pass it in as epoch milliseconds.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// Earliest and latest instants the engine accepts (years 1970..=9999): keeps all
/// arithmetic on times far from overflow.
pub const MIN_TIME: Millis = 0;
/// Earliest event time accepted (2000-01-01): what summaries report must be plausible to a
/// collector, and no web history is older.
pub const FIRST_EVENT: Millis = 946_684_800_000;
pub const MAX_TIME: Millis = 253_402_300_799_999;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM]` (also `YYYY-MM-DD`, and a space for `T`).
pub fn parse_iso(text: &str) -> Option<Millis> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * DAY;
    if b.len() == 10 {
        return in_range(millis);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    let second = if b.get(16) == Some(&b':') {
        num(17, 2)?
    } else {
        0
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += hour * HOUR + minute * MINUTE + second.min(59) * SECOND;
    let mut pos = if b.get(16) == Some(&b':') { 19 } else { 16 };
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        let mut fraction = 0i64;
        while let Some(d) = b.get(pos).filter(|d| d.is_ascii_digit()) {
            if pos - start < 3 {
                fraction = fraction * 10 + i64::from(d - b'0');
            }
            pos += 1;
        }
        if pos == start {
            return None;
        }
        for _ in (pos - start)..3 {
            fraction *= 10;
        }
        millis += fraction;
    }
    match b.get(pos..)? {
        [] | [b'Z' | b'z'] => {}
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let offset = match rest {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    let digit = |d: &u8| d.is_ascii_digit().then(|| i64::from(d - b'0'));
                    let hours = digit(h1)? * 10 + digit(h2)?;
                    let minutes = digit(m1)? * 10 + digit(m2)?;
                    if hours > 23 || minutes > 59 {
                        return None;
                    }
                    hours * HOUR + minutes * MINUTE
                }
                [h1, h2] if h1.is_ascii_digit() && h2.is_ascii_digit() => {
                    i64::from((h1 - b'0') * 10 + (h2 - b'0')) * HOUR
                }
                _ => return None,
            };
            millis += if *sign == b'+' { -offset } else { offset };
        }
        _ => return None,
    }
    in_range(millis)
}

/// Formats as `YYYY-MM-DDTHH:MM:SS.mmmZ` (what `Date.prototype.toISOString` prints).
pub fn format_iso(millis: Millis) -> String {
    let millis = millis.clamp(MIN_TIME, MAX_TIME);
    let (days, in_day) = (millis.div_euclid(DAY), millis.rem_euclid(DAY));
    let (year, month, day) = civil_from_days(days);
    // NOTE: digit by digit rather than `format!`: this runs for every snapshot.
    let fields = [
        (year, 4, "-"),
        (month, 2, "-"),
        (day, 2, "T"),
        (in_day / HOUR, 2, ":"),
        (in_day % HOUR / MINUTE, 2, ":"),
        (in_day % MINUTE / SECOND, 2, "."),
        (in_day % SECOND, 3, "Z"),
    ];
    let mut bytes = Vec::with_capacity(24);
    for (value, width, separator) in fields {
        for power in (0..width).rev() {
            bytes.push(b'0' + (value / 10i64.pow(power) % 10) as u8);
        }
        bytes.extend_from_slice(separator.as_bytes());
    }
    String::from_utf8(bytes).unwrap_or_default()
}

fn in_range(millis: Millis) -> Option<Millis> {
    (MIN_TIME..=MAX_TIME).contains(&millis).then_some(millis)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// NOTE: Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for the proleptic
// Gregorian calendar, no tables.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        let t = parse_iso("2026-11-20T09:30:15.250Z").unwrap();
        assert_eq!(format_iso(t), "2026-11-20T09:30:15.250Z");
        assert_eq!(parse_iso("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso("2024-02-29"),
            Some(days_from_civil(2024, 2, 29) * DAY)
        );
    }

    #[test]
    fn applies_offsets_and_fractions() {
        let utc = parse_iso("2026-03-01T10:00:00Z").unwrap();
        assert_eq!(parse_iso("2026-03-01T12:00:00+02:00"), Some(utc));
        assert_eq!(parse_iso("2026-03-01T05:30:00-0430"), Some(utc));
        assert_eq!(parse_iso("2026-03-01T10:00:00.123456Z"), Some(utc + 123));
        assert_eq!(parse_iso("2026-03-01T10:00:00.1Z"), Some(utc + 100));
        assert_eq!(parse_iso("2026-03-01 10:00"), Some(utc));
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2023-02-29",
            "2026-01-01T25:00:00Z",
            "2026-01-01T10:00:00X",
            "2026-01-01T10:00:00.Z",
            "20260101",
            "1969-12-31T23:59:59Z",
            "2026-01-01T10:00:00+99:00",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }
}
