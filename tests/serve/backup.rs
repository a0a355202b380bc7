//! `leadpulse backup` while `serve` takes summaries (SQLite only: PostgreSQL is backed up with
//! its own tools): the copy holds every summary acknowledged before the backup began, passes
//! its check, and opens as a collector's store (a restore is copying it back).
use std::collections::BTreeSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::harness::{site, summary, Server};

fn backup(db: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .args(["backup", "--db"])
        .arg(db)
        .arg(out)
        .output()
        .expect("run leadpulse backup")
}

#[test]
fn a_backup_taken_while_summaries_arrive_has_every_acknowledged_one() {
    if crate::harness::sqlite_only("leadpulse backup copies a SQLite file (PostgreSQL: pg_dump)") {
        return;
    }
    let dir = site("backup-live");
    let server = Arc::new(Server::start(&dir, &["--rate-limit", "off"]));
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let poster = {
        let (server, acknowledged, stop) = (server.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            for n in 0..2_000u64 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let s = summary(n);
                if server.post_json(&s).status == 201 {
                    acknowledged
                        .lock()
                        .unwrap()
                        .insert(s["id"].as_str().unwrap().to_string());
                }
            }
        })
    };
    // Wait for the positive marker: summaries are being stored.
    server.until(
        "some summaries stored",
        std::time::Duration::from_secs(30),
        |_| (acknowledged.lock().unwrap().len() >= 100).then_some(()),
    );
    let before: BTreeSet<String> = acknowledged.lock().unwrap().clone();
    let out = dir.join("copy.db");
    let made = backup(&dir.join("leads.db"), &out);
    let during = acknowledged.lock().unwrap().len();
    stop.store(true, Ordering::Relaxed);
    poster.join().unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(
        during > before.len(),
        "nothing was posted while the backup ran"
    );

    let copy = rusqlite::Connection::open(&out).unwrap();
    let ids: BTreeSet<String> = copy
        .prepare("SELECT id FROM revisions")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let missing: Vec<&String> = before.difference(&ids).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not in the copy: {missing:?}"
    );
    let check: String = copy
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(copy);

    // A second backup to the same name is refused; the first copy is untouched.
    let bytes = std::fs::read(&out).unwrap();
    let again = backup(&dir.join("leads.db"), &out);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // Restored: the copy is a collector's store.
    let restored = site("backup-restored");
    std::fs::copy(&out, restored.join("leads.db")).unwrap();
    let server = Server::start(&restored, &[]);
    let listed = server.leads_at("/api/leads?limit=1000").len();
    assert!(listed >= before.len(), "{listed} < {}", before.len());
}
