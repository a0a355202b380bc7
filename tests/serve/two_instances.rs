//! Two collectors on one PostgreSQL database (docs/collector.md, "Two instances on
//! PostgreSQL"): each delivery is made once whichever collector claims it, of two conflicting
//! steps for one lead one wins and the other gets 409, a response-time reminder is sent once,
//! lead ids stay unique; a database that goes down gets 503 with Retry-After, nothing
//! acknowledged that was not stored, until it is back; and 10,000 summaries through three
//! `kill -9`s lose nothing acknowledged, every delivery arriving at least once. SQLite has one
//! collector per file: these tests say so and return there.
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::delivery::{outbox_empty, pushing_to, start};
use crate::harness::{on_postgres, serve_command_on, site, summary, Reply, Server};
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
    let down = Instant::now();
    let reply = server.post_json(&summary(3));
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.header("retry-after"), Some("5"));
    // Ten seconds down, as a managed database's failover takes: every summary meanwhile is
    // answered 503 (none hangs, none is acknowledged). Posting is the activity here, not a sleep.
    let mut refused = 0;
    while down.elapsed() < Duration::from_secs(10) {
        let reply = server.post_json(&summary(1_000 + refused));
        assert_eq!(reply.status, 503, "{}", reply.text());
        refused += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("database down 10 s: {refused} summaries answered 503 meanwhile");
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

/// `POST /collect` of `body` to the collector on `port`, or `None` when it is not there (being
/// killed, or killed: refused, reset, or closed before a whole reply).
fn try_post(port: u16, body: &[u8]) -> Option<Reply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let head = format!(
        "POST /collect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).ok()?;
    bytes
        .windows(4)
        .any(|w| w == b"\r\n\r\n")
        .then(|| Reply::parse(&bytes))
}

#[test]
fn ten_thousand_summaries_through_three_kill_9s_lose_nothing_acknowledged() {
    if postgres_only() {
        return;
    }
    const POSTS: usize = 10_000;
    const CLIENTS: usize = 4;
    /// Acknowledged summaries after which an instance is killed: A, then B, then A.
    const KILLS: [(usize, usize); 3] = [(2_500, 0), (5_000, 1), (7_500, 0)];
    /// Deliveries one collector has in flight to one webhook at most (outbox CONCURRENCY):
    /// what a `kill -9` can leave sent but not recorded as delivered.
    const IN_FLIGHT: usize = 4;
    let began = Instant::now();
    let hook = Receiver::start();
    let dir = site("two-kill-9");
    let mut args = pushing_to(&hook.url("/hook"));
    // NOTE: a killed collector's claims run out after 1 s instead of 60.
    args.extend(["--outbox-claim-ms", "1000"].map(String::from));
    let mut servers = [Some(start(&dir, &args)), Some(start(&dir, &args))];
    let ports = servers
        .each_ref()
        .map(|s| AtomicU16::new(s.as_ref().unwrap().port));
    let bodies: Vec<Vec<u8>> = (0..POSTS as u64)
        .map(|n| summary(n).to_string().into_bytes())
        .collect();
    let next = AtomicUsize::new(0);
    let acknowledged = AtomicUsize::new(0);
    // Attempts that got no reply (their collector killed, or not started again yet): each
    // post is sent again to the other collector, as a load balancer would, until answered.
    let unanswered = AtomicUsize::new(0);
    let mut kills: Vec<Instant> = Vec::new();

    // Visitor n → the lead the collector acknowledged it as.
    let leads: BTreeMap<usize, i64> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        if n >= POSTS {
                            return mine;
                        }
                        let deadline = Instant::now() + WAIT;
                        // Alternately A and B; the other one when it does not answer.
                        for turn in n % 2.. {
                            let port = ports[turn % 2].load(Ordering::SeqCst);
                            match try_post(port, &bodies[n]) {
                                Some(reply) => {
                                    assert!(
                                        matches!(reply.status, 200 | 201),
                                        "visitor-{n}: {} {}",
                                        reply.status,
                                        reply.text()
                                    );
                                    mine.push((n, reply.json()["lead"].as_i64().unwrap()));
                                    acknowledged.fetch_add(1, Ordering::SeqCst);
                                    break;
                                }
                                None => {
                                    unanswered.fetch_add(1, Ordering::SeqCst);
                                    assert!(Instant::now() < deadline, "visitor-{n} unanswered");
                                    if turn > n % 2 {
                                        // NOTE: both refused: the killed one is starting again.
                                        std::thread::sleep(Duration::from_millis(10));
                                    }
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        for (after, which) in KILLS {
            // The marker: that many summaries acknowledged.
            let deadline = Instant::now() + WAIT;
            while acknowledged.load(Ordering::SeqCst) < after {
                assert!(
                    Instant::now() < deadline,
                    "{after} acknowledged in {WAIT:?}"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            kills.push(Instant::now());
            servers[which].take().unwrap().kill();
            let again = start(&dir, &args);
            ports[which].store(again.port, Ordering::SeqCst);
            servers[which] = Some(again);
            println!(
                "kill -9 of {} after {after} acknowledged at {:.1?}, started again in {:.1?}",
                ["A", "B"][which],
                kills.last().unwrap().duration_since(began),
                kills.last().unwrap().elapsed()
            );
        }
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    let posted = began.elapsed();
    let [Some(a), Some(b)] = &servers else {
        unreachable!()
    };

    // The marker: nothing left to deliver, as either collector sees it, none given up on.
    outbox_empty(a, Duration::from_secs(180));
    outbox_empty(b, WAIT);
    assert_eq!((a.dead().len(), b.dead().len()), (0, 0));
    let drained = began.elapsed();

    // 0 acknowledged summaries lost: each one is its lead in the store, the one the collector
    // named (read from the database: /api/leads lists at most 1,000).
    let mut db = crate::postgres::client_of(&dir);
    let stored: BTreeMap<String, i64> = db
        .query("SELECT visitor, id FROM leads", &[])
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(leads.len(), POSTS, "every post acknowledged in the end");
    let lost: Vec<String> = leads
        .iter()
        .filter(|&(n, lead)| stored.get(&format!("visitor-{n}")) != Some(lead))
        .map(|(n, lead)| format!("visitor-{n} (lead {lead})"))
        .collect();
    assert!(lost.is_empty(), "acknowledged, not stored: {lost:?}");
    assert_eq!(stored.len(), POSTS, "one lead per visitor, nothing else");

    // Every delivery (one lead.sql per lead) at the receiver, under its delivery id and with
    // its summary's id as Idempotency-Key.
    let outbox: BTreeMap<String, String> = db
        .query(
            "SELECT id, summary_id FROM outbox WHERE delivered_ms IS NOT NULL",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get::<_, i64>(0).to_string(), row.get(1)))
        .collect();
    let expected: BTreeSet<String> = (0..POSTS as u64)
        .map(|n| summary(n)["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        outbox.values().cloned().collect::<BTreeSet<_>>(),
        expected,
        "one delivery per SQL"
    );
    let hooks = hook.hooks();
    let mut copies: BTreeMap<String, Vec<Instant>> = BTreeMap::new();
    for h in &hooks {
        let id = h.header("x-leadpulse-delivery").expect("a delivery id");
        assert_eq!(
            outbox.get(id).map(String::as_str),
            h.header("idempotency-key"),
            "delivery {id}"
        );
        copies.entry(id.to_string()).or_default().push(h.at);
    }
    let missing: Vec<&String> = outbox
        .keys()
        .filter(|id| !copies.contains_key(*id))
        .collect();
    assert!(missing.is_empty(), "never at the receiver: {missing:?}");

    // Duplicates: at least once. A collector killed after the receiver answered but before it
    // recorded the delivery leaves its claim to run out; the other (or its restart) sends it
    // again with the same Idempotency-Key. So each repeat's first copy was sent before a kill
    // and the repeat arrived after it, and a kill repeats at most what one collector has in
    // flight. NOTE: the receiver stamps a copy when it has read it, which on a loaded machine
    // can be a moment after the kill of the collector that wrote it: a first copy counts as
    // before a kill when it arrived at most the claim time (1 s) after it.
    const IN_FLIGHT_READ: Duration = Duration::from_secs(1);
    let repeated: Vec<(&String, &Vec<Instant>)> =
        copies.iter().filter(|(_, at)| at.len() > 1).collect();
    let duplicates: usize = repeated.iter().map(|(_, at)| at.len() - 1).sum();
    for (id, at) in &repeated {
        let explained = at.windows(2).all(|pair| {
            kills
                .iter()
                .any(|&kill| pair[0] <= kill + IN_FLIGHT_READ && kill <= pair[1])
        });
        assert!(
            explained,
            "delivery {id} repeated with no kill between: {at:?} (kills: {kills:?})"
        );
    }
    let bound = kills.len() * IN_FLIGHT;
    println!(
        "two instances, {} kill -9s: {POSTS} summaries posted, {} acknowledged ({} attempts \
         unanswered: their collector killed or starting again, each sent to the other one), \
         {} leads stored; {} deliveries, {} requests at the receiver, {} delivery ids, \
         {duplicates} duplicates ({} deliveries repeated; at most {bound}: {IN_FLIGHT} in \
         flight per killed collector); posted in {posted:.1?}, all delivered by \
         {drained:.1?}, {:.1?} in all",
        kills.len(),
        leads.len(),
        unanswered.load(Ordering::SeqCst),
        stored.len(),
        outbox.len(),
        hooks.len(),
        copies.len(),
        repeated.len(),
        began.elapsed(),
    );
    println!(
        "duplicates: delivery is at least once. A collector killed after the receiver got a \
         delivery but before it recorded the 2xx leaves the delivery claimed; the claim runs \
         out (--outbox-claim-ms, 1 s here, 60 s by default) and a collector sends it again, \
         same delivery id and Idempotency-Key (the summary id), which the receiver \
         deduplicates on. Each repeat here came after a kill that followed its first copy."
    );
    assert!(
        duplicates <= bound,
        "{duplicates} duplicates, at most {bound}"
    );
}
