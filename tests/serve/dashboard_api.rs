//! What the API gives the dashboard beside the stored rows: every question a visitor typed
//! (a summary carries only the latest three), and the steps sales may take from each lead's
//! status with what each asks for — the one set of rules the API itself enforces.
use serde_json::{json, Value};

use crate::harness::{revision, site, summary, Server};

fn post(server: &Server, body: &Value) -> i64 {
    let reply = server.post_json(body);
    assert!(matches!(reply.status, 200 | 201), "{}", reply.text());
    reply.json()["lead"].as_i64().expect("lead id")
}

fn feedback(server: &Server, lead: i64, body: Value) -> (u16, Value) {
    let reply = server.api_post(&format!("/api/leads/{lead}/feedback"), &body);
    (reply.status, reply.json())
}

#[test]
fn a_lead_keeps_every_question_its_visitor_typed_in_order_and_once() {
    let server = Server::start(&site("questions"), &["--rate-limit", "off"]);
    // The engine lists the latest three, newest first: the first one falls out at the fourth.
    let lists = [
        json!(["First: does it work with Salesforce?"]),
        json!(["Second: SOC 2?", "First: does it work with Salesforce?"]),
        json!([
            "Third: how long to set up?",
            "Second: SOC 2?",
            "First: does it work with Salesforce?"
        ]),
        json!([
            "Fourth: a price for 50 seats?",
            "Third: how long to set up?",
            "Second: SOC 2?"
        ]),
    ];
    let mut lead = 0;
    for (i, questions) in lists.iter().enumerate() {
        let mut body = revision(3, u32::try_from(i).unwrap() + 1);
        body["questions"] = questions.clone();
        lead = post(&server, &body);
    }
    // An impossible summary (its score is not fit + engagement) is kept, but its text is not
    // the visitor's.
    let mut forged = revision(3, 5);
    forged["score"] = json!(999);
    forged["questions"] = json!(["Forged: not typed by the visitor"]);
    assert_eq!(post(&server, &forged), lead);
    // The chat's request carries the questions asked, one a line; what is new joins the end.
    let mut request: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
            "/tests/fixtures/request/valid.json"
        ))
        .unwrap(),
    )
    .unwrap();
    request["id"] = json!("rq_00000000000000a1");
    request["form"] = json!("chat");
    request["basis"] = json!("consent");
    request["visitor"] = json!("visitor-3");
    request["at"] = json!(leadpulse::core::time::format_iso(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
        )
        .unwrap()
    ));
    request["fields"]["message"] =
        json!("Third: how long to set up?\n  Fifth: can we pay yearly?  ");
    assert_eq!(post(&server, &request), lead);

    let every = json!([
        "First: does it work with Salesforce?",
        "Second: SOC 2?",
        "Third: how long to set up?",
        "Fourth: a price for 50 seats?",
        "Fifth: can we pay yearly?"
    ]);
    let page = server.api_get(&format!("/api/leads/{lead}")).json();
    assert_eq!(page["lead"]["questions"], every);
    assert_eq!(
        page["lead"]["summary"]["questions"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "the summary itself is as received"
    );
    let listed = server.leads();
    assert_eq!(listed[0]["questions"], every, "the list carries them too");
}

#[test]
fn each_lead_says_which_steps_are_allowed_and_the_api_holds_them_to_it() {
    let server = Server::start(&site("steps"), &["--rate-limit", "off"]);
    let lead = post(&server, &summary(1));
    let allowed = |server: &Server| server.leads()[0]["allowed"].clone();
    assert_eq!(
        allowed(&server),
        json!([
            {"status": "accepted", "reason": null, "amount": null},
            {"status": "rejected", "reason": "required", "amount": null}
        ])
    );

    // Accepting takes nothing else; a reason or an amount with it is refused, naming it.
    for (body, path) in [
        (json!({"status": "accepted", "amount": 5}), "amount"),
        (json!({"status": "accepted", "reason": "hot"}), "reason"),
    ] {
        let (status, answer) = feedback(&server, lead, body);
        assert_eq!((status, &answer["path"]), (400, &json!(path)), "{answer}");
    }
    assert_eq!(
        feedback(&server, lead, json!({"status": "accepted"})).0,
        200
    );
    assert_eq!(
        allowed(&server),
        json!([
            {"status": "opportunity", "reason": null, "amount": "optional"},
            {"status": "rejected", "reason": "required", "amount": null},
            {"status": "lost", "reason": "required", "amount": null}
        ])
    );

    // Lost needs a reason, as in the dashboard: a blank one is none.
    for body in [
        json!({"status": "lost"}),
        json!({"status": "lost", "reason": "   "}),
    ] {
        let (status, answer) = feedback(&server, lead, body);
        assert_eq!(
            (status, &answer["path"]),
            (400, &json!("reason")),
            "{answer}"
        );
    }
    assert_eq!(server.leads()[0]["status"], json!("accepted"), "untouched");

    assert_eq!(
        feedback(&server, lead, json!({"status": "opportunity"})).0,
        200
    );
    let (status, answer) = feedback(&server, lead, json!({"status": "won"}));
    assert_eq!(
        (status, &answer["path"]),
        (400, &json!("amount")),
        "{answer}"
    );
    let (status, answer) = feedback(
        &server,
        lead,
        json!({"status": "won", "amount": 48000, "by": "ana"}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lead"]["allowed"], json!([]), "won is final");
    // A step that may not follow is a 409 first, whatever its fields.
    let (status, answer) = feedback(&server, lead, json!({"status": "lost"}));
    assert_eq!((status, &answer["allowed"]), (409, &json!([])));
}
