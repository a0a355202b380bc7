//! `POST /collect`: the contract (400 with a path), storing once, trust, listing.
use serde_json::{json, Value};

use crate::harness::{fixture, site, summary, Server};

#[test]
fn stores_a_summary_once_and_lists_it() {
    let server = Server::start(&site("collect"), &["--rate-limit", "off"]);
    assert!(server.leads().is_empty());
    let body = fixture().to_string();

    let first = server.post("application/json", &[], body.as_bytes());
    assert_eq!(first.status, 201, "{}", first.text());
    let answer = first.json();
    assert_eq!(
        (
            &answer["stored"],
            &answer["id"],
            &answer["verified"],
            &answer["trust"]
        ),
        (
            &json!(true),
            &fixture()["id"],
            &json!(false),
            &json!("unverified")
        )
    );
    // Retries, e.g. by sendBeacon after a fetch that did arrive.
    let again = server.post("text/plain;charset=UTF-8", &[], body.as_bytes());
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["stored"], json!(false));
    assert_eq!(again.json()["lead"], answer["lead"]);

    let leads = server.leads();
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(lead["id"], answer["lead"]);
    assert_eq!(lead["summaryId"], fixture()["id"]);
    assert_eq!(lead["visitor"], json!("anon-42"));
    assert_eq!(
        (&lead["stage"], &lead["status"], &lead["trust"]),
        (&json!("sql"), &json!("new"), &json!("unverified"))
    );
    assert_eq!(lead["source"], json!("google"), "first-touch UTM source");
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
fn lists_the_latest_changed_first_with_a_limit_and_a_status() {
    let server = Server::start(&site("newest"), &["--rate-limit", "off"]);
    for n in 1..=3 {
        assert_eq!(server.post_json(&summary(n)).status, 201);
    }
    let visitors: Vec<Value> = server
        .leads()
        .iter()
        .map(|l| l["visitor"].clone())
        .collect();
    assert_eq!(
        visitors,
        [
            summary(3)["visitor"].clone(),
            summary(2)["visitor"].clone(),
            summary(1)["visitor"].clone()
        ]
    );
    let two = server.leads_at("/api/leads?limit=2");
    assert_eq!(two.len(), 2);
    assert_eq!(two[0]["visitor"], summary(3)["visitor"]);
    assert_eq!(server.leads_at("/api/leads?status=new").len(), 3);
    assert!(server.leads_at("/api/leads?status=won").is_empty());
    for (bad, path) in [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("limit=100000", "limit"),
        ("status=hot", "status"),
    ] {
        let reply = server.api_get(&format!("/api/leads?{bad}"));
        assert_eq!(
            (reply.status, reply.json()["path"].clone()),
            (400, json!(path)),
            "{bad}"
        );
    }
}

