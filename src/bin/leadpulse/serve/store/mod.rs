//! The collector's store: leads (one per visitor), their summary revisions, what sales did
//! with them (history), the outbox, each lead's object in each CRM, response-time windows and
//! users, in one SQLite file. Every change that must not be half done (a revision and the
//! pushes it causes; a status and its history entry) is one transaction, so a crash or
//! `kill -9` leaves the store whole.
//!
//! NOTE: the store is this one type: a team that outgrows one machine swaps its SQL for a
//! database server's behind the same methods.
mod crm;
mod feedback;
mod keys;
mod leads;
mod migrate;
mod outbox;
mod questions;
mod readers;
mod receive;
mod requests;
mod sales;
mod sla;
mod users;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use crm::{CrmChange, CrmLead, CrmOutcome};
pub use feedback::{Feedback, FeedbackError};
pub use leads::LeadRow;
pub use outbox::{Delivery, Pending, Retried};
pub use receive::{Received, Stored};
pub use requests::{ReceivedRequest, StoredRequest};
pub use sales::SalesView;
pub use sla::{Notice, NoticeKind};
pub use users::{Added, Revoked, Role, User};

pub struct Store {
    // NOTE: one writing connection behind a lock: SQLite serialises writes anyway, and every
    // write here is a few statements long. Reads (the lists, a lead's page, the report) take
    // connections of their own (readers.rs): in WAL mode they see the last commit and neither
    // wait for the writer nor make it wait, so a report reading 200k leads for seconds no
    // longer holds up `POST /collect`.
    conn: Mutex<Connection>,
    readers: readers::Readers,
}

impl Store {
    /// Opens (or creates) the store: a damaged file is refused, an older schema migrated, a
    /// newer one refused; the message says which and what to do.
    pub fn open(path: &Path) -> Result<Store, String> {
        let sqlite = |e: rusqlite::Error| e.to_string();
        let mut conn = Connection::open(path).map_err(sqlite)?;
        // NOTE: another process holding the write lock (a backup, `sqlite3` by hand) is waited
        // for. Every write transaction begins IMMEDIATE (leads.rs): a deferred one that read
        // first gets SQLITE_BUSY at once when it tries to write, busy_timeout or not.
        conn.busy_timeout(Duration::from_secs(5)).map_err(sqlite)?;
        // NOTE: WAL lets the dashboard read while summaries arrive; `:memory:` answers "memory".
        let _: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(sqlite)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite)?;
        check_integrity(&conn)?;
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(sqlite)?;
        migrate::migrate(&mut conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sqlite)?;
        let readers = readers::Readers::new(path, &conn).map_err(sqlite)?;
        Ok(Store {
            conn: Mutex::new(conn),
            readers,
        })
    }

    /// The writing connection: every transaction that changes something.
    pub(in crate::serve) fn conn(&self) -> MutexGuard<'_, Connection> {
        // NOTE: a poisoned lock means a panic elsewhere mid-call; SQLite itself is consistent.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `read` on a reading connection (read-only, on the snapshot of the last commit).
    pub(in crate::serve) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.readers.read(read)
    }
}

/// `PRAGMA quick_check`: a damaged file is refused at start instead of answering 500 to
/// every request later. (It reads every page: seconds for a file of gigabytes.)
fn check_integrity(conn: &Connection) -> Result<(), String> {
    let mut statement = conn
        .prepare("PRAGMA quick_check(5)")
        .map_err(|e| format!("not a readable SQLite database: {e}"))?;
    let problems: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| format!("not a readable SQLite database: {e}"))?;
    if problems.iter().all(|p| p == "ok") {
        return Ok(());
    }
    Err(format!(
        "the database is damaged (PRAGMA quick_check: {}); restore a backup",
        problems.join("; ")
    ))
}
