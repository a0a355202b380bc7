//! The collector's smaller defences: writes wait for another process's lock, the rate limit
//! keys on the address the proxy appended and says when to come back (rounded up), security
//! headers, the Bearer scheme in any case, feedback with a key given twice.
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;

use crate::harness::{site, summary, Server, TOKEN};

/// Another process (a backup, `sqlite3` by hand) holding the write lock for a while makes a
/// summary wait for it, not fail.
#[test]
fn a_write_waits_for_another_process_holding_the_lock() {
    if crate::harness::sqlite_only("a file's write lock (PostgreSQL locks rows: two_instances.rs)")
    {
        return;
    }
    let dir = site("locked");
    let server = Server::start(&dir, &["--rate-limit", "off"]);
    assert_eq!(server.post_json(&summary(1)).status, 201);
    let (locked, wait) = mpsc::channel();
    let db = dir.join("leads.db");
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             UPDATE leads SET updated_ms = updated_ms + 1;",
        )
        .unwrap();
        locked.send(()).unwrap();
        // NOTE: the lock is held, not an assertion timed: the post below arrives meanwhile.
        std::thread::sleep(Duration::from_millis(1500));
        conn.execute_batch("COMMIT").unwrap();
    });
    wait.recv().unwrap();
    let reply = server.post_json(&summary(2));
    assert_eq!(reply.status, 201, "{}", reply.text());
    holder.join().unwrap();
    assert_eq!(server.leads().len(), 2);
}

fn post_from(server: &Server, forwarded: &str, n: u64) -> u16 {
    let body = summary(n).to_string();
    server
        .post(
            "application/json",
            &[("X-Forwarded-For", forwarded)],
            body.as_bytes(),
        )
        .status
}

/// Behind a proxy the client is the address the proxy appended (the right-most): what the
/// client itself put in front of it does not make it someone else.
#[test]
fn behind_a_proxy_the_limit_keys_on_the_address_the_proxy_appended() {
    let server = Server::start(&site("proxy"), &["--behind-proxy", "--rate-limit", "1:1"]);
    assert_eq!(post_from(&server, "1.1.1.1, 203.0.113.9", 1), 201);
    assert_eq!(
        post_from(&server, "2.2.2.2, 203.0.113.9", 2),
        429,
        "a new first entry is still the same client"
    );
    assert_eq!(post_from(&server, "1.1.1.1, 203.0.113.10", 3), 201);
}

#[test]
fn retry_after_is_rounded_up() {
    let server = Server::start(&site("retry-after"), &["--rate-limit", "1:1"]);
    assert_eq!(server.post_json(&summary(1)).status, 201);
    let limited = server.post_json(&summary(2));
    assert_eq!(limited.status, 429);
    // The next summary is allowed 60 s after the first; 59 would be too early.
    assert_eq!(limited.header("retry-after"), Some("60"));
}

#[test]
fn security_headers_on_the_site_the_dashboard_and_the_api() {
    let dir = site("headers");
    std::fs::write(dir.join("www/dashboard.html"), "<h1>leads</h1>").unwrap();
    let server = Server::start(&dir, &["--csp", "script-src 'self'"]);
    let page = server.get("/");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        page.header("referrer-policy"),
        Some("strict-origin-when-cross-origin")
    );
    assert_eq!(
        page.header("content-security-policy"),
        Some("script-src 'self'")
    );
    // Pages are revalidated every time (static_site.rs); the API is never stored.
    assert_eq!(page.header("cache-control"), Some("no-cache"));

    let api = server.api_get("/api/leads");
    let refused = server.get("/api/leads");
    for reply in [&api, &refused] {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            reply.header("content-security-policy"),
            Some("frame-ancestors 'none'")
        );
    }
    assert_eq!(refused.status, 401);

    let dashboard = server.get("/dashboard");
    assert_eq!(dashboard.header("x-frame-options"), Some("DENY"));
    assert_eq!(dashboard.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(dashboard.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn the_bearer_scheme_is_read_in_any_case() {
    let server = Server::start(&site("bearer"), &[]);
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let value = format!("{scheme} {TOKEN}");
        let reply = server.request("GET", "/api/leads", &[("Authorization", &value)], b"");
        assert_eq!(reply.status, 200, "{scheme}");
    }
}

#[test]
fn feedback_with_a_key_twice_is_refused_naming_it() {
    let server = Server::start(&site("twice"), &["--rate-limit", "off"]);
    let lead = server.post_json(&summary(1)).json()["lead"].clone();
    let bearer = format!("Bearer {TOKEN}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
    ];
    let target = format!("/api/leads/{lead}/feedback");
    let reply = server.request(
        "POST",
        &target,
        &headers,
        br#"{"status":"accepted","by":"ana","status":"rejected"}"#,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["path"], json!("status"));
    assert!(reply.json()["error"]
        .as_str()
        .unwrap()
        .contains("more than once"));
    assert_eq!(server.leads()[0]["status"], json!("new"), "nothing applied");
}
