//! Requests: a visitor who asks to be contacted reaches sales whatever the analytics consent —
//! as JSON from the tracker or the edge, or as a plain form post from a page without
//! JavaScript — with what they typed and the basis it was sent on, and nothing else.
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{mql, site, summary, Server};
use crate::receiver::Receiver;

/// tests/fixtures/request/valid.json: a demo request without analytics consent.
pub fn request() -> Value {
    let path = concat!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
        "/tests/fixtures/request/valid.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn request_n(n: u64) -> Value {
    let mut r = request();
    r["id"] = json!(format!("rq_{n:016x}"));
    r["at"] = json!(leadpulse::core::time::format_iso(
        leadpulse::core::time::parse_iso("2026-11-20T09:30:00.000Z").unwrap()
    ));
    r
}

fn owner_rules(dir: &std::path::Path) -> String {
    let path = dir.join("owners.json");
    std::fs::write(
        &path,
        r#"[{"owner": "enterprise-eve", "when": {"trait": "company.employee_count", "range": {"min": 1000}}}]"#,
    )
    .unwrap();
    path.display().to_string()
}

fn start_pushing(name: &str, receiver: &Receiver) -> Server {
    let dir = site(name);
    let rules = owner_rules(&dir);
    Server::start(
        &dir,
        &[
            "--rate-limit",
            "off",
            "--webhook",
            &receiver.url("/hook"),
            "--webhook-secret",
            "webhook-secret-for-the-tests",
            "--slack",
            &receiver.url("/slack"),
            "--owner",
            "ana",
            "--owner-rules",
            &rules,
        ],
    )
}

#[test]
fn a_request_without_consent_reaches_sales_with_what_was_typed_and_nothing_else() {
    let receiver = Receiver::start();
    let server = start_pushing("request-no-consent", &receiver);
    let reply = server.post_json(&request_n(1));
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["stored"], json!(true));
    let again = server.post_json(&request_n(1));
    assert_eq!(
        (again.status, &again.json()["stored"]),
        (200, &json!(false))
    );

    let hooks = receiver.wait_for(2, Duration::from_secs(10));
    let webhook = hooks.iter().find(|h| h.path == "/hook").unwrap().json();
    assert_eq!(webhook["type"], json!("lead.sql"));
    assert_eq!(webhook["lead"]["basis"], json!("request"));
    assert_eq!(webhook["lead"]["owner"], json!("enterprise-eve"));
    assert_eq!(webhook["summary"], Value::Null, "no behavioural data");
    assert_eq!(webhook["request"], request_n(1));
    let slack = hooks.iter().find(|h| h.path == "/slack").unwrap().json();
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.contains("New lead (demo form): Dana Lee* (VP Revenue Operations, Acme Logistics)"),
        "{text}"
    );
    assert!(
        text.contains("request only: no analytics consent"),
        "{text}"
    );
    assert!(
        text.contains("Message: We run 40 depots. / Can you show"),
        "{text}"
    );

    let lead = &server.leads()[0];
    assert_eq!(
        (
            &lead["visitor"],
            &lead["status"],
            &lead["stage"],
            &lead["basis"]
        ),
        (
            &json!("form:dana.lee@acme-logistics.example"),
            &json!("new"),
            &json!("sql"),
            &json!("request")
        )
    );
    for behavioural in [
        "score",
        "summary",
        "summaryId",
        "model",
        "revision",
        "source",
    ] {
        assert_eq!(lead[behavioural], Value::Null, "{behavioural}");
    }
    let page = server.api_get(&format!("/api/leads/{}", lead["id"])).json();
    assert_eq!(page["requests"][0]["basis"], json!("request"));
    assert_eq!(page["requests"][0]["request"], request_n(1));
    assert_eq!(
        page["history"][0]["reason"],
        json!("asked to be contacted (demo form)")
    );

    // The same person asking again (without consent, so without an id): the same lead.
    let mut second = request_n(2);
    second["fields"]["email"] = json!("Dana.Lee@Acme-Logistics.example");
    assert_eq!(server.post_json(&second).status, 201);
    let hooks = receiver.wait_for(4, Duration::from_secs(10));
    assert_eq!(server.leads().len(), 1);
    let last = hooks.iter().rfind(|h| h.path == "/hook").unwrap();
    assert_eq!(last.json()["type"], json!("lead.request"));
}

#[test]
fn a_request_with_consent_joins_the_visitors_lead() {
    let receiver = Receiver::start();
    let server = start_pushing("request-consent", &receiver);
    let mut asked = request_n(1);
    asked["basis"] = json!("consent");
    asked["visitor"] = json!("visitor-7");
    assert_eq!(server.post_json(&asked).status, 201);
    receiver.wait_for(2, Duration::from_secs(10));
    // The visitor's summaries land on the same lead.
    let mut summary_mql = mql(7);
    summary_mql["visitor"] = json!("visitor-7");
    assert_eq!(server.post_json(&summary_mql).status, 201);
    let leads = server.leads();
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(
        (&lead["basis"], &lead["status"], &lead["score"]),
        (&json!("consent"), &json!("new"), &summary_mql["score"])
    );
    assert_eq!(lead["request"]["fields"]["name"], json!("Dana Lee"));
    // An SQL lead sales has: a later request is pushed as such, the status stays.
    let sql = summary(8);
    assert_eq!(server.post_json(&sql).status, 201);
    receiver.wait_for(4, Duration::from_secs(10));
    let mut later = request_n(3);
    later["basis"] = json!("consent");
    later["visitor"] = json!("visitor-8");
    assert_eq!(server.post_json(&later).status, 201);
    let hooks = receiver.wait_for(6, Duration::from_secs(10));
    let types: Vec<Value> = hooks
        .iter()
        .filter(|h| h.path == "/hook")
        .map(|h| h.json()["type"].clone())
        .collect();
    assert_eq!(
        types,
        [json!("lead.sql"), json!("lead.sql"), json!("lead.request")]
    );
}

