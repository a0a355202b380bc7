//! Durations as people write them (`30s`, `15m`, `4h`, `1h 30m`): `--sla`, an owner rule's
//! `sla`, and how messages show a window.
use jiff::SignedDuration;

/// The longest window: a lead waiting longer than this is not a response time any more.
const MAX_MS: i64 = 30 * 24 * 3_600_000;

/// A window in milliseconds: at least a second, at most 30 days.
pub fn parse(text: &str) -> Result<i64, String> {
    let parsed: SignedDuration = text
        .trim()
        .parse()
        .map_err(|e| format!("'{text}' is not a duration such as 30s, 15m, 4h or 1h 30m ({e})"))?;
    let ms = i64::try_from(parsed.as_millis()).unwrap_or(i64::MAX);
    if !(1000..=MAX_MS).contains(&ms) {
        return Err(format!("'{text}': a window is from 1s to 30 days"));
    }
    Ok(ms)
}

/// `15m`, `4h`, `1h 30m`: as `parse` reads it back.
pub fn human(ms: i64) -> String {
    format!("{:#}", SignedDuration::from_millis(ms))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_windows() {
        assert_eq!(parse("30s").unwrap(), 30_000);
        assert_eq!(parse("15m").unwrap(), 900_000);
        assert_eq!(parse(" 4h ").unwrap(), 14_400_000);
        assert_eq!(parse("1h 30m").unwrap(), 5_400_000);
        for bad in ["", "15", "fast", "-5m", "0s", "500ms", "31d"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        for text in ["30s", "15m", "4h", "1h 30m"] {
            assert_eq!(
                parse(&human(parse(text).unwrap())).unwrap(),
                parse(text).unwrap()
            );
        }
        assert_eq!(human(900_000), "15m");
    }
}
