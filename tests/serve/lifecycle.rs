//! A lead's life at the collector: revisions, owners, sales feedback and its audit trail.
use serde_json::{json, Value};

use crate::harness::{add_user, fixture, mql, revision, site, summary, Server};

fn lead_id(server: &Server, summary: &Value) -> i64 {
    let reply = server.post_json(summary);
    assert!(matches!(reply.status, 200 | 201), "{}", reply.text());
    reply.json()["lead"].as_i64().expect("lead id")
}

fn feedback(server: &Server, lead: i64, body: Value) -> (u16, Value) {
    let reply = server.api_post(&format!("/api/leads/{lead}/feedback"), &body);
    (reply.status, reply.json())
}

/// Feedback with a user's own token.
fn feedback_as(server: &Server, token: &str, lead: i64, body: Value) -> (u16, Value) {
    let reply = server.api_post_as(token, &format!("/api/leads/{lead}/feedback"), &body);
    (reply.status, reply.json())
}

#[test]
fn sales_moves_a_lead_along_and_every_step_is_recorded() {
    let dir = site("feedback");
    let ana = add_user(&dir, "ana", "rep");
    let server = Server::start(&dir, &["--rate-limit", "off"]);
    let lead = lead_id(&server, &summary(1));

    // Not yet possible from `new`: the answer lists what is.
    let (status, body) = feedback(&server, lead, json!({"status": "won", "amount": 1000}));
    assert_eq!(
        (status, &body["status"], &body["allowed"]),
        (409, &json!("new"), &json!(["accepted", "rejected"]))
    );

    let (status, body) = feedback_as(&server, &ana, lead, json!({"status": "accepted"}));
    assert_eq!(
        (status, &body["lead"]["status"]),
        (200, &json!("accepted")),
        "{body}"
    );
    assert!(body["lead"]["acceptedAt"].is_string());
    let (status, _) = feedback_as(
        &server,
        &ana,
        lead,
        json!({"status": "opportunity", "amount": 12000}),
    );
    assert_eq!(status, 200);
    let (status, body) = feedback_as(
        &server,
        &ana,
        lead,
        json!({"status": "won", "amount": 15000}),
    );
    assert_eq!((status, &body["lead"]["amount"]), (200, &json!(15000.0)));
    assert!(body["lead"]["closedAt"].is_string());
    let (status, body) = feedback(&server, lead, json!({"status": "lost"}));
    assert_eq!(
        (status, &body["allowed"]),
        (409, &json!([])),
        "won is final"
    );

    let page = server.api_get(&format!("/api/leads/{lead}")).json();
    let steps: Vec<(Value, Value, Value)> = page["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["by"].clone(), h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!("leadpulse"), Value::Null, json!("new")),
            (json!("ana"), json!("new"), json!("accepted")),
            (json!("ana"), json!("accepted"), json!("opportunity")),
            (json!("ana"), json!("opportunity"), json!("won")),
        ]
    );
    assert!(page["history"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["at"].as_str().is_some_and(|t| t.ends_with('Z'))));
    assert_eq!(page["revisions"].as_array().unwrap().len(), 1);
}

