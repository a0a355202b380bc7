//! What every contract reader shares (the received summary, the visitor's request): the JSON
//! object read strictly with the path of its first problem, and the checks of text and time
//! a person will see in a dashboard.
use serde::de::DeserializeOwned;

use crate::core::json::{Problem, ProblemKind};
use crate::core::text;
use crate::core::time;

/// A problem at a JSON path.
pub fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        kind: ProblemKind::Range,
        message: message.into(),
    }
}

/// `parent.key`, or `parent["odd key"]` when the key is not a plain name.
pub fn join(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", serde_json::Value::from(key)),
    }
}

/// A serde path the way every other problem names one: `traits["company.name"]`, `reasons[2]`.
pub fn path_text(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(String::new(), |at, segment| match segment {
            Segment::Seq { index } => format!("{at}[{index}]"),
            Segment::Map { key } | Segment::Enum { variant: key } => join(&at, key),
            Segment::Unknown => at,
        })
}

pub fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Text a person may see in a dashboard: bounded, and without control or reordering
/// characters (which the engine strips from everything it sends).
pub fn text(value: &str, path: &str, max: usize, empty_ok: bool) -> Result<(), Problem> {
    if value.is_empty() && !empty_ok {
        return Err(problem(path, "must not be empty"));
    }
    if value.len() > max {
        return Err(problem(path, format!("longer than {max} bytes")));
    }
    if text::printable(value) != value {
        return Err(problem(
            path,
            "contains control or direction-changing characters",
        ));
    }
    Ok(())
}

/// A time something happened: ISO-8601, from `first` to `now` (+ 10 minutes of clock skew).
pub fn when(
    value: &str,
    path: &str,
    now: time::Millis,
    first: time::Millis,
) -> Result<time::Millis, Problem> {
    let ms = time::parse_iso(value).ok_or_else(|| {
        problem(
            path,
            "expected an ISO-8601 date-time such as 2026-11-20T09:00:00.000Z",
        )
    })?;
    if ms < first || ms > now + 10 * time::MINUTE {
        return Err(problem(
            path,
            "not a plausible time (before 2000 or in the future)",
        ));
    }
    Ok(ms)
}

/// Reads a JSON object of type `T` (a contract: unknown fields refused) from at most `max`
/// bytes: the first problem, with its path and, for what is not an object, line and column.
pub fn read_object<T: DeserializeOwned>(
    bytes: &[u8],
    max: usize,
    what: &str,
) -> Result<T, Problem> {
    if bytes.len() > max {
        return Err(problem("", format!("larger than {max} bytes")));
    }
    // NOTE: serde would also read a struct from a JSON array of its fields in order (and
    // name the Rust type in its error); the contract is an object.
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let first = start.and_then(|i| bytes.get(i).copied());
    if let (Some(at), Some(first)) = (start, first.filter(|&b| b != b'{')) {
        let before = bytes.get(..at).unwrap_or_default();
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        let found = match first {
            b'[' => "an array",
            b'"' => "a string",
            b'-' | b'0'..=b'9' => "a number",
            b't' | b'f' => "a boolean",
            b'n' => "null",
            _ => "something that is not JSON",
        };
        return Err(Problem {
            path: String::new(),
            kind: ProblemKind::Type,
            message: format!(
                "expected a JSON object ({what}), found {found} at line {line} column {column}"
            ),
        });
    }
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = path_text(e.path());
        let message = e.into_inner().to_string();
        // NOTE: serde reports a missing field at its object; the path names the field.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(field, _)| field);
        Problem {
            path: missing.map_or(path.clone(), |field| join(&path, field)),
            kind: ProblemKind::Type,
            message,
        }
    })?;
    reader.end().map_err(|e| problem("", e.to_string()))?;
    Ok(value)
}
