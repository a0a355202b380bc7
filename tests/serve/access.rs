//! Who may do what: the API token on every `/api/` route, CORS for the site's origins only,
//! and deployments refused before they listen when they would expose leads.
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::harness::{serve_command, site, summary, Server, TOKEN};

const API: [(&str, &str); 8] = [
    ("GET", "/api/leads"),
    ("GET", "/api/leads?status=new"),
    ("GET", "/api/leads/1"),
    ("POST", "/api/leads/1/feedback"),
    ("GET", "/api/outbox"),
    ("POST", "/api/outbox/1/retry"),
    ("GET", "/api/events"),
    ("GET", "/api/no-such-route"),
];

#[test]
fn every_api_route_needs_the_token() {
    let server = Server::start(&site("token"), &["--rate-limit", "off"]);
    assert_eq!(server.post_json(&summary(1)).status, 201);
    let wrong = format!("Bearer {TOKEN}x");
    let basic = format!("Basic {TOKEN}");
    let lowercase = format!("bearer{TOKEN}");
    for (method, target) in API {
        for headers in [
            &[][..],
            &[("Authorization", wrong.as_str())],
            &[("Authorization", basic.as_str())],
            &[("Authorization", lowercase.as_str())],
            &[("Authorization", "Bearer ")],
        ] {
            let reply = server.request(method, target, headers, b"{\"status\":\"accepted\"}");
            assert_eq!(reply.status, 401, "{method} {target} {headers:?}");
            assert_eq!(
                reply.header("www-authenticate"),
                Some("Bearer realm=\"leadpulse\"")
            );
            let text = reply.text();
            assert!(
                !text.contains("anon") && !text.contains("visitor-1"),
                "{text}"
            );
        }
    }
    // The same routes with the token: the data is there, and the feedback was not applied.
    let leads = server.leads();
    assert_eq!((leads.len(), &leads[0]["status"]), (1, &json!("new")));
    assert_eq!(server.api_get("/api/no-such-route").status, 404);
}

#[test]
fn cors_answers_the_allowed_origins_only() {
    let allowed = "https://www.example.com";
    let server = Server::start(
        &site("cors"),
        &["--allow-origin", allowed, "--rate-limit", "off"],
    );
    let preflight = |origin: &str| {
        let headers = [
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ];
        server.request("OPTIONS", "/collect", &headers, b"")
    };
    let ok = preflight(allowed);
    assert_eq!(ok.header("access-control-allow-origin"), Some(allowed));
    assert!(ok
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("POST")));
    for foreign in [
        "https://evil.example",
        "https://www.example.com.evil.example",
        "null",
    ] {
        let refused = preflight(foreign);
        assert_eq!(
            refused.header("access-control-allow-origin"),
            None,
            "{foreign}"
        );
        let body = summary(2).to_string();
        let post = server.post("application/json", &[("Origin", foreign)], body.as_bytes());
        assert_eq!(
            post.header("access-control-allow-origin"),
            None,
            "{foreign}"
        );
    }
    // The API is never open to other origins, whatever the token.
    let bearer = format!("Bearer {TOKEN}");
    let api = server.request(
        "GET",
        "/api/leads",
        &[("Origin", allowed), ("Authorization", &bearer)],
        b"",
    );
    assert_eq!(api.header("access-control-allow-origin"), None);
}

/// Runs `leadpulse serve ARGS` expecting it to stop before listening; its stderr.
fn refused(args: &[&str]) -> String {
    let dir = site("refused");
    let mut child = serve_command(&dir, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Spawned rather than `output()`, so a server that starts anyway fails instead of hanging.
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            assert!(!out.status.success(), "{args:?}");
            return String::from_utf8_lossy(&out.stderr).into_owned();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("leadpulse serve {args:?} kept running");
}

#[test]
fn deployments_that_would_expose_leads_are_refused() {
    let dir = site("deploy");
    let not_a_model = dir.join("www/not-a-model.json");
    std::fs::write(&not_a_model, "{\"version\": 1, \"rules\": 5}").unwrap();
    let bad_rules = dir.join("owners.json");
    std::fs::write(
        &bad_rules,
        r#"[{"owner": "ana", "when": {"trait": "size", "range": {"min": "big"}}}]"#,
    )
    .unwrap();
    let bad_sla = dir.join("owners-sla.json");
    std::fs::write(
        &bad_sla,
        r#"[{"owner": "ana", "when": {"trait": "country", "equals": "de"}, "sla": "soon",
             "bookingUrl": "mailto:ana@example.com"}]"#,
    )
    .unwrap();
    let secret_a = "a-secret-of-sixteen-plus";
    let cases: &[(&[&str], &str)] = &[
        (&["--listen", "0.0.0.0:0"], "without --api-token"),
        (&["--api-token", "short"], "--api-token must be at least 16"),
        (
            &["--api-token", "                "],
            "--api-token must be at least 16",
        ),
        (
            &["--webhook-secret", "   fifteen-chars  "],
            "--webhook-secret must be at least 16",
        ),
        (
            &[
                "--signing-secret",
                secret_a,
                "--previous-signing-secret",
                secret_a,
            ],
            "one secret per role",
        ),
        (
            &["--previous-signing-secret", secret_a],
            "--previous-signing-secret needs --signing-secret",
        ),
        (
            &[
                "--signing-secret",
                secret_a,
                "--previous-signing-secret",
                "short",
            ],
            "--previous-signing-secret must be at least 16",
        ),
        (&["--max-connections", "0"], "--max-connections"),
        (
            &["--api-token", secret_a, "--signing-secret", secret_a],
            "one secret per role",
        ),
        (
            &["--webhook", "http://127.0.0.1:9/hook"],
            "--webhook needs --webhook-secret",
        ),
        (&["--webhook", "ftp://127.0.0.1/hook"], "http or https"),
        (&["--require-signature"], "--require-signature needs"),
        (
            &["--allow-origin", "https://x.example/path"],
            "expected an origin",
        ),
        (&["--rate-limit", "fast"], "R[:B]"),
        (&["--listen", "localhost"], "--listen"),
        (&["--bogus"], "--bogus"),
        (
            &["--model", "/nonexistent/model.json"],
            "/nonexistent/model.json",
        ),
        (&["--model", not_a_model.to_str().unwrap()], "rules"),
        (
            &["--owner-rules", bad_rules.to_str().unwrap()],
            "[0].when.range.min",
        ),
        (&["--sla", "fast"], "not a duration such as 30s, 15m"),
        (&["--owner", "ana", "--sla", "0s"], "from 1s to 30 days"),
        (&["--sla", "15m"], "--sla needs owners"),
        (&["--owner", "ana=ftp://cal.example.com"], "http or https"),
        (
            &[
                "--owner",
                "ana=https://a.example",
                "--owner",
                "ana=https://b.example",
            ],
            "two booking pages",
        ),
        (&["--owner-rules", bad_sla.to_str().unwrap()], "[0].sla"),
        (
            &["--owner-rules", bad_sla.to_str().unwrap()],
            "[0].bookingUrl",
        ),
    ];
    for (args, message) in cases {
        let stderr = refused(args);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn without_a_token_a_random_one_is_made_for_loopback() {
    let dir = site("random-token");
    let log = dir.join("serve.log");
    let mut child = serve_command(&dir, &[])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("leadpulse serve: http://127.0.0.1:"),
        "{line}"
    );
    let log = std::fs::read_to_string(log).unwrap();
    let token = log
        .split("for this run only: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .map(|t| t.trim().len());
    assert_eq!(token, Some(32), "{log}");
}
