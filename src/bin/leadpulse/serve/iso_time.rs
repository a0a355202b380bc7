//! ISO-8601 UTC timestamps: formatting `receivedAt`, checking `firstSeen`/`qualifiedAt`.
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `2026-11-20T09:00:00.000Z`.
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// Date and time with seconds, optional fraction, and `Z` or a `±HH:MM` offset:
/// `2026-11-20T09:00:00.000Z`, `2026-11-20T10:00:00+01:00`.
pub fn is_iso_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return false;
    };
    let separators = sep(4, b'-') && sep(7, b'-') && sep(13, b':') && sep(16, b':');
    if !separators || !matches!(b.get(10), Some(b'T' | b't')) {
        return false;
    }
    let date_ok = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    if !date_ok || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some((b'.', fraction)) = rest.split_first() {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return false;
        }
        rest = fraction.get(digits..).unwrap_or_default();
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let all_digits = [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit());
            all_digits && (h1 - b'0') * 10 + (h2 - b'0') <= 23 && *m1 <= b'5'
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_ms(1_795_165_200_123), "2026-11-20T09:00:00.123Z");
    }

    #[test]
    fn accepts_iso_datetimes() {
        for ok in [
            "2026-11-20T09:00:00.000Z",
            "2026-11-20T09:00:00Z",
            "2024-02-29T23:59:59.123456+05:30",
            "2026-11-20T09:00:00-08:00",
        ] {
            assert!(is_iso_datetime(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_other_text() {
        for bad in [
            "",
            "2026-11-20",
            "2026-11-20 09:00:00Z",
            "2026-11-20T09:00:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-20T24:00:00Z",
            "2026-11-20T09:00:00.Z",
            "2026-11-20T09:00:00Zjunk",
            "2026-11-20T09:00:00+0100",
            "2026-11-20T09:00:00+01:60",
            "２０２６-11-20T09:00:00Z",
        ] {
            assert!(!is_iso_datetime(bad), "{bad}");
        }
    }
}
