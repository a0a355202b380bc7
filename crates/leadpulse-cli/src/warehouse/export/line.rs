//! One JSONL line as the values of the Parquet columns `export` writes. What a column cannot
//! hold is refused here, naming the field, so that the Parquet history never reads otherwise
//! than the JSONL one: a top-level field that is not a string where the column is one, a
//! timestamp that is not a time (the timestamp column holds milliseconds). Anything else —
//! a page without a path, an unknown type — is written as it is, and the reader refuses it
//! in the Parquet history as it does on the JSONL line.
use leadpulse::core::time;
use serde_json::{Map, Value};

/// The nested parts, in column order.
pub const PARTS: [&str; 3] = ["properties", "traits", "context"];

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Line {
    pub kind: Option<String>,
    pub anonymous_id: Option<String>,
    pub user_id: Option<String>,
    pub timestamp: Option<i64>,
    pub message_id: Option<String>,
    pub event: Option<String>,
    /// `properties`, `traits`, `context` (absent or null: `None`).
    pub parts: [Option<Value>; 3],
}

impl Line {
    /// The line's columns, or why Parquet cannot hold it (`Ok(None)`: a blank line).
    pub fn parse(text: &str) -> Result<Option<Line>, String> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(object) = value else {
            return Err("not a JSON object".into());
        };
        let string = |key: &str| string(&object, key);
        let mut parts: [Option<Value>; 3] = Default::default();
        for (slot, key) in parts.iter_mut().zip(PARTS) {
            *slot = object.get(key).filter(|v| !v.is_null()).cloned();
        }
        Ok(Some(Line {
            kind: string("type")?,
            anonymous_id: string("anonymousId")?,
            user_id: string("userId")?,
            timestamp: timestamp(object.get("timestamp"))?,
            message_id: string("messageId")?,
            event: string("event")?,
            parts,
        }))
    }
}

fn string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!(
            "{key} is {}; its Parquet column holds strings",
            kind(other)
        )),
    }
}

fn timestamp(value: Option<&Value>) -> Result<Option<i64>, String> {
    let refuse = || {
        "timestamp is not an ISO-8601 time or whole epoch milliseconds; its Parquet column holds times"
            .to_string()
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => time::parse_iso(text).map(Some).ok_or_else(refuse),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(ms), _) => Ok(Some(ms)),
            (None, Some(ms)) if ms.fract() == 0.0 && ms.abs() < 9.0e18 => Ok(Some(ms as i64)),
            _ => Err(refuse()),
        },
        Some(_) => Err(refuse()),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_column_cannot_hold_is_refused_by_name() {
        let line = |t: &str| Line::parse(t);
        assert_eq!(line("  ").unwrap(), None);
        assert!(line(r#"{"type":"page","anonymousId":42}"#)
            .unwrap_err()
            .contains("anonymousId is a number"));
        assert!(line(r#"{"type":"page","timestamp":"yesterday"}"#)
            .unwrap_err()
            .starts_with("timestamp is not"));
        let ok = line(r#"{"type":"page","timestamp":"2026-11-10T09:00:00Z","properties":{"path":"/"},"traits":null}"#)
            .unwrap()
            .unwrap();
        assert_eq!(ok.timestamp, time::parse_iso("2026-11-10T09:00:00Z"));
        assert!(ok.parts[0].is_some() && ok.parts[1].is_none());
    }
}