#[test]
fn feedback_is_checked_and_names_what_is_wrong() {
    let server = Server::start(&site("feedback-bad"), &["--rate-limit", "off"]);
    let lead = lead_id(&server, &summary(1));
    let marketing = lead_id(&server, &mql(2));
    let cases: &[(Value, &str)] = &[
        (json!({"status": "hot"}), "status"),
        (json!({"status": "new"}), "status"),
        (json!({}), "status"),
        (json!({"status": "rejected"}), "reason"),
        (json!({"status": "rejected", "reason": "  "}), "reason"),
        (json!({"status": "accepted", "amount": -5}), "amount"),
        (json!({"status": "accepted", "amount": "5"}), "amount"),
        (
            json!({"status": "accepted", "reason": "x".repeat(501)}),
            "reason",
        ),
        (json!({"status": "accepted", "by": "b".repeat(129)}), "by"),
        (json!({"status": "accepted", "note": "?"}), "note"),
        (json!(["accepted"]), ""),
    ];
    for (body, path) in cases {
        let (status, answer) = feedback(&server, lead, body.clone());
        assert_eq!(
            (status, &answer["path"]),
            (400, &json!(path)),
            "{body}: {answer}"
        );
    }
    let not_json = server.request(
        "POST",
        &format!("/api/leads/{lead}/feedback"),
        &[(
            "Authorization",
            &format!("Bearer {}", crate::harness::TOKEN),
        )],
        b"{\"status\":",
    );
    assert_eq!(not_json.status, 400);
    assert_eq!(
        feedback(&server, 999_999, json!({"status": "accepted"})).0,
        404
    );
    assert_eq!(
        feedback(&server, lead, json!({"status": "accepted"})).0,
        200,
        "still untouched before"
    );
    // Marketing's own leads (MQLs) are not sales' to answer.
    let (status, body) = feedback(&server, marketing, json!({"status": "accepted"}));
    assert_eq!((status, &body["status"]), (409, &json!("marketing")));
    assert_eq!(server.api_get("/api/leads/not-a-number").status, 404);
}

/// Revision `revision` of visitor `n`'s lead with `points` more engagement than the fixture's
/// (the grade following: the built-in model's engagement grade 1 starts at 40).
fn raised(n: u64, revision: u32, points: i64) -> Value {
    let mut summary = crate::harness::revision(n, revision);
    let engagement = summary["engagement"].as_i64().unwrap() + points;
    summary["engagement"] = json!(engagement);
    summary["score"] = json!(summary["score"].as_i64().unwrap() + points);
    let fit = &summary["grade"].as_str().unwrap()[..1].to_string();
    summary["grade"] = json!(format!("{fit}{}", if engagement >= 40 { 1 } else { 2 }));
    summary
}

