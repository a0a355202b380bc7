//! The collector's store: leads (one per visitor), their summary revisions, what sales did
//! with them (history), the outbox, each lead's object in each CRM, response-time windows and
//! users — in one SQLite file, or in PostgreSQL shared by several collectors
//! (docs/collector.md, "Two instances on PostgreSQL"). Every change that must not be half done
//! (a revision and the pushes it causes; a status and its history entry) is one transaction,
//! so a crash or `kill -9` leaves the store whole.
//!
//! Each query is written once for both databases (db/: the adapter and its dialect pieces).
mod crm;
pub mod db;
mod feedback;
mod jobs;
mod keys;
mod leads;
mod location;
mod migrate;
mod outbox;
mod questions;
mod readers;
mod receive;
mod requests;
mod sales;
mod sla;
mod users;

pub use crm::{CrmChange, CrmLead, CrmOutcome};
pub use db::{Error, Result, Tx};
pub use feedback::{Feedback, FeedbackError};
pub use leads::LeadRow;
pub use location::Location;
pub use outbox::{Delivery, Pending, Retried};
pub use receive::{Received, Stored};
pub use requests::{ReceivedRequest, StoredRequest};
pub use sales::SalesView;
pub use sla::{Notice, NoticeKind};
pub use users::{Added, Revoked, Role, User};

use db::postgres::Postgres;
use db::sqlite::Sqlite;

pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl Store {
    /// Opens (or creates) the store: a damaged SQLite file is refused, an older schema
    /// migrated, a newer one refused, an unreachable PostgreSQL named; the message says which
    /// and what to do.
    pub fn open(location: &Location) -> std::result::Result<Store, String> {
        let backend = match location {
            Location::Sqlite(path) => Backend::Sqlite(Sqlite::open(path)?),
            Location::Postgres(url) => Backend::Postgres(Postgres::open(url.secret())?),
        };
        Ok(Store { backend })
    }

    /// Opens an existing store only to read it (`leadpulse report`): a SQLite file is neither
    /// created nor migrated.
    pub fn open_read_only(location: &Location) -> std::result::Result<Store, String> {
        let backend = match location {
            Location::Sqlite(path) => Backend::Sqlite(Sqlite::open_read_only(path)?),
            Location::Postgres(url) => Backend::Postgres(Postgres::open(url.secret())?),
        };
        Ok(Store { backend })
    }

    /// Runs `f` in a write transaction, committed if it returns `Ok`.
    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &self.backend {
            Backend::Sqlite(db) => db.write(f),
            Backend::Postgres(db) => db.write(f),
        }
    }

    /// Runs `f` in a read-only transaction: one consistent snapshot, on a connection of its
    /// own (a long read, such as the report, holds up no write).
    pub fn read<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &self.backend {
            Backend::Sqlite(db) => db.read(f),
            Backend::Postgres(db) => db.read(f),
        }
    }
}
