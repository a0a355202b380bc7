//! The store across releases: a database made by the first release (commit 8f39f91, before
//! the schema had versions; tests/fixtures/store/make-release-db.mjs) opens with this binary
//! with every lead, revision, history entry and waiting delivery intact; a database from a
//! newer release, or a damaged file, is refused before the server listens.
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::harness::{serve_command, site, Server};

const RELEASE_DB: &str = concat!(
    concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
    "/tests/fixtures/store/release-8f39f91.db"
);

/// A copy of the release database as the site's `leads.db`.
fn release_site(name: &str) -> PathBuf {
    let dir = site(name);
    std::fs::copy(RELEASE_DB, dir.join("leads.db")).expect("copy the release database");
    dir
}

/// The first column of the first row of `sql`, as text (or runs a statement: "").
fn sqlite(db: &Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(db).expect("open the database");
    let mut statement = conn.prepare(sql).expect("prepare");
    if statement.column_count() == 0 {
        statement.execute([]).expect("execute");
        return String::new();
    }
    statement
        .query_row([], |row| {
            Ok(match row.get_ref(0)? {
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => format!("{other:?}"),
            })
        })
        .expect("query")
}

#[test]
fn a_release_database_opens_with_nothing_lost() {
    if crate::harness::sqlite_only("the first release's database is a SQLite file") {
        return;
    }
    let dir = release_site("migrate-release");
    let db = dir.join("leads.db");
    let before = |table: &str| sqlite(&db, &format!("SELECT COUNT(*) FROM {table}"));
    let (leads, revisions, history) = (before("leads"), before("revisions"), before("history"));
    let waiting = sqlite(
        &db,
        "SELECT COUNT(*) FROM outbox WHERE delivered_ms IS NULL",
    );
    assert_eq!(
        (leads.as_str(), revisions.as_str(), history.as_str()),
        ("8", "20", "16")
    );

    let server = Server::start(&dir, &[]);
    let listed = server.leads_at("/api/leads?rejected=true&limit=1000");
    assert_eq!(listed.len(), 8);
    let mut statuses: Vec<&str> = listed
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    statuses.sort_unstable();
    statuses.dedup();
    assert_eq!(
        statuses,
        [
            "accepted",
            "lost",
            "marketing",
            "new",
            "opportunity",
            "rejected",
            "won"
        ]
    );
    let won = listed.iter().find(|l| l["visitor"] == "fx-won").unwrap();
    assert_eq!(won["amount"], 24000.0);
    let page = server.api_get(&format!("/api/leads/{}", won["id"])).json();
    assert_eq!(page["revisions"].as_array().unwrap().len(), 3);
    let steps: Vec<&str> = page["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["new", "accepted", "opportunity", "won"]);
    assert_eq!(server.waiting().len(), waiting.parse::<usize>().unwrap());
    drop(server);

    assert_eq!(
        (before("leads"), before("revisions"), before("history")),
        (leads, revisions, history)
    );
    let versions = sqlite(
        &db,
        "SELECT group_concat(version) FROM refinery_schema_history",
    );
    assert!(versions.starts_with('1'), "{versions}");
}

/// `leadpulse serve` on DIR, expected to refuse to start; its stderr.
fn refused(dir: &Path) -> String {
    let out = serve_command(dir, &["--api-token", "api-token-for-the-tests-0123"])
        .stdout(Stdio::piped())
        .output()
        .expect("run leadpulse serve");
    assert!(!out.status.success(), "started: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_newer_database_is_refused_untouched() {
    if crate::harness::sqlite_only("the fixture is a SQLite file (PostgreSQL: two_instances.rs)") {
        return;
    }
    let dir = release_site("migrate-newer");
    drop(Server::start(&dir, &[]));
    let db = dir.join("leads.db");
    sqlite(
        &db,
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
         VALUES (9999, 'from_the_future', '2030-01-01', '0')",
    );
    let bytes = std::fs::read(&db).unwrap();
    let stderr = refused(&dir);
    assert!(
        stderr.contains("schema version 9999, newer than this leadpulse knows"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the file was changed");
}

#[test]
fn a_damaged_database_is_refused_at_start() {
    if crate::harness::sqlite_only("a damaged file is SQLite's failure (PRAGMA quick_check)") {
        return;
    }
    let dir = release_site("migrate-damaged");
    let db = dir.join("leads.db");
    let mut bytes = std::fs::read(&db).unwrap();
    // Scribble over the second half of the file: pages of tables and indexes.
    let half = bytes.len() / 2;
    for b in &mut bytes[half..half + 8192] {
        *b = 0x5a;
    }
    std::fs::write(&db, bytes).unwrap();
    let stderr = refused(&dir);
    assert!(
        stderr.contains("damaged") || stderr.contains("not a readable SQLite database"),
        "{stderr}"
    );
}
