//! The thin adapter between the store's queries and its two databases: one transaction type
//! ([`Tx`]) whose calls take the same SQL text and [`Value`] parameters on SQLite and on
//! PostgreSQL. Queries are written once, with SQLite's numbered parameters (`?1`), in SQL
//! both dialects read the same way (`INSERT … RETURNING`, `ON CONFLICT`, `json_extract` —
//! a function PostgreSQL gets from its first migration); where they must differ, the few
//! dialect pieces below are spliced in by the query that needs them, so the two cannot drift.
mod error;
pub mod postgres;
pub mod sqlite;
mod value;

use std::collections::HashMap;

pub use error::{Error, Result};
pub use value::{FromValue, Row, ToValue, Value};

/// One transaction on either database: committed by the store when its closure returns `Ok`,
/// rolled back otherwise.
pub enum Tx<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres {
        tx: ::postgres::Transaction<'a>,
        /// The connection's prepared statements, by their SQL as written here.
        statements: &'a mut HashMap<String, ::postgres::Statement>,
    },
}

/// The parameters of one call.
pub type Params<'p> = &'p [&'p dyn ToValue];

impl Tx<'_> {
    /// Runs a statement; how many rows it changed.
    pub fn execute(&mut self, sql: &str, params: Params) -> Result<usize> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        match self {
            Tx::Sqlite(tx) => sqlite::execute(tx, sql, &values),
            Tx::Postgres { tx, statements } => postgres::execute(tx, statements, sql, &values),
        }
    }

    /// Every row a query returns.
    pub fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        match self {
            Tx::Sqlite(tx) => sqlite::query(tx, sql, &values),
            Tx::Postgres { tx, statements } => postgres::query(tx, statements, sql, &values),
        }
    }

    /// The first row, if there is one.
    pub fn query_opt(&mut self, sql: &str, params: Params) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; none is an error.
    pub fn query_one(&mut self, sql: &str, params: Params) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| Error::Failed(format!("no row from: {}", first_line(sql))))
    }

    /// Column 0 of the first row.
    pub fn value<T: FromValue>(&mut self, sql: &str, params: Params) -> Result<T> {
        self.query_one(sql, params)?.get(0)
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres { .. })
    }

    /// Appended to a `SELECT` whose rows the transaction goes on to change: on PostgreSQL it
    /// locks them (another collector's transaction on the same rows waits, then sees the
    /// change); SQLite has one writer at a time, whose transaction holds the lock already.
    pub fn for_update(&self) -> &'static str {
        if self.is_postgres() {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    /// … and rows another collector has locked are passed over rather than waited for.
    pub fn for_update_skip_locked(&self) -> &'static str {
        if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        }
    }

    /// Serialises this transaction with every other one that locks `key`, until it ends: for
    /// rows that may not exist yet (a visitor's first lead), which `FOR UPDATE` cannot lock.
    /// SQLite: nothing to do, its write transactions run one at a time.
    pub fn lock(&mut self, key: &str) -> Result<()> {
        if self.is_postgres() {
            // NOTE: the two-key form, namespace 18, keeps these apart from other advisory locks.
            self.execute("SELECT pg_advisory_xact_lock(18, hashtext(?1))", &[&key])?;
        }
        Ok(())
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}
