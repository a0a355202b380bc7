//! The durable outbox: a delivery is written in the same transaction as the revision that
//! causes it, and leaves only when its receiver answered 2xx. A restart (or `kill -9`) finds
//! it where it was.
use rusqlite::{params, Transaction};
use serde::Serialize;

use super::Store;
use leadpulse::core::time::format_iso;

/// One message for one receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub receiver: String,
    /// `webhook` or `slack`.
    pub kind: &'static str,
    /// What it tells: `lead.sql`, `lead.revision`, `lead.request`.
    pub event: &'static str,
    pub payload: String,
}

/// A delivery waiting to be sent.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub receiver: String,
    pub kind: String,
    pub summary_id: String,
    pub payload: String,
    pub attempts: u32,
}

/// A delivery not yet made, as the API lists them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiting {
    pub receiver: String,
    pub kind: String,
    pub summary_id: String,
    pub attempts: u32,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
}

/// Queues `delivery` about `lead` for `source_id` (the summary or request that causes it; once
/// per receiver), to go at `at`; returns how many rows it added.
pub fn enqueue(
    tx: &Transaction,
    delivery: &Delivery,
    source_id: &str,
    lead: i64,
    now: i64,
    at: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT OR IGNORE INTO outbox (receiver, kind, summary_id, payload, next_ms, created_ms, lead_id, event)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            delivery.receiver,
            delivery.kind,
            source_id,
            delivery.payload,
            at,
            now,
            lead,
            delivery.event
        ],
    )
}

/// Takes back the deliveries about `lead` still held (queued to go later than `now`, never
/// tried): a fuller message replaces them. Returns the events they would have told.
pub fn take_held(tx: &Transaction, lead: i64, now: i64) -> rusqlite::Result<Vec<String>> {
    let mut statement = tx.prepare_cached(
        "DELETE FROM outbox WHERE lead_id = ?1 AND delivered_ms IS NULL AND attempts = 0 AND next_ms > ?2
         RETURNING event",
    )?;
    let events = statement.query_map(params![lead, now], |row| {
        row.get::<_, Option<String>>(0)
    })?;
    events
        .map(|e| e.map(Option::unwrap_or_default))
        .collect()
}

impl Store {
    /// Deliveries due at `now`, oldest first.
    pub fn due(&self, now: i64, limit: u32) -> rusqlite::Result<Vec<Pending>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT id, receiver, kind, summary_id, payload, attempts FROM outbox
             WHERE delivered_ms IS NULL AND next_ms <= ?1 ORDER BY next_ms, id LIMIT ?2",
        )?;
        let rows = statement.query_map(params![now, limit], |row| {
            Ok(Pending {
                id: row.get(0)?,
                receiver: row.get(1)?,
                kind: row.get(2)?,
                summary_id: row.get(3)?,
                payload: row.get(4)?,
                attempts: row.get(5)?,
            })
        })?;
        rows.collect()
    }

    /// When the next undelivered delivery is due, if any.
    pub fn next_due(&self) -> rusqlite::Result<Option<i64>> {
        self.conn().query_row(
            "SELECT MIN(next_ms) FROM outbox WHERE delivered_ms IS NULL",
            [],
            |row| row.get(0),
        )
    }

    pub fn delivered(&self, id: i64, now: i64) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE outbox SET delivered_ms = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    pub fn failed(&self, id: i64, next: i64, error: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1, next_ms = ?2, last_error = ?3 WHERE id = ?1",
            params![id, next, error],
        )?;
        Ok(())
    }

    /// Undelivered deliveries, the next due first.
    pub fn waiting(&self, limit: u32) -> rusqlite::Result<Vec<Waiting>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT receiver, kind, summary_id, attempts, next_ms, last_error FROM outbox
             WHERE delivered_ms IS NULL ORDER BY next_ms, id LIMIT ?1",
        )?;
        let rows = statement.query_map([limit], |row| {
            Ok(Waiting {
                receiver: row.get(0)?,
                kind: row.get(1)?,
                summary_id: row.get(2)?,
                attempts: row.get(3)?,
                next_attempt_at: format_iso(row.get(4)?),
                last_error: row.get(5)?,
            })
        })?;
        rows.collect()
    }
}
