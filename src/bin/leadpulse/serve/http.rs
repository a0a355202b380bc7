//! Just enough HTTP/1.1: read one request head (bounded, with a deadline), read a body of a
//! known length, write one response and close.
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use serde_json::{json, Value};

/// Request line and headers together; more is answered with 431.
pub const MAX_HEAD_BYTES: usize = 8192;

pub struct Head {
    pub method: String,
    pub target: String,
    /// Names in lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The target without its query string (still percent-encoded).
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `Ok(None)` without the header; `Err` when it is not a number or repeated with
    /// different values.
    pub fn content_length(&self) -> Result<Option<u64>, ReadError> {
        let mut found = None;
        for (_, value) in self.headers.iter().filter(|(n, _)| n == "content-length") {
            let n: u64 = value
                .parse()
                .map_err(|_| ReadError::Malformed("invalid Content-Length"))?;
            if found.is_some_and(|f| f != n) {
                return Err(ReadError::Malformed("conflicting Content-Length headers"));
            }
            found = Some(n);
        }
        Ok(found)
    }
}

#[derive(Debug, PartialEq)]
pub enum ReadError {
    /// The client went away before sending a request; nothing to answer.
    Closed,
    Timeout,
    HeadTooLarge,
    Malformed(&'static str),
}

impl ReadError {
    pub fn response(&self) -> Option<Response> {
        match self {
            ReadError::Closed => None,
            ReadError::Timeout => Some(Response::error(408, "request not received in time")),
            ReadError::HeadTooLarge => Some(Response::error(431, "request head too large")),
            ReadError::Malformed(why) => Some(Response::error(400, why)),
        }
    }
}

fn read_before(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> Result<usize, ReadError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ReadError::Timeout);
    }
    stream
        .set_read_timeout(Some(left))
        .map_err(|_| ReadError::Closed)?;
    match stream.read(buf) {
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(ReadError::Timeout)
        }
        Err(_) => Err(ReadError::Closed),
    }
}

/// Reads until the blank line; returns the head and any body bytes that came with it.
pub fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<(Head, Vec<u8>), ReadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = read_before(stream, &mut chunk, deadline)?;
        if n == 0 {
            return Err(if buf.is_empty() {
                ReadError::Closed
            } else {
                ReadError::Malformed("incomplete request head")
            });
        }
        let searched_from = buf.len().saturating_sub(3);
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(end) = find(buf.get(searched_from..).unwrap_or_default(), b"\r\n\r\n") {
            let end = searched_from + end;
            if end > MAX_HEAD_BYTES {
                return Err(ReadError::HeadTooLarge);
            }
            let head = parse_head(buf.get(..end).unwrap_or_default())?;
            let rest = buf.get(end + 4..).unwrap_or_default().to_vec();
            return Ok((head, rest));
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Err(ReadError::HeadTooLarge);
        }
    }
}

/// The unread body of a request: the bytes that arrived with the head, then the socket.
pub struct Body<'a> {
    pub stream: &'a mut TcpStream,
    pub early: Vec<u8>,
    pub deadline: Instant,
}

impl Body<'_> {
    /// Reads exactly `len` bytes.
    pub fn read(self, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut body = self.early;
        let mut chunk = [0u8; 4096];
        while body.len() < len {
            let n = read_before(self.stream, &mut chunk, self.deadline)?;
            if n == 0 {
                return Err(ReadError::Malformed("body shorter than Content-Length"));
            }
            body.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        body.truncate(len);
        Ok(body)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses the request line and headers (without the final blank line).
pub fn parse_head(bytes: &[u8]) -> Result<Head, ReadError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ReadError::Malformed("request head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed("malformed request line"));
    };
    let method_ok = !method.is_empty() && method.bytes().all(|c| c.is_ascii_uppercase());
    if !method_ok || !target.starts_with('/') || !version.starts_with("HTTP/1.") {
        return Err(ReadError::Malformed("malformed request line"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Malformed("malformed header line"));
        };
        if name.is_empty()
            || name
                .bytes()
                .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        {
            return Err(ReadError::Malformed("malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        headers,
    })
}

pub struct Response {
    pub status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }

    pub fn json(status: u16, value: &Value) -> Self {
        Response::new(status, "application/json", value.to_string().into_bytes())
    }

    /// `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Self {
        Response::json(status, &json!({ "error": message }))
    }

    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Status line, headers and (unless `head_only`) body, in one write.
    pub fn write_to(&self, out: &mut impl Write, head_only: bool) -> io::Result<()> {
        let mut bytes =
            format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status)).into_bytes();
        for (name, value) in &self.headers {
            bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        let fixed = format!(
            "Content-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            self.body.len()
        );
        bytes.extend_from_slice(fixed.as_bytes());
        if !head_only {
            bytes.extend_from_slice(&self.body);
        }
        out.write_all(&bytes)?;
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_request_head() {
        let head = parse_head(
            b"POST /collect?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length:  12 \r\nX-Two: a:b",
        )
        .unwrap();
        assert_eq!(
            (head.method.as_str(), head.path(), head.query()),
            ("POST", "/collect", Some("x=1"))
        );
        assert_eq!(head.header("content-length"), Some("12"));
        assert_eq!(head.header("x-two"), Some("a:b"));
        assert_eq!(head.content_length(), Ok(Some(12)));
    }

    #[test]
    fn rejects_malformed_heads() {
        for bad in [
            &b"GET /"[..],
            b"GET / HTTP/2",
            b"GET http://x/ HTTP/1.1",
            b"get / HTTP/1.1",
            b"GET  / HTTP/1.1",
            b"GET / HTTP/1.1\r\nNo colon",
            b"GET / HTTP/1.1\r\n folded: x",
            b"GET /\xff HTTP/1.1",
        ] {
            assert!(parse_head(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn content_length_must_be_one_number() {
        let head = |extra: &str| parse_head(format!("POST / HTTP/1.1{extra}").as_bytes()).unwrap();
        assert_eq!(head("").content_length(), Ok(None));
        assert!(head("\r\nContent-Length: -1").content_length().is_err());
        assert!(head("\r\nContent-Length: 1\r\nContent-Length: 2")
            .content_length()
            .is_err());
        assert_eq!(
            head("\r\nContent-Length: 2\r\nContent-Length: 2").content_length(),
            Ok(Some(2))
        );
    }

    #[test]
    fn writes_head_only_for_head_requests() {
        let mut out = Vec::new();
        Response::error(404, "nope")
            .write_to(&mut out, true)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(text.contains("Content-Length: 16\r\n") && text.ends_with("\r\n\r\n"));
    }
}