#[test]
fn revisions_update_the_lead_and_a_rejected_lead_comes_back_once_it_rearms() {
    let dir = site("revisions");
    let ben = add_user(&dir, "ben", "rep");
    let server = Server::start(&dir, &["--rate-limit", "off"]);
    let lead = lead_id(&server, &revision(5, 1));
    let (status, _) = feedback_as(
        &server,
        &ben,
        lead,
        json!({"status": "rejected", "reason": "no budget yet"}),
    );
    assert_eq!(status, 200);
    assert_eq!(server.leads()[0]["status"], json!("rejected"));

    // Revision 3 arrives before revision 2 (retries race): the latest stays the latest. Still
    // browsing, 19 points up: the built-in model re-arms at 20, so sales is not asked again.
    let mut third = raised(5, 3, 19);
    third["questions"] = json!(["Can we start next month?"]);
    assert_eq!(lead_id(&server, &third), lead);
    assert_eq!(lead_id(&server, &raised(5, 2, 5)), lead);
    let leads = server.leads();
    assert_eq!(leads.len(), 1);
    assert_eq!(
        (&leads[0]["revision"], &leads[0]["summaryId"]),
        (&json!(3), &third["id"])
    );
    assert_eq!(
        leads[0]["status"],
        json!("rejected"),
        "not re-armed: marketing keeps it"
    );
    assert_eq!(
        leads[0]["summary"]["questions"],
        json!(["Can we start next month?"])
    );
    // 20 points above the score it was sent back with: qualified anew, back to sales.
    assert_eq!(lead_id(&server, &raised(5, 4, 20)), lead);
    assert_eq!(server.leads()[0]["status"], json!("new"), "re-armed");

    let page = server.api_get(&format!("/api/leads/{lead}")).json();
    let revisions: Vec<Value> = page["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].clone())
        .collect();
    assert_eq!(revisions, [json!(1), json!(2), json!(3), json!(4)]);
    let rejected = &page["history"][1];
    assert_eq!(
        (&rejected["to"], &rejected["reason"], &rejected["by"]),
        (&json!("rejected"), &json!("no budget yet"), &json!("ben"))
    );
    assert_eq!(page["history"].as_array().unwrap().len(), 3);
    assert_eq!(page["history"][2]["to"], json!("new"));

    // An MQL first: marketing's; its SQL revision hands it to sales.
    let mut first = mql(6);
    first["revision"] = json!(1);
    let later = lead_id(&server, &first);
    assert_eq!(server.leads_at("/api/leads?status=marketing").len(), 1);
    assert_eq!(lead_id(&server, &revision(6, 2)), later);
    assert!(server.leads_at("/api/leads?status=marketing").is_empty());
    let page = server.api_get(&format!("/api/leads/{later}")).json();
    assert!(
        page["lead"]["mqlAt"].is_string() && page["lead"]["sqlAt"].is_string(),
        "{page}"
    );
}

/// The model says how a lead re-arms (`stages.sql.rearmPoints`): the collector applies the one
/// its summaries name.
#[test]
fn a_model_of_its_own_says_how_many_points_re_arm_a_rejected_lead() {
    let dir = site("rearm-model");
    let mut doc: Value = serde_json::from_str(leadpulse::core::model::BUILTIN_JSON).unwrap();
    doc["stages"]["sql"]["rearmPoints"] = json!(5);
    let path = dir.join("rearm-5.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let hash = leadpulse::core::model::Model::from_json_text(&doc.to_string())
        .unwrap()
        .hash;
    let server = Server::start(
        &dir,
        &["--rate-limit", "off", "--model", path.to_str().unwrap()],
    );
    let ours = |revision: u32, points: i64| {
        let mut summary = raised(7, revision, points);
        summary["model"] = json!(hash);
        summary
    };
    let lead = lead_id(&server, &ours(1, 0));
    assert_eq!(
        server.leads()[0]["trust"],
        json!("unverified"),
        "a model it knows"
    );
    let (status, _) = feedback(
        &server,
        lead,
        json!({"status": "rejected", "reason": "wrong team"}),
    );
    assert_eq!(status, 200);
    lead_id(&server, &ours(2, 4));
    assert_eq!(server.leads()[0]["status"], json!("rejected"), "4 < 5");
    lead_id(&server, &ours(3, 5));
    assert_eq!(
        server.leads()[0]["status"],
        json!("new"),
        "5 points: re-armed"
    );
}

#[test]
fn new_sqls_get_owners_by_rule_then_in_turn() {
    let dir = site("owners");
    let rules = dir.join("owners.json");
    std::fs::write(
        &rules,
        r#"[{"owner": "enterprise-eve", "when": {"trait": "company.employee_count", "range": {"min": 1000}}}]"#,
    )
    .unwrap();
    let server = Server::start(
        &dir,
        &[
            "--rate-limit",
            "off",
            "--owner",
            "ana",
            "--owner",
            "ben",
            "--owner-rules",
            rules.to_str().unwrap(),
        ],
    );
    let mut big = summary(10);
    big["traits"]["company.employee_count"] = json!(5000);
    let owners: Vec<Value> = [summary(1), summary(2), big, summary(3)]
        .iter()
        .map(|s| {
            let lead = lead_id(&server, s);
            server.api_get(&format!("/api/leads/{lead}")).json()["lead"]["owner"].clone()
        })
        .collect();
    assert_eq!(owners[2], json!("enterprise-eve"));
    let turns: Vec<&Value> = [&owners[0], &owners[1], &owners[3]].into_iter().collect();
    assert!(
        turns.iter().all(|o| *o == "ana" || *o == "ben"),
        "{owners:?}"
    );
    assert_ne!(owners[0], owners[1], "in turn: {owners:?}");
    // MQLs stay marketing's: no owner.
    let marketing = lead_id(&server, &mql(20));
    assert_eq!(
        server.api_get(&format!("/api/leads/{marketing}")).json()["lead"]["owner"],
        Value::Null
    );
}

/// Stages only go forward in the engine: an MQL revision numbered after the lead's SQL one
/// comes from rolled-back state (a replayed edge cookie) and must not become the lead.
#[test]
fn an_mql_revision_after_the_sql_is_kept_but_never_the_lead() {
    let server = Server::start(&site("backwards"), &["--rate-limit", "off"]);
    let lead = lead_id(&server, &revision(8, 2));
    let mut rolled_back = revision(8, 3);
    rolled_back["stage"] = json!("mql");
    assert_eq!(lead_id(&server, &rolled_back), lead);
    let leads = server.leads();
    assert_eq!(
        (&leads[0]["stage"], &leads[0]["summary"]["stage"]),
        (&json!("sql"), &json!("sql"))
    );
    assert_eq!(leads[0]["revision"], json!(2));
    let page = server.api_get(&format!("/api/leads/{lead}")).json();
    assert_eq!(
        page["revisions"].as_array().unwrap().len(),
        2,
        "kept in the history"
    );
}

/// `report` compares champion and challenger on the leads whose summaries carried a shadow
/// model's view, with what sales did with each model's SQLs.
#[test]
fn report_compares_champion_and_challenger_on_outcomes() {
    let dir = site("challenger");
    let server = Server::start(&dir, &["--rate-limit", "off"]);
    let shadow = |stage: &str| json!({"model": "00000000000000cc", "score": 40, "stage": stage});
    // Lead 1: SQL for both, won. Lead 2: SQL for the champion only, rejected. Lead 3: an MQL
    // the challenger calls an SQL. Lead 4: no shadow (left out).
    let mut one = summary(1);
    one["shadow"] = shadow("sql");
    let mut two = summary(2);
    two["shadow"] = shadow("mql");
    let mut three = mql(3);
    three["shadow"] = shadow("sql");
    let ids: Vec<i64> = [one, two, three, summary(4)]
        .iter()
        .map(|s| lead_id(&server, s))
        .collect();
    for (status, extra) in [
        ("accepted", json!({})),
        ("opportunity", json!({})),
        ("won", json!({"amount": 9000})),
    ] {
        let mut body = extra;
        body["status"] = json!(status);
        assert_eq!(feedback(&server, ids[0], body).0, 200);
    }
    assert_eq!(
        feedback(
            &server,
            ids[1],
            json!({"status": "rejected", "reason": "no budget"})
        )
        .0,
        200
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .args(["report", "--json", "--db"])
        .arg(crate::harness::store(&dir))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let champion = fixture()["model"].clone();
    assert_eq!(
        report["challengers"],
        json!([{
            "champion": champion, "challenger": "00000000000000cc", "leads": 3,
            "championSqls": 2, "challengerSqls": 2, "bothSqls": 1,
            "championSqlsAccepted": 1, "challengerSqlsAccepted": 1,
            "championSqlsWon": 1, "challengerSqlsWon": 1,
            "challengerScoreMin": 40, "challengerScoreMax": 40
        }]),
        "three leads scored alike is no warning"
    );
}

/// A challenger whose rules never fire on this site (traits it tests are never sent) scores
/// every lead alike: the report says so, in the JSON, on stderr and in the table.
#[test]
fn report_warns_about_a_challenger_that_scores_every_lead_alike() {
    let dir = site("challenger-alike");
    let server = Server::start(&dir, &["--rate-limit", "off"]);
    for n in 1..=5 {
        let mut lead = summary(n);
        lead["shadow"] = json!({"model": "00000000000000dd", "score": -94, "stage": "visitor"});
        lead_id(&server, &lead);
    }
    let report = |json: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leadpulse"));
        command.arg("report");
        if json {
            command.arg("--json");
        }
        let out = command
            .arg("--db")
            .arg(crate::harness::store(&dir))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (stdout, stderr) = report(true);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let warning = json["challengers"][0]["warning"]
        .as_str()
        .expect("a warning");
    assert!(
        warning.contains("00000000000000dd scored all 5 leads -94")
            && warning.contains("validate --against"),
        "{warning}"
    );
    assert!(stderr.contains(warning), "{stderr}");
    let (table, _) = report(false);
    assert!(table.contains(&format!("warning: {warning}")), "{table}");
}
