//! Rate limit, restarts, idle and slow clients.
use std::io::Write;
use std::net::TcpStream;

use crate::harness::{site, summary, Server};

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
