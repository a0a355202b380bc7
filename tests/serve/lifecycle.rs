//! Rate limit, restarts, idle clients, startup errors.
use std::io::Write;
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

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

#[test]
fn an_idle_client_does_not_block_others() {
    let server = Server::start(&site("idle"), &[]);
    let _idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn bad_options_stop_the_server_before_it_listens() {
    let dir = site("options");
    let not_a_model = dir.join("www/not-a-model.json");
    std::fs::write(&not_a_model, "{\"version\": 1, \"rules\": 5}").unwrap();
    // Spawned rather than `output()`, so a server that starts anyway fails the test instead
    // of hanging it.
    let run = |args: &[&str]| {
        let mut child = serve_command(&dir, args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if child.try_wait().unwrap().is_some() {
                return child.wait_with_output().unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        panic!("leadpulse serve {args:?} kept running");
    };
    let cases: &[(&[&str], &str)] = &[
        (&["--require-signature"], "--require-signature needs"),
        (&["--port", "http"], "--port"),
        (&["--bogus"], "--bogus"),
        (
            &["--model", "/nonexistent/model.json"],
            "/nonexistent/model.json",
        ),
        (&["--model", not_a_model.to_str().unwrap()], "invalid model"),
    ];
    for (args, message) in cases {
        let out = run(args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
