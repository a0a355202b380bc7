//! The collector's store: leads (one per visitor), their summary revisions, what sales did
//! with them (history), and the webhook outbox, in one SQLite file. Every change that must
//! not be half done (a revision and the pushes it causes; a status and its history entry) is
//! one transaction, so a crash or `kill -9` leaves the store whole.
//!
//! NOTE: the store is this one type: a team that outgrows one machine swaps its SQL for a
//! database server's behind the same methods.
mod leads;
mod outbox;
mod schema;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use leads::{Feedback, FeedbackError, LeadRow, Received, Stored};
pub use outbox::{Delivery, Pending};

pub struct Store {
    // NOTE: one connection behind a lock: SQLite serialises writes anyway, and every call
    // here is a few statements long.
    conn: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // NOTE: WAL lets the dashboard read while summaries arrive; `:memory:` answers "memory".
        let _: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(schema::SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    pub(in crate::serve) fn conn(&self) -> MutexGuard<'_, Connection> {
        // NOTE: a poisoned lock means a panic elsewhere mid-call; SQLite itself is consistent.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}
