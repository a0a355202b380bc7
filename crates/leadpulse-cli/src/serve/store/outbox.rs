//! The durable outbox: a delivery is written in the same transaction as the revision that
//! causes it, and is done when its receiver answered 2xx — or dead (`dead_ms`) when it
//! refused for good or attempts ran out, until a retry. A restart (or `kill -9`) finds it
//! where it was. Each receiver's deliveries are read as a queue of their own. A delivery being
//! attempted is claimed (`claimed_until`), so collectors sharing a database never attempt one
//! delivery at once; a claim that runs out (its collector died mid-attempt) makes it due again:
//! at least once, never lost.
use serde::Serialize;

use super::db::{Result, Row, Tx};
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
    tx: &mut Tx,
    delivery: &Delivery,
    source_id: &str,
    lead: i64,
    now: i64,
    at: i64,
) -> Result<usize> {
    tx.execute(
        "INSERT INTO outbox (receiver, kind, summary_id, payload, next_ms, created_ms, lead_id, event)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        &[
            &delivery.receiver,
            &delivery.kind,
            &source_id,
            &delivery.payload,
            &at,
            &now,
            &lead,
            &delivery.event,
        ],
    )
}

/// Takes back the deliveries about `lead` still held (queued to go later than `now`, never
/// tried nor claimed): a fuller message replaces them. Returns the events they would have told.
pub fn take_held(tx: &mut Tx, lead: i64, now: i64) -> Result<Vec<String>> {
    let rows = tx.query(
        "DELETE FROM outbox WHERE lead_id = ?1 AND delivered_ms IS NULL AND attempts = 0
             AND next_ms > ?2 AND claimed_until IS NULL
         RETURNING event",
        &[&lead, &now],
    )?;
    rows.iter()
        .map(|row| Ok(row.get::<Option<String>>(0)?.unwrap_or_default()))
        .collect()
}

fn undelivered_row(row: &Row) -> Result<Undelivered> {
    let dead_ms: Option<i64> = row.get(7)?;
    Ok(Undelivered {
        id: row.get(0)?,
        state: if dead_ms.is_some() { "dead" } else { "waiting" },
        receiver: row.get(1)?,
        kind: row.get(2)?,
        summary_id: row.get(3)?,
        attempts: row.get(4)?,
        next_attempt_at: match dead_ms {
            None => Some(format_iso(row.get(5)?)),
            Some(_) => None,
        },
        dead_at: dead_ms.map(format_iso),
        last_error: row.get(6)?,
        retried_by: row.get(8)?,
        retried_at: row.get::<Option<i64>>(9)?.map(format_iso),
    })
}

impl Store {
    /// Claims `receiver`'s deliveries due at `now`, oldest first, until `claimed_until`: no
    /// other collector attempts them meanwhile.
    pub fn due(
        &self,
        receiver: &str,
        now: i64,
        claimed_until: i64,
        limit: u32,
    ) -> Result<Vec<Pending>> {
        self.write(|tx| {
            let sql = format!(
                "UPDATE outbox SET claimed_until = ?3
                 WHERE id IN (SELECT id FROM outbox
                     WHERE receiver = ?1 AND delivered_ms IS NULL AND dead_ms IS NULL
                       AND next_ms <= ?2 AND (claimed_until IS NULL OR claimed_until <= ?2)
                     ORDER BY next_ms, id LIMIT ?4{})
                 RETURNING id, receiver, kind, summary_id, payload, attempts, next_ms",
                tx.for_update_skip_locked()
            );
            let rows = tx.query(&sql, &[&receiver, &now, &claimed_until, &limit])?;
            let mut due = rows
                .iter()
                .map(|row| {
                    let pending = Pending {
                        id: row.get(0)?,
                        receiver: row.get(1)?,
                        kind: row.get(2)?,
                        summary_id: row.get(3)?,
                        payload: row.get(4)?,
                        attempts: row.get(5)?,
                    };
                    Ok((row.get::<i64>(6)?, pending))
                })
                .collect::<Result<Vec<_>>>()?;
            // NOTE: RETURNING gives no order.
            due.sort_by_key(|(next, p)| (*next, p.id));
            Ok(due.into_iter().map(|(_, p)| p).collect())
        })
    }

