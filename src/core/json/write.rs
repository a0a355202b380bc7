//! Writing JSON text: the engine's outputs ([`ToJson`]) and the canonical form of a model.
//!
//! Output matches what serde_json printed before this module replaced it: compact, keys in
//! the order the types write them, strings escaped as serde_json escapes them, integers
//! without a fraction and f64 values in serde_json's shortest form (`10.0`, `0.5`, `1e+21`).
// NOTE: this module pushes `&str`s, never `char`s: in a size-optimised wasm build
// `String::push` is an out-of-line UTF-8 encoder, and the writer is on the per-event path.
#![allow(clippy::single_char_add_str)]

use super::float;
use super::value::{sorted_members, Value};
use crate::core::sorted_map::SortedMap;

/// A type that writes itself as JSON text.
pub trait ToJson {
    fn write_json(&self, out: &mut String);

    fn to_json(&self) -> String {
        let mut out = String::with_capacity(1024);
        self.write_json(&mut out);
        out
    }
}

/// Writes an object's members in the order they are added: `{"a":1,"b":null}`.
pub struct ObjectWriter<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> ObjectWriter<'o> {
    /// Opens the object; [`ObjectWriter::end`] closes it.
    pub fn new(out: &'o mut String) -> Self {
        out.push_str("{");
        ObjectWriter { out, empty: true }
    }

    /// A member whose key is a name from the code (`"score"`): written as is, unescaped.
    pub fn field(&mut self, key: &'static str, value: &(impl ToJson + ?Sized)) -> &mut Self {
        self.out.push_str(if self.empty { "\"" } else { ",\"" });
        self.empty = false;
        self.out.push_str(key);
        self.out.push_str("\":");
        value.write_json(self.out);
        self
    }

    /// A member whose key is data (a map's key): escaped.
    pub fn entry(&mut self, key: &str, value: &(impl ToJson + ?Sized)) -> &mut Self {
        if !self.empty {
            self.out.push_str(",");
        }
        self.empty = false;
        write_string(self.out, key);
        self.out.push_str(":");
        value.write_json(self.out);
        self
    }

    pub fn end(&mut self) {
        self.out.push_str("}");
    }
}

/// Appends `text` as a JSON string: `"`, `\` and control characters escaped (the short
/// forms where JSON has them), everything else — including non-ASCII — as is.
pub fn write_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push_str("\"");
    let clean = plain_prefix(text.as_bytes());
    let mut plain_from = 0;
    for (i, byte) in text.bytes().enumerate().skip(clean) {
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        out.push_str(text.get(plain_from..i).unwrap_or_default());
        plain_from = i + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push_str(digit_text(u64::from(byte >> 4), 16));
            out.push_str(digit_text(u64::from(byte & 15), 16));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(text.get(plain_from..).unwrap_or_default());
    out.push_str("\"");
}

/// How many leading bytes need no escaping, a multiple of 8 (the rest is checked bytewise).
/// Eight bytes at a time: the per-event writer spends most of its time in strings.
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A high bit set in every byte of `x` that is zero (exact when no byte is ≥ 0x80,
    // else a harmless false alarm that sends the chunk to the bytewise check).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut clean = 0;
    for chunk in bytes.chunks_exact(8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        if control
            | zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\\')))
            != 0
        {
            break;
        }
        clean += 8;
    }
    clean
}

/// One digit (`n` < `radix` ≤ 16) as text.
fn digit_text(n: u64, radix: u64) -> &'static str {
    const DIGITS: &str = "0123456789abcdef";
    let n = (n % radix) as usize;
    DIGITS.get(n..n + 1).unwrap_or("0")
}

pub fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // NOTE: ASCII digits only, so the check cannot fail.
    let digits = digits.get(start..).unwrap_or_default();
    out.push_str(std::str::from_utf8(digits).unwrap_or_default());
}

/// `n` in decimal, for messages (no `format!` in the core: see `json/mod.rs`).
pub fn integer_text(n: i64) -> String {
    let mut text = String::new();
    write_i64(&mut text, n);
    text
}

pub fn write_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push_str("-");
    }
    write_u64(out, n.unsigned_abs());
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_string(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_string(out, self);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for i64 {
    fn write_json(&self, out: &mut String) {
        write_i64(out, *self);
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, *self);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}

impl ToJson for f64 {
    fn write_json(&self, out: &mut String) {
        float::write_json(out, *self);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push_str("[");
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(",");
            }
            item.write_json(out);
        }
        out.push_str("]");
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson> ToJson for SortedMap<String, T> {
    fn write_json(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        for (key, value) in self {
            object.entry(key, value);
        }
        object.end();
    }
}

/// A parsed document as it came (members in input order).
impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        write_value(out, self, false);
    }
}

/// The canonical text of a document, which the model hash is taken of: compact, object
/// members sorted by key (bytewise), strings escaped as [`write_string`] does, whole numbers
/// in −2⁶³…2⁶⁴ as integers (`10`, also for `10.0` or `1e1`; but `-0.0` for `-0`), others in
/// serde_json's shortest f64 form (`0.5`, `1e+300`). For documents whose whole numbers are
/// written as integers (JSON.stringify's output always is) this is exactly what serde_json's
/// `Value::to_string` printed, so model hashes did not change with the switch.
pub fn canonical(value: &Value) -> String {
    let mut out = String::with_capacity(4096);
    write_value(&mut out, value, true);
    out
}

fn write_value(out: &mut String, value: &Value, canonical: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => b.write_json(out),
        Value::Number(n) => write_number(out, *n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push_str("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                write_value(out, item, canonical);
            }
            out.push_str("]");
        }
        Value::Object(members) => {
            let sorted = if canonical {
                sorted_members(members)
            } else {
                members.iter().collect()
            };
            out.push_str("{");
            for (i, (key, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                write_string(out, key);
                out.push_str(":");
                write_value(out, item, canonical);
            }
            out.push_str("}");
        }
    }
}

/// A number of a parsed document: whole numbers as integers (as they were most likely
/// written), others in serde_json's shortest f64 form.
fn write_number(out: &mut String, n: f64) {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if n == 0.0 && n.is_sign_negative() {
        out.push_str("-0.0"); // serde_json read `-0` as a float
    } else if n.fract() == 0.0 && (-TWO_63..TWO_63).contains(&n) {
        write_i64(out, n as i64);
    } else if n.fract() == 0.0 && (TWO_63..2.0 * TWO_63).contains(&n) {
        write_u64(out, n as u64);
    } else {
        float::write_json(out, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_serde_json() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\n\t\u{1}\u{7f}é\u{2028}/");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}é\u{2028}/\"");
    }

    #[test]
    fn integers() {
        let mut out = String::new();
        for n in [0, -1, i64::MIN, i64::MAX, 1234567890] {
            write_i64(&mut out, n);
            out.push(' ');
        }
        assert_eq!(
            out,
            "0 -1 -9223372036854775808 9223372036854775807 1234567890 "
        );
    }
}
