//! A strict JSON parser (RFC 8259): one value, optional whitespace around it, nothing else.
//! Errors name what was expected and the byte offset where it went wrong.
//!
//! Two deliberate leniencies, both as `JSON.parse` behaves: a duplicate key keeps its last
//! value, and a `\u` escape of a lone surrogate (which `JSON.stringify` emits for a lone
//! surrogate in a JS string) reads as U+FFFD, the replacement character.
use super::float::{read_exponent, Decimal};
use super::value::{sorted_members, Value};
use super::write::write_u64;

/// Deeper documents are rejected (as serde_json did): keeps recursion bounded.
pub const MAX_DEPTH: usize = 128;
/// Objects up to this size find a repeated key by a scan as each key is read; larger ones
/// by one sort once they are complete (see [`dedup`]).
const SCAN_LIMIT: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the text.
    pub offset: usize,
    pub message: &'static str,
}

impl ParseError {
    /// `expected ':' at byte 12`.
    pub fn describe(&self) -> String {
        let mut text = String::from(self.message);
        text.push_str(" at byte ");
        write_u64(&mut text, self.offset as u64);
        text
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for ParseError {}

/// Parses one JSON document.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected characters after the JSON value"));
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> ParseError {
        ParseError {
            offset: self.pos,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        match self.peek() {
            None => Err(self.error("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, ParseError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn enter(&self, depth: usize) -> Result<(), ParseError> {
        if depth >= MAX_DEPTH {
            Err(self.error("nested more than 128 levels deep"))
        } else {
            Ok(())
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            insert(&mut members, key, value);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    dedup(&mut members);
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    out.push_str(self.text.get(start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    self.escape(&mut out)?;
                    start = self.pos;
                }
                Some(0..=0x1f) => {
                    return Err(self.error("control character in a string (must be escaped)"))
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// One escape, after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4()?;
                let c = if (0xd800..0xdc00).contains(&unit) && self.low_surrogate_follows() {
                    self.pos += 2;
                    let low = self.hex4()?;
                    char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                } else {
                    char::from_u32(unit)
                };
                out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                return Ok(());
            }
            _ => return Err(self.error("invalid escape")),
        };
        out.push(c);
        self.pos += 1;
        Ok(())
    }

    fn low_surrogate_follows(&self) -> bool {
        let next = self.bytes.get(self.pos..self.pos + 6);
        next.is_some_and(|b| {
            b.starts_with(b"\\u")
                && matches!(b.get(2), Some(b'd' | b'D'))
                && matches!(b.get(3), Some(b'c'..=b'f' | b'C'..=b'F'))
        })
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("invalid \\u escape (expected 4 hex digits)"))?;
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        self.pos += usize::from(negative);
        let mut decimal = Decimal::default();
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.error("invalid number (leading zero)"));
                }
            }
            Some(b'1'..=b'9') => self.digits(&mut decimal, false),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error("invalid number (expected a digit after '.')"));
            }
            self.digits(&mut decimal, true);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let (exp, end) = read_exponent(self.bytes, self.pos + 1)
                .ok_or_else(|| self.error("invalid number (expected exponent digits)"))?;
            decimal.scale(exp);
            self.pos = end;
        }
        let value = decimal.to_f64();
        if value.is_infinite() {
            return Err(ParseError {
                offset: start,
                message: "number out of range",
            });
        }
        Ok(Value::Number(if negative { -value } else { value }))
    }

    fn digits(&mut self, decimal: &mut Decimal, after_point: bool) {
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            decimal.push(b - b'0', after_point);
            self.pos += 1;
        }
    }
}

/// Adds a member; in a small object a repeated key takes the new value at its first
/// position right away.
fn insert(members: &mut Vec<(String, Value)>, key: String, value: Value) {
    let existing = if members.len() < SCAN_LIMIT {
        members.iter_mut().find(|(k, _)| *k == key)
    } else {
        None
    };
    match existing {
        Some(member) => member.1 = value,
        None => members.push((key, value)),
    }
}

/// Keeps one member per key in a large object: the last value, at the first position (as
/// `JSON.parse` does). One sort, so that no input makes this quadratic.
fn dedup(members: &mut Vec<(String, Value)>) {
    if members.len() <= SCAN_LIMIT {
        return;
    }
    let size = std::mem::size_of::<(String, Value)>().max(1);
    let base = members.as_ptr() as usize;
    let index_of = |m: &&(String, Value)| (*m as *const (String, Value) as usize - base) / size;
    // (first, last) of every key that repeats, and the positions to drop.
    let mut moves = Vec::new();
    let mut dropped = Vec::new();
    for run in sorted_members(members).chunk_by(|a, b| a.0 == b.0) {
        if let (Some(first), Some(last), true) = (run.first(), run.last(), run.len() > 1) {
            moves.push((index_of(first), index_of(last)));
            dropped.extend(run.iter().skip(1).map(index_of));
        }
    }
    for (first, last) in moves {
        let value = members
            .get_mut(last)
            .map(|m| std::mem::replace(&mut m.1, Value::Null));
        if let (Some(value), Some(member)) = (value, members.get_mut(first)) {
            member.1 = value;
        }
    }
    let mut keep = vec![true; members.len()];
    for i in dropped {
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    let mut position = 0;
    members.retain(|_| {
        position += 1;
        keep.get(position - 1).copied().unwrap_or(true)
    });
}
