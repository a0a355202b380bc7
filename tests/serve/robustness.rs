//! Rate limit, restarts, idle, silent and slow clients, connection caps.
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{serve_command, site, summary, Server};

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let server = Server::start(&site("rate"), &[]);
    let statuses: Vec<u16> = (0..14)
        .map(|_| server.post("application/json", &[], b"{}").status)
        .collect();
    assert!(
        statuses[..10].iter().all(|&s| s == 400),
        "burst of 10 passes: {statuses:?}"
    );
    let limited = server.post("application/json", &[], b"{}");
    assert_eq!(limited.status, 429, "{statuses:?}");
    let retry: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(server.get("/").status, 200, "the site is not rate-limited");
}

#[test]
fn summaries_survive_a_restart() {
    let dir = site("restart");
    {
        let server = Server::start(&dir, &[]);
        assert_eq!(server.post_json(&summary(11)).status, 201);
    }
    let server = Server::start(&dir, &[]);
    let leads = server.leads();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["summary"], summary(11));
    assert_eq!(
        server.post_json(&summary(11)).status,
        200,
        "still a duplicate"
    );
}

/// 200 connections that never finish their request (slowloris) leave room for a real one.
#[test]
fn idle_and_slow_clients_do_not_block_others() {
    let server = Server::start(&site("idle"), &[]);
    let mut idle = Vec::new();
    for n in 0..200 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        if n % 2 == 0 {
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        } else {
            stream.write_all(b"POST /collect HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{").unwrap();
        }
        idle.push(stream);
    }
    assert_eq!(server.get("/").status, 200);
    assert_eq!(server.post_json(&summary(1)).status, 201);
    assert_eq!(server.leads().len(), 1);
}

/// A connection to the server from `source` (another loopback address: 127.0.0.2, …), so
/// that it counts against that address's connection cap, not the probes' from 127.0.0.1.
fn connect_from(source: &str, port: u16) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        socket
            .connect(([127, 0, 0, 1], port).into())
            .await
            .unwrap()
            .into_std()
            .unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    stream
}

/// Whether the server closed `stream` by `deadline`: reads to the end (EOF or reset).
fn closed_by(mut stream: &TcpStream, deadline: Instant) -> bool {
    let left = deadline.saturating_duration_since(Instant::now());
    stream
        .set_read_timeout(Some(left.max(Duration::from_millis(1))))
        .unwrap();
    let mut sink = Vec::new();
    match stream.read_to_end(&mut sink) {
        Ok(_) => true,
        Err(e) => e.kind() == ErrorKind::ConnectionReset,
    }
}

/// Whether `stream` is still open and silent right now (no EOF, no data).
fn still_open(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let open = matches!(stream.peek(&mut [0u8; 1]), Err(e) if e.kind() == ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    open
}

const H2C_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Hundreds of sockets that send nothing, or only an HTTP/2 preface, do not take the server
/// offline: requests from elsewhere are answered meanwhile, and the server closes them.
#[test]
fn silent_and_http2_preface_sockets_are_closed_while_others_are_served() {
    let server = Server::start(&site("silent"), &[]);
    let silent: Vec<TcpStream> = (0..200)
        .map(|_| connect_from("127.0.0.2", server.port))
        .collect();
    let preface: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut stream = connect_from("127.0.0.3", server.port);
            stream.write_all(H2C_PREFACE).unwrap();
            stream
        })
        .collect();
    for _ in 0..8 {
        assert_eq!(server.get("/").status, 200);
    }
    assert_eq!(server.post_json(&summary(1)).status, 201);
    // NOTE: one deadline for all, well past the 5 s before a first byte.
    let deadline = Instant::now() + Duration::from_secs(30);
    let closed = silent
        .iter()
        .chain(&preface)
        .filter(|s| closed_by(s, deadline))
        .count();
    assert_eq!(
        closed, 400,
        "every silent or HTTP/2 socket is closed by the server"
    );
}

