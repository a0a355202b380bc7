//! The durable outbox: a delivery is written in the same transaction as the revision that
//! causes it, and is done when its receiver answered 2xx — or dead (`dead_ms`) when it
//! refused for good or attempts ran out, until a retry. A restart (or `kill -9`) finds it
//! where it was. Each receiver's deliveries are read as a queue of their own.
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

/// A delivery not made, as the API lists it: `waiting` (to be tried at `nextAttemptAt`) or
/// `dead` (not tried any more since `deadAt`, until someone retries it).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Undelivered {
    pub id: i64,
    pub state: &'static str,
    pub receiver: String,
    pub kind: String,
    pub summary_id: String,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    pub dead_at: Option<String>,
    pub last_error: Option<String>,
    /// Who last put it back in its queue (`POST /api/outbox/{id}/retry`), and when.
    pub retried_by: Option<String>,
    pub retried_at: Option<String>,
}

/// What `retry` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Retried {
    /// Back in its receiver's queue, due now.
    Queued,
    /// Not dead (waiting or delivered): nothing to do.
    NotDead,
    NotFound,
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
    let events = statement.query_map(params![lead, now], |row| row.get::<_, Option<String>>(0))?;
    events.map(|e| e.map(Option::unwrap_or_default)).collect()
}

impl Store {
    /// `receiver`'s deliveries due at `now`, oldest first.
    pub fn due(&self, receiver: &str, now: i64, limit: u32) -> rusqlite::Result<Vec<Pending>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, receiver, kind, summary_id, payload, attempts FROM outbox
             WHERE receiver = ?1 AND delivered_ms IS NULL AND dead_ms IS NULL AND next_ms <= ?2
             ORDER BY next_ms, id LIMIT ?3",
            )?;
            let rows = statement.query_map(params![receiver, now, limit], |row| {
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
        })
    }

    /// When `receiver`'s next delivery is due, if it has one.
    pub fn next_due(&self, receiver: &str) -> rusqlite::Result<Option<i64>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT MIN(next_ms) FROM outbox
                 WHERE receiver = ?1 AND delivered_ms IS NULL AND dead_ms IS NULL",
                [receiver],
                |row| row.get(0),
            )
        })
    }

    /// Every receiver that has a delivery to make (each gets its own queue).
    pub fn receivers_waiting(&self) -> rusqlite::Result<Vec<String>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT DISTINCT receiver FROM outbox WHERE delivered_ms IS NULL AND dead_ms IS NULL",
            )?;
            let rows = statement.query_map([], |row| row.get(0))?;
            rows.collect()
        })
    }

    pub fn delivered(&self, id: i64, now: i64) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE outbox SET delivered_ms = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `next`, or `dead` from `now` on.
    pub fn failed(
        &self,
        id: i64,
        now: i64,
        next: i64,
        error: &str,
        dead: bool,
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1, next_ms = ?2, last_error = ?3,
                 dead_ms = CASE WHEN ?4 THEN ?5 ELSE NULL END
             WHERE id = ?1",
            params![id, next, error, dead, now],
        )?;
        Ok(())
    }

    /// Puts a dead delivery back in its receiver's queue, due now, with its attempts counted
    /// from zero again (the last error stays until the next attempt); records who did.
    pub fn retry(&self, id: i64, by: &str, now: i64) -> rusqlite::Result<Retried> {
        let conn = self.conn();
        let changed = conn.execute(
            "UPDATE outbox SET dead_ms = NULL, attempts = 0, next_ms = ?2, retried_by = ?3,
                 retried_ms = ?2
             WHERE id = ?1 AND dead_ms IS NOT NULL AND delivered_ms IS NULL",
            params![id, now, by],
        )?;
        if changed > 0 {
            return Ok(Retried::Queued);
        }
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ?1)",
            [id],
            |row| row.get(0),
        )?;
        Ok(if exists {
            Retried::NotDead
        } else {
            Retried::NotFound
        })
    }

    /// Deliveries not made: the waiting ones (the next due first) and the dead ones (the
    /// latest first), at most `limit` of each.
    pub fn undelivered(
        &self,
        limit: u32,
    ) -> rusqlite::Result<(Vec<Undelivered>, Vec<Undelivered>)> {
        self.read(|conn| {
        let read = |sql: &str| -> rusqlite::Result<Vec<Undelivered>> {
            let mut statement = conn.prepare_cached(sql)?;
            let rows = statement.query_map([limit], |row| {
                let dead_ms: Option<i64> = row.get(7)?;
                Ok(Undelivered {
                    id: row.get(0)?,
                    state: if dead_ms.is_some() { "dead" } else { "waiting" },
                    receiver: row.get(1)?,
                    kind: row.get(2)?,
                    summary_id: row.get(3)?,
                    attempts: row.get(4)?,
                    next_attempt_at: dead_ms
                        .is_none()
                        .then(|| row.get(5).map(format_iso))
                        .transpose()?,
                    dead_at: dead_ms.map(format_iso),
                    last_error: row.get(6)?,
                    retried_by: row.get(8)?,
                    retried_at: row.get::<_, Option<i64>>(9)?.map(format_iso),
                })
            })?;
            rows.collect()
        };
        let waiting = read(
            "SELECT id, receiver, kind, summary_id, attempts, next_ms, last_error, dead_ms, retried_by,
                 retried_ms FROM outbox
             WHERE delivered_ms IS NULL AND dead_ms IS NULL ORDER BY next_ms, id LIMIT ?1",
        )?;
        let dead = read(
            "SELECT id, receiver, kind, summary_id, attempts, next_ms, last_error, dead_ms, retried_by,
                 retried_ms FROM outbox
             WHERE delivered_ms IS NULL AND dead_ms IS NOT NULL ORDER BY dead_ms DESC, id DESC LIMIT ?1",
        )?;
        Ok((waiting, dead))
        })
    }
}
