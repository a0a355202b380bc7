//! `leadpulse report` and `GET /api/report` on a hand-built collector store whose every
//! figure is known (docs/metrics.md defines them): exact counts, rates, percentiles,
//! rejection reasons, weeks and groups; the file is only read.
use crate::command as common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rusqlite::{params, Connection};
use serde_json::{json, Value};

/// The collector's own schema: its migrations up to `last`, in order, read from its source so
/// that the test follows it.
fn schema(last: u32) -> String {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("crates/leadpulse-cli/src/serve/store/migrations");
    let mut files: Vec<(u32, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let version = name.strip_prefix('V')?.split("__").next()?.parse().ok()?;
            (version <= last).then_some((version, path))
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|(_, path)| std::fs::read_to_string(path).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
/// Monday 2026-03-02 00:00 UTC: week 2026-W10.
const T0: i64 = 1_772_409_600_000;

struct Lead {
    id: i64,
    source: Option<&'static str>,
    model: &'static str,
    owner: Option<&'static str>,
    trust: &'static str,
    first_seen: i64,
    mql: i64,
    sql: Option<i64>,
    /// (at, to status, reason, amount)
    history: Vec<(i64, &'static str, Option<&'static str>, Option<f64>)>,
}

fn leads() -> Vec<Lead> {
    let lead = |id, source, model, owner, first_seen, mql, sql, history| Lead {
        id,
        source,
        model,
        owner,
        trust: "unverified",
        first_seen,
        mql,
        sql,
        history,
    };
    let mut all = vec![
        // Won: SQL 2 h after its MQL, accepted 2 h after SQL.
        lead(
            1,
            Some("google"),
            "m1",
            Some("ana"),
            T0,
            T0 + HOUR,
            Some(T0 + 3 * HOUR),
            vec![
                (T0 + 3 * HOUR, "new", None, None),
                (T0 + 5 * HOUR, "accepted", None, None),
                (T0 + 2 * DAY, "opportunity", None, None),
                (T0 + 10 * DAY, "won", None, Some(1000.0)),
            ],
        ),
        // Lost after being accepted.
        lead(
            2,
            Some("google"),
            "m1",
            Some("ben"),
            T0,
            T0 + 2 * HOUR,
            Some(T0 + 150 * MIN),
            vec![
                (T0 + 150 * MIN, "new", None, None),
                (T0 + DAY, "accepted", None, None),
                (T0 + 5 * DAY, "lost", None, Some(0.0)),
            ],
        ),
        // Rejected: no budget.
        lead(
            3,
            Some("newsletter"),
            "m2",
            Some("ana"),
            T0 + DAY,
            T0 + DAY + HOUR,
            Some(T0 + 2 * DAY),
            vec![
                (T0 + 2 * DAY, "new", None, None),
                (T0 + 3 * DAY, "rejected", Some("no budget"), None),
            ],
        ),
        // An MQL only.
        lead(4, None, "m2", None, T0 + DAY, T0 + 2 * DAY, None, vec![]),
        // The next week: SQL, rejected for the same reason, spelled otherwise.
        lead(
            5,
            Some("google"),
            "m1",
            Some("ana"),
            T0 + 8 * DAY,
            T0 + 8 * DAY,
            Some(T0 + 9 * DAY),
            vec![
                (T0 + 9 * DAY, "new", None, None),
                (T0 + 10 * DAY, "rejected", Some("No budget "), None),
            ],
        ),
        lead(
            7,
            Some("newsletter"),
            "m2",
            Some("ben"),
            T0,
            T0 + 9 * DAY,
            None,
            vec![],
        ),
    ];
    // An impossible summary (trust rejected): in no figure.
    let mut impossible = lead(
        6,
        Some("google"),
        "m1",
        None,
        T0,
        T0 + DAY,
        Some(T0 + DAY),
        vec![],
    );
    impossible.trust = "rejected";
    all.push(impossible);
    all
}

fn build(path: &Path, last: u32) {
    let _ = std::fs::remove_file(path);
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(&schema(last)).unwrap();
    for l in leads() {
        let status = l
            .history
            .last()
            .map_or(if l.sql.is_some() { "new" } else { "marketing" }, |h| h.1);
        let stage = if l.sql.is_some() { "sql" } else { "mql" };
        conn.execute(
            "INSERT INTO leads (id, visitor, stage, status, trust, owner, summary_id, revision, model,
                 score, source, first_seen_ms, mql_ms, sql_ms, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, 50, ?9, ?10, ?11, ?12, ?11, ?11)",
            params![l.id, format!("v{}", l.id), stage, status, l.trust, l.owner, format!("lp_{}", l.id),
                l.model, l.source, l.first_seen, l.mql, l.sql],
        )
        .unwrap();
        let mut from: Option<&str> = None;
        for (at, to, reason, amount) in &l.history {
            conn.execute(
                "INSERT INTO history (lead_id, at_ms, by, from_status, to_status, reason, amount)
                 VALUES (?1, ?2, 'rep', ?3, ?4, ?5, ?6)",
                params![l.id, at, from, to, reason, amount],
            )
            .unwrap();
            from = Some(to);
        }
    }
}

fn store(test: &str) -> PathBuf {
    let dir = common::scratch(&format!("report-{test}"));
    let db = dir.join("leads.db");
    build(&db, u32::MAX);
    db
}

/// The same store as the first release left it (migration 1 only, no migration history): the
/// collector adopts it and migrates it at start. NOTE: a store with later migrations run by
/// hand, outside the collector, has no history to say so and could not be opened.
fn first_release_store(test: &str) -> PathBuf {
    let dir = common::scratch(&format!("report-{test}"));
    let db = dir.join("leads.db");
    build(&db, 1);
    db
}

fn report(db: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["report", "--db", db.to_str().unwrap()];
    args.extend_from_slice(extra);
    common::leadpulse(&args)
}

fn json_report(db: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = report(db, &args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn rate(n: u64, d: u64) -> Value {
    json!({"numerator": n, "denominator": d, "rate": n as f64 / d as f64})
}

fn spread(count: u64, median: i64, p90: i64) -> Value {
    json!({"count": count, "medianMs": median, "p90Ms": p90})
}

#[test]
fn every_figure_of_all_time_is_exact() {
    let db = store("all");
    let r = json_report(&db, &[]);
    let t = &r["total"];
    assert_eq!((t["mqls"].clone(), t["sqls"].clone()), (json!(6), json!(4)));
    assert_eq!(t["mqlToSql"], rate(4, 6));
    assert_eq!(t["sqlToAccepted"], rate(2, 4));
    assert_eq!(t["sqlToOpportunity"], rate(1, 4));
    assert_eq!(t["winRate"], rate(1, 2));
    assert_eq!(t["wonAmount"], 1000.0);
    let v = &t["velocity"];
    // first touch → MQL: 0, 1 h, 1 h, 2 h, 2 d, 9 d (nearest rank: 3rd and 6th of 6).
    assert_eq!(v["firstTouchToMql"], spread(6, HOUR, 9 * DAY));
    // MQL → SQL: 30 min, 2 h, 23 h, 24 h.
    assert_eq!(v["mqlToSql"], spread(4, 2 * HOUR, DAY));
    // SQL → accepted: 2 h, 21 h 30 min.
    assert_eq!(
        v["sqlToAccepted"],
        spread(2, 2 * HOUR, 21 * HOUR + 30 * MIN)
    );
    // first touch → SQL: 2 h 30 min, 3 h, 24 h, 24 h.
    assert_eq!(v["firstTouchToSql"], spread(4, 3 * HOUR, DAY));
    // Time to accept: from each accepted SQL's hand-over to sales (2 h, 21 h 30 min).
    assert_eq!(t["timeToAccept"], spread(2, 2 * HOUR, 21 * HOUR + 30 * MIN));
    assert_eq!(
        t["rejections"],
        json!([{"reason": "no budget", "count": 2}])
    );
    assert_eq!(
        r["weeks"],
        json!([
            {"week": "2026-W10", "start": "2026-03-02", "mqls": 4, "sqls": 3, "accepted": 2, "won": 0},
            {"week": "2026-W11", "start": "2026-03-09", "mqls": 2, "sqls": 1, "accepted": 0, "won": 1},
        ])
    );
    assert_eq!(
        (r["from"].clone(), r["to"].clone(), r["by"].clone()),
        (Value::Null, Value::Null, Value::Null)
    );
}

#[test]
fn a_period_counts_its_own_mqls_and_sqls_and_follows_them_to_their_outcome() {
    let db = store("period");
    let r = json_report(&db, &["--from", "2026-03-02", "--to", "2026-03-08"]);
    assert_eq!(r["from"], "2026-03-02T00:00:00.000Z");
    assert_eq!(
        r["to"], "2026-03-09T00:00:00.000Z",
        "the last day is included"
    );
    let t = &r["total"];
    assert_eq!((t["mqls"].clone(), t["sqls"].clone()), (json!(4), json!(3)));
    assert_eq!(t["mqlToSql"], rate(3, 4));
    assert_eq!(t["sqlToAccepted"], rate(2, 3));
    assert_eq!(
        t["winRate"],
        rate(1, 2),
        "won after the period: the SQL's outcome counts"
    );
    assert_eq!(
        t["rejections"],
        json!([{"reason": "no budget", "count": 1}])
    );
    assert_eq!(r["weeks"].as_array().unwrap().len(), 1);
}

#[test]
fn figures_by_source_owner_and_model() {
    let db = store("groups");
    let r = json_report(&db, &["--by", "source"]);
    let groups: Vec<(String, u64, u64)> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().into(),
                g["mqls"].as_u64().unwrap(),
                g["sqls"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            ("google".into(), 3, 3),
            ("newsletter".into(), 2, 1),
            ("(none)".into(), 1, 0)
        ]
    );
    let google = &r["groups"][0];
    assert_eq!(google["winRate"], rate(1, 2));
    assert_eq!(
        google["rejections"],
        json!([{"reason": "No budget", "count": 1}])
    );

    let r = json_report(&db, &["--by", "owner"]);
    let keys: Vec<&str> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["ana", "ben", "(unassigned)"]);
    assert_eq!(r["groups"][0]["sqlToAccepted"], rate(1, 3));

    let r = json_report(&db, &["--by", "model"]);
    let m1 = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "m1")
        .unwrap();
    assert_eq!(
        (m1["mqls"].clone(), m1["sqls"].clone()),
        (json!(3), json!(3)),
        "the impossible summary is left out"
    );
}