/// What a request from `source` gets: its status, or `None` when the connection is closed
/// without an answer.
fn probe_from(source: &str, port: u16) -> Option<u16> {
    let mut stream = connect_from(source, port);
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).ok()?;
    (!bytes.is_empty()).then(|| crate::harness::Reply::parse(&bytes).status)
}

/// A connection that sent a request and was answered, left open (keep-alive).
fn talking_from(source: &str, port: u16) -> TcpStream {
    let mut stream = connect_from(source, port);
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    stream
}

/// Beyond the cap per address, a connection is closed at once while that address's others
/// stay open and other addresses are served. At the cap in all, a new connection takes the
/// place of the oldest one that has said nothing; when every open one has spoken, it is
/// closed at once, until connections end.
#[test]
fn connections_beyond_the_caps_are_closed_at_once() {
    let args = [
        "--max-connections",
        "40",
        "--max-connections-per-address",
        "15",
        // Silent connections stay for the whole test: closing is the caps' doing.
        "--first-byte-timeout",
        "600",
    ];
    let server = Server::start(&site("caps"), &args);
    let held: Vec<TcpStream> = (0..15)
        .map(|_| connect_from("127.0.0.2", server.port))
        .collect();
    // The server has taken them all (accepted in order, before this one is answered).
    assert_eq!(probe_from("127.0.0.9", server.port), Some(200));
    let over = connect_from("127.0.0.2", server.port);
    let deadline = Instant::now() + Duration::from_secs(30);
    assert!(closed_by(&over, deadline), "the 16th from 127.0.0.2");
    assert!(held.iter().all(still_open), "the first 15 are kept");
    assert_eq!(probe_from("127.0.0.1", server.port), Some(200));

    // 15 + 15 + 10 = 40 silent in all: a request from elsewhere takes the oldest one's place.
    let more: Vec<TcpStream> = ["127.0.0.3", "127.0.0.4"]
        .iter()
        .flat_map(|source| (0..15).map(|_| connect_from(source, server.port)))
        .take(25)
        .collect();
    assert_eq!(more.len(), 25);
    assert_eq!(probe_from("127.0.0.5", server.port), Some(200));
    assert!(
        closed_by(&held[0], deadline),
        "the oldest silent one made room"
    );
    // NOTE: a probe's connection is counted until the server has finished closing it, which
    // on a loaded machine can be just after the next connections arrive: then the oldest but
    // one made room too. Whatever closed is the oldest, never a newer one.
    let closed = held.iter().take_while(|s| !still_open(s)).count();
    assert!(closed <= 2, "{closed} of the oldest closed for one probe");
    assert!(
        held[closed..].iter().all(still_open),
        "only the oldest made room"
    );
    drop((held, more));

    // 40 that have all spoken (keep-alive after an answer): nobody to make room, closed.
    let talking: Vec<TcpStream> = ["127.0.0.6", "127.0.0.7", "127.0.0.8"]
        .iter()
        .flat_map(|source| (0..15).map(|_| talking_from(source, server.port)))
        .take(40)
        .collect();
    assert_eq!(talking.len(), 40);
    assert_eq!(probe_from("127.0.0.5", server.port), None);
    drop(talking);
    let answered = server.until("a place freed", Duration::from_secs(30), |s| {
        probe_from("127.0.0.5", s.port).filter(|&status| status == 200)
    });
    assert_eq!(answered, 200);
}

/// The open-files limit is raised to the hard limit at start.
#[test]
fn the_open_files_limit_is_raised_to_the_hard_limit() {
    let dir = site("nofile");
    let inner = serve_command(&dir, &[]);
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -S -n 256 && exec \"$0\" \"$@\"")
        .arg(inner.get_program())
        .args(inner.get_args());
    for (name, value) in inner.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let server = Server::start_command(&dir, command);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(numbers.len(), 2, "{line}");
    assert_eq!(numbers[0], numbers[1], "soft = hard: {line}");
    assert_ne!(numbers[0], "256", "{line}");
}