#[test]
fn a_form_post_without_javascript_is_a_request_and_goes_back_to_the_site() {
    let receiver = Receiver::start();
    let server = start_pushing("request-form", &receiver);
    let origin = format!("http://127.0.0.1:{}", server.port);
    let referer = format!("{origin}/demo?utm_source=google");
    let body =
        "leadpulse-form=demo&leadpulse-next=%2Frequested&name=Dana+Lee&email=dana%40acme.example\
                &employee_count=2500&message=Line+one%0D%0ALine+two&empty=";
    let reply = server.request(
        "POST",
        "/collect",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &origin),
            ("Referer", &referer),
        ],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(
        reply.header("location"),
        Some(format!("{origin}/requested").as_str())
    );
    let hooks = receiver.wait_for(2, Duration::from_secs(10));
    let request = &hooks.iter().find(|h| h.path == "/hook").unwrap().json()["request"];
    assert_eq!(
        (&request["form"], &request["page"], &request["basis"]),
        (&json!("demo"), &json!("/demo"), &json!("request"))
    );
    assert_eq!(
        request["fields"],
        json!({"email": "dana@acme.example", "employee_count": "2500",
               "message": "Line one\nLine two", "name": "Dana Lee"})
    );

    // Without a page to go back to, a thank-you page; without an e-mail, a page that says so.
    let plain = server.post(
        "application/x-www-form-urlencoded",
        &[],
        b"email=x%40y.example",
    );
    assert_eq!(plain.status, 200);
    assert!(plain.text().contains("Thanks, we have your request"));
    let missing = server.post("application/x-www-form-urlencoded", &[], b"name=No+Mail");
    assert_eq!(missing.status, 400);
    assert!(missing.text().contains("We need your e-mail address"));
    // Never a redirect off the site.
    let evil = server.request(
        "POST",
        "/collect",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &origin),
        ],
        b"email=x%40y.example&leadpulse-next=https%3A%2F%2Fevil.example%2F",
    );
    assert_eq!(evil.status, 200, "no redirect to another site");
}

#[test]
fn invalid_requests_are_refused_naming_the_path() {
    let server = Server::start(&site("request-invalid"), &["--rate-limit", "off"]);
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit)] = &[
        ("visitor", |r| r["visitor"] = json!("anon-1")),
        ("visitor", |r| r["basis"] = json!("consent")),
        ("basis", |r| r["basis"] = json!("maybe")),
        ("page", |r| {
            r["page"] = json!("/demo?email=dana%40acme.example")
        }),
        ("fields.email", |r| {
            r["fields"]["email"] = json!("not an address")
        }),
        ("fields.email", |r| {
            r["fields"].as_object_mut().unwrap().remove("email");
        }),
        ("form", |r| r["form"] = json!("Demo Form!")),
        ("id", |r| r["id"] = json!("lp_0000000000000001")),
        ("fields.message", |r| {
            r["fields"]["message"] = json!("a\u{202e}b")
        }),
        ("fields.password", |r| r["fields"]["password"] = json!(7)),
        ("extra", |r| r["extra"] = json!(1)),
    ];
    for (n, (path, edit)) in cases.iter().enumerate() {
        let mut bad = request_n(n as u64 + 1);
        edit(&mut bad);
        let reply = server.post_json(&bad);
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        let answer = reply.json();
        assert_eq!(answer["path"], json!(path), "{answer}");
    }
    assert!(server.leads_at("/api/leads?rejected=true").is_empty());
}

#[test]
fn one_person_is_one_lead_whichever_comes_first() {
    let receiver = Receiver::start();
    let server = start_pushing("request-one-person", &receiver);
    // A request without consent, then the same person's consented summary (their e-mail in it).
    assert_eq!(server.post_json(&request_n(1)).status, 201);
    let mut sql = summary(1);
    sql["traits"]["email"] = json!("Dana.Lee@acme-logistics.example");
    assert_eq!(server.post_json(&sql).status, 201, "the summary is stored");
    let leads = server.leads();
    assert_eq!(leads.len(), 1, "{leads:?}");
    assert_eq!(
        (
            &leads[0]["visitor"],
            &leads[0]["basis"],
            &leads[0]["request"]["id"]
        ),
        (&json!("visitor-1"), &json!("consent"), &request_n(1)["id"])
    );
    // A consented lead first, then a request without consent from the same address.
    let mut other = summary(2);
    other["traits"]["email"] = json!("kim@bolt.example");
    assert_eq!(server.post_json(&other).status, 201);
    let mut asked = request_n(3);
    asked["fields"]["email"] = json!("KIM@bolt.example");
    assert_eq!(server.post_json(&asked).status, 201);
    let leads = server.leads();
    assert_eq!(leads.len(), 2);
    let kim = leads.iter().find(|l| l["visitor"] == "visitor-2").unwrap();
    assert_eq!(kim["request"]["id"], asked["id"]);
}
