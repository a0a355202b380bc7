//! Two collectors on one PostgreSQL database (docs/collector.md, "Two instances on
//! PostgreSQL"): each delivery is made once whichever collector claims it, of two conflicting
//! steps for one lead one wins and the other gets 409, a response-time reminder is sent once,
//! lead ids stay unique; and a database that goes down gets 503 with Retry-After, nothing
//! acknowledged that was not stored, until it is back. SQLite has one collector per file:
//! these tests say so and return there.
use std::collections::BTreeSet;
use std::sync::Barrier;
use std::time::Duration;

use serde_json::{json, Value};

use crate::delivery::{outbox_empty, pushing_to, start};
use crate::harness::{on_postgres, serve_command_on, site, summary, Server};
use crate::postgres::{Cluster, PASSWORD};
use crate::receiver::Receiver;
use crate::sla::{about, page, types};

const WAIT: Duration = Duration::from_secs(30);

fn postgres_only() -> bool {
    if !on_postgres() {
        println!("skipped on SQLite: one collector per file (LEADPULSE_TEST_DB=postgres runs it)");
    }
    !on_postgres()
}

/// Runs `a` and `b` on two threads released at the same moment; their results.
fn at_once<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    let start = Barrier::new(2);
    std::thread::scope(|scope| {
        let a = scope.spawn(|| {
            start.wait();
            a()
        });
        let b = scope.spawn(|| {
            start.wait();
            b()
        });
        (a.join().unwrap(), b.join().unwrap())
    })
}

fn lead_of(reply: &crate::harness::Reply) -> i64 {
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["lead"].as_i64().unwrap()
}

#[test]
fn every_sql_is_delivered_once_and_ids_stay_unique_across_two_collectors() {
    if postgres_only() {
        return;
    }
    let hook = Receiver::start();
    let dir = site("two-outbox");
    let args = pushing_to(&hook.url("/hook"));
    let (a, b) = (start(&dir, &args), start(&dir, &args));
    const EACH: u64 = 15;
    // Both take summaries at once, each new visitor a new lead; the same visitor sent to both
    // at once (visitor 100) is one lead.
    let post_all = |server: &Server, first: u64| -> Vec<i64> {
        let mut leads: Vec<i64> = (first..first + EACH)
            .map(|n| lead_of(&server.post_json(&summary(n))))
            .collect();
        // NOTE: 201 from the collector that stored it, 200 (`stored: false`) from the other.
        let reply = server.post_json(&summary(100));
        assert!(matches!(reply.status, 200 | 201), "{}", reply.text());
        leads.push(reply.json()["lead"].as_i64().unwrap());
        leads
    };
    let (from_a, from_b) = at_once(|| post_all(&a, 0), || post_all(&b, EACH));
    assert_eq!(from_a.last(), from_b.last(), "one visitor, one lead");
    let ids: BTreeSet<i64> = from_a.iter().chain(&from_b).copied().collect();
    assert_eq!(ids.len() as u64, 2 * EACH + 1, "{from_a:?} {from_b:?}");
    assert_eq!(b.leads_at("/api/leads?limit=100").len(), ids.len());

    // The marker: nothing left to deliver, as either collector sees it.
    outbox_empty(&a, WAIT);
    outbox_empty(&b, WAIT);
    let hooks = hook.hooks();
    let keys: Vec<&str> = hooks
        .iter()
        .map(|h| h.header("idempotency-key").expect("a key"))
        .collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(
        (keys.len(), unique.len()),
        (ids.len(), ids.len()),
        "each SQL delivered once: {keys:?}"
    );
}

