//! `POST /collect` and `GET /api/leads`: storing once, listing, rejecting with a path.
use serde_json::{json, Value};

use crate::harness::{fixture, site, summary, Server};

#[test]
fn stores_a_summary_once_and_lists_it() {
    let server = Server::start(&site("collect"), &["--rate-limit", "off"]);
    assert!(server.leads().is_empty());
    let body = fixture().to_string();

    let first = server.post("application/json", &[], body.as_bytes());
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(
        first.json(),
        json!({"stored": true, "id": "lp_0123456789abcdef", "verified": false})
    );
    // Retries, e.g. by sendBeacon after a fetch that did arrive.
    let again = server.post("text/plain;charset=UTF-8", &[], body.as_bytes());
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["stored"], json!(false));

    let leads = server.leads();
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(lead["id"], json!("lp_0123456789abcdef"));
    assert_eq!(lead["verified"], json!(false));
    assert_eq!(lead["summary"], fixture());
    let received = lead["receivedAt"].as_str().unwrap();
    assert!(
        received.len() == 24 && received.starts_with("20") && received.ends_with('Z'),
        "{received}"
    );
}

#[test]
fn concurrent_duplicates_store_one_row() {
    let server = Server::start(&site("concurrent"), &["--rate-limit", "off"]);
    let body = summary(7).to_string();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let posts: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| server.post("application/json", &[], body.as_bytes()).status))
            .collect();
        posts.into_iter().map(|p| p.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(server.leads().len(), 1);
}

#[test]
fn lists_newest_first_with_a_limit() {
    let server = Server::start(&site("newest"), &["--rate-limit", "off"]);
    for n in 1..=3 {
        assert_eq!(server.post_json(&summary(n)).status, 201);
    }
    let ids: Vec<Value> = server.leads().iter().map(|l| l["id"].clone()).collect();
    assert_eq!(
        ids,
        [
            json!(summary(3)["id"]),
            json!(summary(2)["id"]),
            json!(summary(1)["id"])
        ]
    );
    let two = server.get("/api/leads?limit=2").json();
    assert_eq!(two["leads"].as_array().unwrap().len(), 2);
    assert_eq!(two["leads"][0]["id"], summary(3)["id"]);
    for bad in ["0", "x", "100000"] {
        let reply = server.get(&format!("/api/leads?limit={bad}"));
        assert_eq!(
            (reply.status, reply.json()["path"].clone()),
            (400, json!("limit")),
            "{bad}"
        );
    }
}

#[test]
fn invalid_summaries_are_rejected_naming_the_path() {
    let server = Server::start(&site("invalid"), &["--rate-limit", "off"]);
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit)] = &[
        ("version", |s| s["version"] = json!(2)),
        ("id", |s| s["id"] = json!("lp_XYZ")),
        ("id", |s| s["id"] = json!("lp_0123456789ABCDEF")),
        ("visitor", |s| s["visitor"] = json!("")),
        ("visitor", |s| s["visitor"] = json!("v".repeat(129))),
        ("model", |s| s["model"] = json!("0123")),
        ("stage", |s| s["stage"] = json!("opportunity")),
        ("score", |s| s["score"] = json!("88")),
        ("fit", |s| {
            s.as_object_mut().unwrap().remove("fit");
        }),
        ("engagement", |s| s["engagement"] = Value::Null),
        ("grade", |s| s["grade"] = json!(1)),
        ("reasons", |s| s["reasons"] = json!({})),
        ("reasons[2].points", |s| {
            s["reasons"][2]["points"] = json!("15")
        }),
        ("reasons[0].rule", |s| {
            s["reasons"][0] = json!({"points": 1})
        }),
        ("frameworks.BANT.coverage", |s| {
            s["frameworks"]["BANT"]["coverage"] = json!(75.5)
        }),
        ("frameworks.BANT.missing[0]", |s| {
            s["frameworks"]["BANT"]["missing"] = json!([1])
        }),
        ("slots.budget", |s| {
            s["slots"]["budget"] = json!({"nested": true})
        }),
        ("traits[\"company.name\"]", |s| {
            s["traits"]["company.name"] = Value::Null
        }),
        ("firstSeen", |s| s["firstSeen"] = json!("yesterday")),
        ("qualifiedAt", |s| s["qualifiedAt"] = Value::Null),
        ("sessions", |s| s["sessions"] = json!(-1)),
        ("engagedSeconds", |s| s["engagedSeconds"] = json!(1.5)),
        ("source.first.referrer", |s| {
            s["source"]["first"]["referrer"] = json!(42)
        }),
        ("source.first.utm.campaign", |s| {
            s["source"]["first"]["utm"]["campaign"] = json!(4)
        }),
        ("runtime", |s| s["runtime"] = json!("server")),
        ("rawEvents", |s| s["rawEvents"] = json!([])),
    ];
    for (path, edit) in cases {
        let mut summary = fixture();
        edit(&mut summary);
        let reply = server.post_json(&summary);
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        let body = reply.json();
        assert_eq!(body["path"], json!(path), "{}", reply.text());
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}"
        );
    }
    for not_a_summary in [&b"{\"version\":"[..], b"[]", b"\xff\xfe", b""] {
        let reply = server.post("application/json", &[], not_a_summary);
        assert_eq!(
            (reply.status, reply.json()["path"].clone()),
            (400, json!(""))
        );
    }
    let form = server.post("application/x-www-form-urlencoded", &[], b"a=1");
    assert_eq!(form.status, 415);
    let get = server.get("/collect");
    assert_eq!(
        (get.status, get.header("allow")),
        (405, Some("POST, OPTIONS"))
    );
    let options = server.raw(b"OPTIONS /collect HTTP/1.1\r\nOrigin: https://x.example\r\n\r\n");
    assert_eq!(
        (options.status, options.header("allow")),
        (204, Some("POST, OPTIONS"))
    );
    assert_eq!(
        options.header("access-control-allow-origin"),
        None,
        "same origin only"
    );
    assert!(server.leads().is_empty(), "nothing invalid was stored");
}

#[test]
fn oversized_summaries_get_413_without_reading_them() {
    let server = Server::start(&site("oversized"), &["--rate-limit", "off"]);
    let mut exactly = fixture().to_string().into_bytes();
    exactly.resize(4096, b' ');
    assert_eq!(
        server.post("application/json", &[], &exactly).status,
        201,
        "4096 bytes fit"
    );

    let mut over = summary(2).to_string().into_bytes();
    over.resize(4097, b' ');
    let reply = server.post("application/json", &[], &over);
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (413, Some("application/json"))
    );

    // Only the head is sent: the answer must come without waiting for 1 GB.
    let claim = b"POST /collect HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n";
    assert_eq!(server.raw(claim).status, 413);
    let no_length = b"POST /collect HTTP/1.1\r\nContent-Type: application/json\r\n\r\n";
    assert_eq!(server.raw(no_length).status, 411);
    assert_eq!(server.leads().len(), 1);
}
