//! Trait and answer values: a string, a number or a boolean.
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{truncate, EventError, MAX_ANSWER_LEN};
use crate::core::json::{FromJson, Problem, ProblemKind, Problems, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Scalar {
    /// The text form used for matching and summaries (`true`, `250`, `VP Sales`).
    pub fn as_text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => format_number(*n),
            Scalar::Bool(b) => String::from(if *b { "true" } else { "false" }),
        }
    }

    /// [`Scalar::as_text`], borrowed when it is text (the usual case).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Scalar::Text(s) => std::borrow::Cow::Borrowed(s),
            other => std::borrow::Cow::Owned(other.as_text()),
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Scalar::Number(n) => Some(*n),
            Scalar::Text(s) => crate::core::number::parse(s),
            Scalar::Bool(_) => None,
        }
    }

    /// An answer value: text is trimmed, must not be empty and is cut to
    /// [`MAX_ANSWER_LEN`] bytes; numbers must be finite.
    pub fn answer(value: &Value, path: &str) -> Result<Scalar, EventError> {
        let problem = |kind, message: &str| Problem {
            path: path.to_string(),
            kind,
            message: message.to_string(),
        };
        match value {
            Value::String(s) if crate::core::text::printable(s).trim().is_empty() => {
                Err(problem(ProblemKind::Range, "must not be empty"))
            }
            Value::String(s) => Ok(Scalar::Text(truncate(s.trim().to_string(), MAX_ANSWER_LEN))),
            Value::Number(n) => Ok(Scalar::Number(*n)),
            Value::Bool(b) => Ok(Scalar::Bool(*b)),
            Value::Null => Err(problem(ProblemKind::Missing, "required field is missing")),
            other => Err(problem(
                ProblemKind::Type,
                &format!(
                    "expected a string, number or boolean, found {}",
                    other.type_name()
                ),
            )),
        }
    }
}

/// A number as text, for matching and messages: `250` rather than `250.0`; a fraction with
/// at most six decimals (`0.5`, `1.333333`); very large or small magnitudes as `1.5e20`.
///
/// NOTE: not `f64`'s `Display`, whose exact shortest-digits machinery (Grisu and Dragon with
/// their tables, ≈ 20 KB) would be most of what the browser's wasm spends on numbers; six
/// decimals tell apart every value a model compares, and every runtime prints the same.
pub fn format_number(n: f64) -> String {
    if !n.is_finite() {
        return String::from("NaN");
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    if a.fract() == 0.0 && a < 9e18 {
        return format!("{sign}{}", a as u64);
    }
    if !(1e-6..1e15).contains(&a) {
        let exponent = a.log10().floor() as i32;
        let mantissa = a / 10f64.powi(exponent);
        return format!("{sign}{}e{exponent}", decimals(mantissa));
    }
    format!("{sign}{}", decimals(a))
}

/// `a` (≥ 0, < 1e15) with at most six decimals, trailing zeros dropped.
fn decimals(a: f64) -> String {
    let scaled = (a * 1e6).round() as u64;
    let (whole, fraction) = (scaled / 1_000_000, scaled % 1_000_000);
    if fraction == 0 {
        return whole.to_string();
    }
    let mut digits = format!("{fraction:06}");
    while digits.ends_with('0') {
        digits.pop();
    }
    format!("{whole}.{digits}")
}

impl FromJson for Scalar {
    fn quick(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            Value::Number(n) => Some(Scalar::Number(*n)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => None,
        }
    }
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        Self::quick(value).or_else(|| {
            problems.add(
                path,
                ProblemKind::Type,
                format!(
                    "expected a string, number or boolean, found {}",
                    value.type_name()
                ),
            );
            None
        })
    }
}

// NOTE: a plain JSON value in human-readable formats (summaries, snapshots, JS); a tagged
// value in compact ones (compiled models), which cannot tell the three apart by looking.
impl Serialize for Scalar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            match self {
                Scalar::Text(s) => serializer.serialize_str(s),
                Scalar::Number(n) => serializer.serialize_f64(*n),
                Scalar::Bool(b) => serializer.serialize_bool(*b),
            }
        } else {
            match self {
                Scalar::Text(s) => serializer.serialize_newtype_variant("Scalar", 0, "Text", s),
                Scalar::Number(n) => serializer.serialize_newtype_variant("Scalar", 1, "Number", n),
                Scalar::Bool(b) => serializer.serialize_newtype_variant("Scalar", 2, "Bool", b),
            }
        }
    }
}

#[derive(Deserialize)]
enum Tagged {
    Text(String),
    Number(f64),
    Bool(bool),
}

struct Plain;

impl Visitor<'_> for Plain {
    type Value = Scalar;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(s.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Scalar, E> {
        Ok(Scalar::Number(n))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(n as f64))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(n as f64))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(b))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_any(Plain)
        } else {
            Ok(match Tagged::deserialize(deserializer)? {
                Tagged::Text(s) => Scalar::Text(s),
                Tagged::Number(n) => Scalar::Number(n),
                Tagged::Bool(b) => Scalar::Bool(b),
            })
        }
    }
}