#[test]
fn conflicting_steps_sent_to_two_collectors_at_once_one_wins_the_other_gets_409() {
    if postgres_only() {
        return;
    }
    let dir = site("two-feedback");
    let (a, b) = (
        Server::start(&dir, &["--rate-limit", "off"]),
        Server::start(&dir, &["--rate-limit", "off"]),
    );
    for n in 0..5 {
        let lead = lead_of(&a.post_json(&summary(n)));
        let target = format!("/api/leads/{lead}/feedback");
        for step in ["accepted", "opportunity"] {
            let reply = a.api_post(&target, &json!({ "status": step }));
            assert_eq!(reply.status, 200, "{}", reply.text());
        }
        // Won and lost each may follow an opportunity, neither may follow the other.
        let won = json!({"status": "won", "amount": 1200});
        let lost = json!({"status": "lost", "reason": "chose a competitor"});
        let (to_a, to_b) = at_once(|| a.api_post(&target, &won), || b.api_post(&target, &lost));
        let mut statuses = [to_a.status, to_b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} / {}", to_a.text(), to_b.text());
        let (winner, loser) = if to_a.status == 200 {
            ("won", &to_b)
        } else {
            ("lost", &to_a)
        };
        assert_eq!(loser.json()["status"], json!(winner), "{}", loser.text());
        let page: Value = b.api_get(&format!("/api/leads/{lead}")).json();
        assert_eq!(page["lead"]["status"], json!(winner));
        let steps: Vec<(&str, &str)> = page["history"]
            .as_array()
            .unwrap()
            .iter()
            // NOTE: the first entry is the lead's arrival (from nothing to new).
            .filter_map(|h| Some((h["from"].as_str()?, h["to"].as_str()?)))
            .collect();
        assert_eq!(
            steps,
            [
                ("new", "accepted"),
                ("accepted", "opportunity"),
                ("opportunity", winner)
            ],
            "{page}"
        );
    }
}

#[test]
fn a_late_sql_is_reminded_and_moved_once_by_two_collectors() {
    if postgres_only() {
        return;
    }
    let (hook, slack) = (Receiver::start(), Receiver::start());
    let dir = site("two-sla");
    let args = crate::sla::args(&hook, &slack, "1s");
    let (a, b) = (start(&dir, &args), start(&dir, &args));
    let late = lead_of(&a.post_json(&summary(1)));
    // The marker: ben's window ended, after the reminder, the move and ben's reminder.
    b.until("ben's window to end", WAIT, |s| {
        page(s, late)["sla"]["endedAt"].is_string().then_some(())
    });
    outbox_empty(&a, WAIT);
    let hooks = hook.hooks();
    let bodies = about(&hooks, late);
    assert_eq!(
        types(&bodies),
        ["lead.sql", "lead.sla", "lead.reassigned", "lead.sla"],
        "each once, though both collectors look every 50 ms: {bodies:#?}"
    );
    let history = page(&b, late)["history"].as_array().unwrap().clone();
    let moves = history.iter().filter(|h| h["owner"] == "ben").count();
    assert_eq!(moves, 1, "{history:#?}");
}

#[test]
fn a_database_that_goes_down_gets_503_and_nothing_unstored_is_acknowledged() {
    if postgres_only() {
        return;
    }
    // NOTE: a cluster of its own: stopping the shared one would fail every other test.
    let mut cluster = Cluster::start("outage");
    let url = cluster.url(&cluster.create_database("outage"));
    let dir = site("two-outage");
    let serve = |args: &[&str]| serve_command_on(&dir, &url, args);
    let server = Server::start_command(&dir, serve(&["--rate-limit", "off"]));
    assert_eq!(server.post_json(&summary(1)).status, 201);

    cluster.stop();
    let reply = server.post_json(&summary(3));
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.header("retry-after"), Some("5"));
    let reply = server.api_get("/api/leads");
    assert_eq!(
        (reply.status, reply.header("retry-after")),
        (503, Some("5"))
    );
    // A collector started meanwhile says what is wrong, without the password.
    let out = serve(&[])
        .arg("--api-token")
        .arg(crate::harness::TOKEN)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("cannot reach PostgreSQL"),
        "{stderr}"
    );
    assert!(!stderr.contains(PASSWORD), "{stderr}");

    cluster.start_again();
    // The marker: the collector stores again once the database is back (a tracker's resend;
    // visitor 3's summary, refused with 503, is not sent again).
    server.until("a summary stored again", WAIT, |s| {
        (s.post_json(&summary(2)).status == 201).then_some(())
    });
    let visitors: BTreeSet<String> = server
        .leads()
        .iter()
        .map(|l| l["visitor"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        visitors,
        ["visitor-1", "visitor-2"].map(String::from).into(),
        "what was acknowledged, and nothing else"
    );
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("database unavailable") && !log.contains(PASSWORD));
}
