//! Source attribution of a visit: referrer host and UTM parameters. Only these leave the
//! device (never full URLs).
use super::state::Touch;
use crate::core::text;

const UTM_KEYS: [&str; 5] = ["source", "medium", "campaign", "term", "content"];
const MAX_VALUE: usize = 64;

pub fn from_page(referrer: Option<&str>, search: Option<&str>) -> Touch {
    Touch {
        referrer: referrer.and_then(host),
        utm: search.map(utm).unwrap_or_default(),
    }
}

/// `https://www.google.com/search?q=x` → `www.google.com`.
fn host(url: &str) -> Option<String> {
    let rest = text::split_once(url, "://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    let host = text::printable(&text::lower(host));
    (!host.is_empty()).then(|| crate::core::event::truncate(host, MAX_VALUE))
}

fn utm(search: &str) -> Vec<(String, String)> {
    let query = search.strip_prefix('?').unwrap_or(search);
    let mut found = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(name) = key.strip_prefix("utm_").filter(|k| UTM_KEYS.contains(k)) else {
            continue;
        };
        // NOTE: printable: a decoded value can hold control characters (%00, %0A …), which
        // would bloat the summary as escapes and mislead whoever reads it.
        let value = text::printable(&percent_decode(value)).trim().to_string();
        let value = crate::core::event::truncate(value, MAX_VALUE);
        if !value.is_empty() && !found.iter().any(|(k, _): &(String, String)| k == name) {
            found.push((name.to_string(), value));
        }
    }
    found
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_host_and_utm_only() {
        let touch = from_page(
            Some("https://user@www.Google.com:443/search?q=secret"),
            Some("?utm_source=google&utm_medium=cpc&utm_campaign=q4%20launch&gclid=xyz&utm_source=dup"),
        );
        assert_eq!(touch.referrer.as_deref(), Some("www.google.com"));
        assert_eq!(
            touch.utm,
            vec![
                ("source".into(), "google".into()),
                ("medium".into(), "cpc".into()),
                ("campaign".into(), "q4 launch".into())
            ]
        );
    }

    #[test]
    fn direct_visits_have_no_source() {
        assert_eq!(from_page(None, None), Touch::default());
        assert_eq!(from_page(Some("not a url"), Some("?a=b")), Touch::default());
    }
}
