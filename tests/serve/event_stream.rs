//! `GET /api/events`: the changes pushed to open dashboards as server-sent events — only with
//! the token, never compressed (a compressor would hold events back), each change to a lead
//! as the list shows it, a cap on open streams, streams that outlive the stall deadline of a
//! silent client, and streams that end when the server stops.
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{site, summary, Server, TOKEN};

/// An open event stream, read as it comes.
struct Stream {
    socket: TcpStream,
    head: String,
    seen: String,
}

impl Stream {
    fn open(server: &Server) -> Stream {
        let mut socket = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        let request = format!(
            "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {TOKEN}\r\n\
             Accept: text/event-stream\r\nAccept-Encoding: gzip, br\r\n\r\n",
            server.port
        );
        socket.write_all(request.as_bytes()).unwrap();
        let mut stream = Stream {
            socket,
            head: String::new(),
            seen: String::new(),
        };
        assert!(stream.until("\r\n\r\n"), "a response head");
        let end = stream.seen.find("\r\n\r\n").unwrap();
        stream.head = stream.seen[..end].to_ascii_lowercase();
        stream.seen = stream.seen[end + 4..].to_string();
        stream
    }

    fn status(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or_default()
    }

    /// Reads until `text` has arrived (true), the stream ended or 10 s passed (false).
    fn until(&mut self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buffer = [0u8; 4096];
        while !self.seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.socket.set_read_timeout(Some(left)).unwrap();
            match self.socket.read(&mut buffer) {
                Ok(0) => return false,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return false
                }
                Err(e) => panic!("reading the stream: {e}"),
            }
        }
        true
    }

    /// Whether the server closed the stream within 10 s.
    fn ends(&mut self) -> bool {
        !self.until("\u{0}never sent\u{0}")
            && self.socket.read(&mut [0u8; 64]).is_ok_and(|n| n == 0)
    }
}

#[test]
fn a_dashboard_hears_of_each_change_as_the_list_shows_the_lead() {
    let server = Server::start(&site("events"), &["--rate-limit", "off"]);
    let mut stream = Stream::open(&server);
    assert_eq!(stream.status(), "200", "{}", stream.head);
    assert!(stream.head.contains("content-type: text/event-stream"));
    assert!(
        !stream.head.contains("content-encoding"),
        "never compressed: {}",
        stream.head
    );
    assert!(stream.until("event: ready\ndata: {}\n\n"));

    // A new SQL: the lead as GET /api/leads lists it, with what the dashboard renders from.
    let lead = server.post_json(&summary(1)).json()["lead"]
        .as_i64()
        .unwrap();
    assert!(stream.until("event: lead\n"), "{}", stream.seen);
    assert!(stream.until("\"visitor\":\"visitor-1\""), "{}", stream.seen);
    assert!(stream.until("\"allowed\":[{\"status\":\"accepted\""));
    assert!(stream.until("\"questions\":[\"Does it work with Salesforce?\"]"));

    // Sales' answer, given elsewhere, reaches this dashboard too.
    let answer = server.api_post(
        &format!("/api/leads/{lead}/feedback"),
        &json!({"status": "accepted", "by": "ben"}),
    );
    assert_eq!(answer.status, 200);
    assert!(stream.until("\"status\":\"accepted\""), "{}", stream.seen);
}

#[test]
fn streams_are_capped_outlive_a_silent_client_and_end_when_the_server_stops() {
    let server = Server::start(
        &site("events-cap"),
        &[
            "--rate-limit",
            "off",
            "--max-event-streams",
            "1",
            "--stall-timeout",
            "1",
        ],
    );
    let mut first = Stream::open(&server);
    assert!(first.until("event: ready"));
    let refused = server.api_get("/api/events");
    assert_eq!(refused.status, 503, "{}", refused.text());
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert!(refused.json()["error"].is_string());

    // The dashboard says nothing for longer than a connection may stall: its stream lives on.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(server.post_json(&summary(2)).status, 201);
    assert!(first.until("\"visitor\":\"visitor-2\""), "{}", first.seen);

    // Its place is given back when it goes.
    drop(first);
    let mut second = server.until("a place for a new stream", Duration::from_secs(10), |s| {
        let stream = Stream::open(s);
        (stream.status() == "200").then_some(stream)
    });
    assert!(second.until("event: ready"));

    // Stopping ends the stream (SIGTERM: a graceful stop is not held up by dashboards).
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(second.ends(), "the stream ended: {}", second.seen);
}