#[test]
fn invalid_summaries_are_refused_naming_the_path() {
    let server = Server::start(&site("invalid"), &["--rate-limit", "off"]);
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit)] = &[
        ("version", |s| s["version"] = json!(2)),
        ("id", |s| s["id"] = json!("lp_XYZ")),
        ("id", |s| s["id"] = json!("lp_0123456789ABCDEF")),
        ("revision", |s| s["revision"] = json!(0)),
        ("visitor", |s| s["visitor"] = json!("")),
        ("visitor", |s| s["visitor"] = json!("v".repeat(129))),
        ("model", |s| s["model"] = json!("0123")),
        ("stage", |s| s["stage"] = json!("opportunity")),
        ("route", |s| s["route"] = json!("")),
        ("score", |s| s["score"] = json!("77")),
        ("fit", |s| {
            s.as_object_mut().unwrap().remove("fit");
        }),
        ("engagement", |s| s["engagement"] = Value::Null),
        ("grade", |s| s["grade"] = json!(1)),
        ("reasons", |s| s["reasons"] = json!({})),
        ("reasons[2].points", |s| {
            s["reasons"][2]["points"] = json!("12")
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
        ("disqualifiers[0].slot", |s| {
            s["disqualifiers"] = json!([{"slot": 3}])
        }),
        ("slots.budget", |s| {
            s["slots"]["budget"] = json!({"nested": true})
        }),
        ("traits[\"company.name\"]", |s| {
            s["traits"]["company.name"] = Value::Null
        }),
        ("traits.title", |s| {
            s["traits"]["title"] = json!("VP\u{202e}gnitekraM")
        }),
        ("questions[0]", |s| {
            s["questions"] = json!(["q".repeat(241)])
        }),
        ("firstSeen", |s| s["firstSeen"] = json!("yesterday")),
        ("firstSeen", |s| {
            s["firstSeen"] = json!("1999-12-31T23:59:59.000Z")
        }),
        ("qualifiedAt", |s| s["qualifiedAt"] = Value::Null),
        ("qualifiedAt", |s| {
            s["qualifiedAt"] = json!("2999-01-01T00:00:00.000Z")
        }),
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
        // Found by a probe of the old collector: all accepted then.
        ("score", |s| s["score"] = json!(1e308)),
        ("fit", |s| s["fit"] = json!(-1e308)),
        ("firstSeen", |s| {
            s["firstSeen"] = json!("0000-01-01T00:00:00.000Z")
        }),
        ("qualifiedAt", |s| {
            s["qualifiedAt"] = json!("9999-12-31T23:59:59.999Z")
        }),
        ("stage", |s| s["stage"] = json!("visitor")),
        ("visitor", |s| s["visitor"] = json!("anon\u{0}42")),
        ("visitor", |s| s["visitor"] = json!("anon\u{202e}24")),
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
    // Cut short, not an object, not UTF-8, nothing: where it went wrong, with line and column.
    let broken: [(&[u8], &str); 4] = [
        (b"{\"version\":", "version"),
        (b"[]", ""),
        (b"\xff\xfe", ""),
        (b"", ""),
    ];
    for (body, path) in broken {
        let reply = server.post("application/json", &[], body);
        let answer = reply.json();
        assert_eq!((reply.status, &answer["path"]), (400, &json!(path)));
        assert!(
            answer["error"].as_str().unwrap().contains("line 1 column"),
            "{answer}"
        );
    }
    let multipart = server.post("multipart/form-data; boundary=x", &[], b"--x--");
    assert_eq!(multipart.status, 415);
    // A form post is a request (tests/serve/requests.rs): without an e-mail, a page saying so.
    let form = server.post("application/x-www-form-urlencoded", &[], b"a=1");
    assert_eq!(form.status, 400);
    assert!(form.text().contains("e-mail address"), "{}", form.text());
    let get = server.get("/collect");
    assert_eq!(get.status, 405);
    assert!(server.leads().is_empty(), "nothing invalid was stored");
    assert!(server.leads_at("/api/leads?rejected=true").is_empty());
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
    assert_eq!(reply.status, 413);

    // Only the head is sent: the answer must come without waiting for 1 GB.
    let claim = b"POST /collect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n";
    assert_eq!(server.raw(claim).status, 413);
    assert_eq!(server.leads().len(), 1);
}

/// What a visitor could forge in the browser is kept for the record, marked `rejected`, and
/// never listed as a lead (nor pushed: tests/serve/delivery.rs).
#[test]
fn impossible_summaries_are_stored_rejected_and_never_shown_as_leads() {
    let server = Server::start(&site("impossible"), &["--rate-limit", "off"]);
    type Edit = fn(&mut Value);
    let forgeries: &[(&str, Edit)] = &[
        ("score 999", |s| s["score"] = json!(999)),
        ("unknown rule", |s| {
            s["reasons"][0]["rule"] = json!("wire_transfer")
        }),
        ("grade", |s| s["grade"] = json!("A1")),
        ("uncapped points", |s| {
            s["reasons"][0]["points"] = json!(60);
            s["engagement"] = json!(73);
            s["score"] = json!(117);
        }),
        ("sql below its threshold", |s| {
            s["reasons"] = json!([{"rule": "pricing_page", "points": 10}]);
            s["fit"] = json!(0);
            s["engagement"] = json!(10);
            s["score"] = json!(10);
            s["grade"] = json!("D1");
        }),
        ("no such route", |s| s["route"] = json!("vip")),
        ("coverage", |s| {
            s["frameworks"]["BANT"]["coverage"] = json!(100)
        }),
        ("a private slot", |s| {
            s["slots"]["email"] = json!("x@y.example")
        }),
    ];
    for (n, (what, edit)) in forgeries.iter().enumerate() {
        let mut forged = summary(n as u64 + 1);
        edit(&mut forged);
        let reply = server.post_json(&forged);
        assert_eq!(reply.status, 201, "{what}: {}", reply.text());
        assert_eq!(reply.json()["trust"], json!("rejected"), "{what}");
    }
    assert!(server.leads().is_empty(), "no forgery is listed");
    let kept = server.leads_at("/api/leads?rejected=true");
    assert_eq!(kept.len(), forgeries.len());
    for lead in &kept {
        assert_eq!(
            (&lead["trust"], &lead["status"]),
            (&json!("rejected"), &json!("marketing"))
        );
        assert!(
            lead["trustReason"].as_str().is_some_and(|r| !r.is_empty()),
            "{lead}"
        );
    }
    // A consistent summary for a model the collector does not know: arithmetic only, so it
    // is held for review (tests/serve/trust.rs).
    let mut other = summary(99);
    other["model"] = json!("00000000000000ff");
    let reply = server.post_json(&other);
    assert_eq!(
        reply.json()["trust"],
        json!("unchecked"),
        "{}",
        reply.text()
    );
    assert_eq!(server.leads()[0]["status"], json!("review"));
}

#[test]
fn a_shadow_models_view_is_stored_with_the_summary_and_checked() {
    let server = Server::start(&site("shadow"), &["--rate-limit", "off"]);
    let mut with_shadow = summary(1);
    with_shadow["shadow"] = json!({"model": "00000000000000aa", "score": 41, "stage": "mql"});
    assert_eq!(server.post_json(&with_shadow).status, 201);
    assert_eq!(
        server.leads()[0]["summary"]["shadow"],
        with_shadow["shadow"]
    );
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit)] = &[
        ("shadow.model", |s| s["shadow"]["model"] = json!("champion")),
        ("shadow.stage", |s| s["shadow"]["stage"] = json!("won")),
        ("shadow.score", |s| s["shadow"]["score"] = json!(1e9)),
        ("shadow.extra", |s| s["shadow"]["extra"] = json!(1)),
    ];
    for (path, edit) in cases {
        let mut bad = summary(2);
        bad["shadow"] = json!({"model": "00000000000000aa", "score": 41, "stage": "mql"});
        edit(&mut bad);
        let reply = server.post_json(&bad);
        assert_eq!(
            (reply.status, reply.json()["path"].clone()),
            (400, json!(path)),
            "{}",
            reply.text()
        );
    }
}
