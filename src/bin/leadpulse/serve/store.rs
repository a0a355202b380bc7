//! Summaries in SQLite, one row per summary `id` (the idempotency key).
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS leads (
    id          TEXT PRIMARY KEY,
    received_ms INTEGER NOT NULL,
    verified    INTEGER NOT NULL DEFAULT 0,
    summary     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS leads_by_arrival ON leads (received_ms DESC);
";

pub struct Store {
    // NOTE: one connection behind a lock: writes are serialised anyway, and the primary key
    // keeps concurrent duplicates to one row.
    conn: Mutex<Connection>,
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// First time this id was seen.
    Stored,
    /// Already stored; nothing changed.
    Duplicate,
    /// Stored unsigned before, now replaced by a copy with a valid signature.
    Verified,
}

pub struct Lead {
    pub id: String,
    pub received_ms: i64,
    pub verified: bool,
    pub summary: String,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // NOTE: WAL lets the dashboard read while summaries arrive; `:memory:` answers "memory".
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && path != Path::new(":memory:") {
            log!("leadpulse serve: warning: SQLite journal mode is {mode}, not WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // NOTE: a poisoned lock means a panic elsewhere mid-call; SQLite itself is consistent.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `summary` under `id` unless that id is already there. A verified copy replaces
    /// an unverified one, so a forged browser copy cannot shadow the edge's signed summary.
    pub fn insert(
        &self,
        id: &str,
        received_ms: i64,
        verified: bool,
        summary: &str,
    ) -> rusqlite::Result<Outcome> {
        let conn = self.conn();
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO leads (id, received_ms, verified, summary) VALUES (?1, ?2, ?3, ?4)",
            params![id, received_ms, verified, summary],
        )?;
        if inserted > 0 {
            return Ok(Outcome::Stored);
        }
        if verified {
            let upgraded = conn.execute(
                "UPDATE leads SET verified = 1, summary = ?2 WHERE id = ?1 AND verified = 0",
                params![id, summary],
            )?;
            if upgraded > 0 {
                return Ok(Outcome::Verified);
            }
        }
        Ok(Outcome::Duplicate)
    }

    /// Newest first.
    pub fn recent(&self, limit: u32) -> rusqlite::Result<Vec<Lead>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT id, received_ms, verified, summary FROM leads
             ORDER BY received_ms DESC, rowid DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit], |row| {
            Ok(Lead {
                id: row.get(0)?,
                received_ms: row.get(1)?,
                verified: row.get(2)?,
                summary: row.get(3)?,
            })
        })?;
        rows.collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_id_and_verified_copies_win() {
        let store = Store::open(Path::new(":memory:")).unwrap();
        assert_eq!(
            store.insert("lp_a", 1, false, "{\"n\":1}").unwrap(),
            Outcome::Stored
        );
        assert_eq!(
            store.insert("lp_a", 2, false, "{\"n\":2}").unwrap(),
            Outcome::Duplicate
        );
        assert_eq!(
            store.insert("lp_b", 3, true, "{}").unwrap(),
            Outcome::Stored
        );
        assert_eq!(
            store.insert("lp_a", 4, true, "{\"n\":3}").unwrap(),
            Outcome::Verified
        );
        assert_eq!(
            store.insert("lp_a", 5, true, "{\"n\":4}").unwrap(),
            Outcome::Duplicate
        );
        let leads = store.recent(10).unwrap();
        let rows: Vec<_> = leads
            .iter()
            .map(|l| (l.id.as_str(), l.received_ms, l.verified, l.summary.as_str()))
            .collect();
        assert_eq!(
            rows,
            [("lp_b", 3, true, "{}"), ("lp_a", 1, true, "{\"n\":3}")]
        );
        assert_eq!(store.recent(1).unwrap().len(), 1);
    }
}