#[test]
fn the_table_reads_and_the_store_is_only_read() {
    let db = store("table");
    let before = std::fs::read(&db).unwrap();
    let (code, stdout, stderr) = report(&db, &["--by", "owner"]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "SQL→accepted (SAL)",
        "66.7% (4/6)",
        "50.0% (1/2)",
        "1 h / 9 d",
        "2 h / 21 h 30 min",
        "time to accept (p50 / p90)",
        "  2  no budget",
        "2026-W11   2026-03-09",
        "ana",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?}\n{stdout}");
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the store is opened read-only"
    );
    let missing = db.with_file_name("missing.db");
    let (code, _, stderr) = report(&missing, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!missing.exists(), "a read-only open creates nothing");
    let (code, _, stderr) = report(&db, &["--from", "March"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--from: 'March' is not a date"), "{stderr}");
}

#[test]
fn the_collector_serves_the_same_figures() {
    let db = first_release_store("serve");
    let expected = json_report(&db, &["--by", "owner", "--from", "2026-03-02"]);
    let token = "report-test-token-0123456789";
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-token",
            token,
            "--db",
        ])
        .arg(&db)
        .args(["--root", db.parent().unwrap().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .trim_start_matches("leadpulse serve: http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("{line}"));
    let get = |target: &str, token: &str| {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_string(), body.to_string())
    };
    let (status, body) = get("/api/report?by=owner&from=2026-03-02", token);
    let (refused, _) = get("/api/report", "wrong-token");
    let (bad, problem) = get("/api/report?by=colour", token);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(status.contains("200"), "{status}\n{body}");
    let served: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served, expected);
    assert!(refused.contains("401"), "{refused}");
    assert!(bad.contains("400"), "{bad}");
    assert_eq!(
        serde_json::from_str::<Value>(&problem).unwrap()["path"],
        "by"
    );
}