    /// When `receiver`'s next delivery is due (or its claim runs out), if it has one.
    pub fn next_due(&self, receiver: &str) -> Result<Option<i64>> {
        self.read(|tx| {
            tx.value(
                "SELECT MIN(CASE WHEN claimed_until > next_ms THEN claimed_until ELSE next_ms END)
                 FROM outbox WHERE receiver = ?1 AND delivered_ms IS NULL AND dead_ms IS NULL",
                &[&receiver],
            )
        })
    }

    /// Every receiver that has a delivery to make (each gets its own queue).
    pub fn receivers_waiting(&self) -> Result<Vec<String>> {
        self.read(|tx| {
            tx.query(
                "SELECT DISTINCT receiver FROM outbox WHERE delivered_ms IS NULL AND dead_ms IS NULL",
                &[],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect()
        })
    }

    pub fn delivered(&self, id: i64, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET delivered_ms = ?2, attempts = attempts + 1, last_error = NULL,
                     claimed_until = NULL
                 WHERE id = ?1",
                &[&id, &now],
            )
        })?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `next`, or `dead` from `now` on.
    pub fn failed(&self, id: i64, now: i64, next: i64, error: &str, dead: bool) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                // NOTE: the CAST gives PostgreSQL ?5's type (a CASE with a NULL branch is text).
                "UPDATE outbox SET attempts = attempts + 1, next_ms = ?2, last_error = ?3,
                     dead_ms = CASE WHEN ?4 THEN CAST(?5 AS BIGINT) END, claimed_until = NULL
                 WHERE id = ?1",
                &[&id, &next, &error, &dead, &now],
            )
        })?;
        Ok(())
    }

    /// Puts a dead delivery back in its receiver's queue, due now, with its attempts counted
    /// from zero again (the last error stays until the next attempt); records who did.
    pub fn retry(&self, id: i64, by: &str, now: i64) -> Result<Retried> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE outbox SET dead_ms = NULL, attempts = 0, next_ms = ?2, retried_by = ?3,
                     retried_ms = ?2
                 WHERE id = ?1 AND dead_ms IS NOT NULL AND delivered_ms IS NULL",
                &[&id, &now, &by],
            )?;
            if changed > 0 {
                return Ok(Retried::Queued);
            }
            let exists: bool =
                tx.value("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ?1)", &[&id])?;
            Ok(if exists {
                Retried::NotDead
            } else {
                Retried::NotFound
            })
        })
    }

    /// Deliveries not made: the waiting ones (the next due first) and the dead ones (the
    /// latest first), at most `limit` of each.
    pub fn undelivered(&self, limit: u32) -> Result<(Vec<Undelivered>, Vec<Undelivered>)> {
        self.read(|tx| {
            let waiting = tx
                .query(
                    "SELECT id, receiver, kind, summary_id, attempts, next_ms, last_error, dead_ms,
                         retried_by, retried_ms FROM outbox
                     WHERE delivered_ms IS NULL AND dead_ms IS NULL ORDER BY next_ms, id LIMIT ?1",
                    &[&limit],
                )?
                .iter()
                .map(undelivered_row)
                .collect::<Result<Vec<_>>>()?;
            let dead = tx
                .query(
                    "SELECT id, receiver, kind, summary_id, attempts, next_ms, last_error, dead_ms,
                         retried_by, retried_ms FROM outbox
                     WHERE delivered_ms IS NULL AND dead_ms IS NOT NULL
                     ORDER BY dead_ms DESC, id DESC LIMIT ?1",
                    &[&limit],
                )?
                .iter()
                .map(undelivered_row)
                .collect::<Result<Vec<_>>>()?;
            Ok((waiting, dead))
        })
    }
}
