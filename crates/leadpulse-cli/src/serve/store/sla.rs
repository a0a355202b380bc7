//! Response-time windows (docs/collector.md, "Response times (SLA)"): a lead handed to sales
//! with a window gets one reminder to its owner when the window has passed, and moves to the
//! next owner one more window after that reminder. What was sent is written in the same
//! transaction as its deliveries, so neither is sent twice, restarts or not.
use leadpulse::core::time::format_iso;
use serde::Serialize;

use super::db::{Result, Row, Tx};
use super::leads::{lead_in, LeadRow};
use super::outbox::{enqueue, Delivery};
use super::Store;
use crate::serve::duration;
use crate::serve::people::COLLECTOR_USER;

/// `lead` was just handed to sales (a new SQL, or one that came back): its owner's window
/// starts, if it has an owner and a window.
pub fn handed_over(
    tx: &mut Tx,
    lead: i64,
    owner: Option<&str>,
    window_ms: Option<i64>,
    now: i64,
) -> Result<()> {
    match (owner, window_ms) {
        (Some(owner), Some(window_ms)) => start(tx, lead, owner, window_ms, now),
        _ => Ok(()),
    }
}

/// Starts a window for `owner`, who has just been handed `lead`: any earlier window of the
/// lead is replaced.
fn start(tx: &mut Tx, lead: i64, owner: &str, window_ms: i64, now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO sla (lead_id, window_ms, round, owner, first_owner, moves, started_ms)
         VALUES (?1, ?2, 1, ?3, ?3, 0, ?4)
         ON CONFLICT (lead_id) DO UPDATE SET window_ms = excluded.window_ms,
             round = sla.round + 1, owner = excluded.owner, first_owner = excluded.owner,
             moves = 0, started_ms = excluded.started_ms, reminded_ms = NULL, ended_ms = NULL",
        &[&lead, &window_ms, &owner, &now],
    )?;
    Ok(())
}

/// Ends `lead`'s window: sales answered it.
pub fn answered(tx: &mut Tx, lead: i64, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE sla SET ended_ms = ?2 WHERE lead_id = ?1 AND ended_ms IS NULL",
        &[&lead, &now],
    )?;
    Ok(())
}

/// A window that has run out: its owner is to be reminded (`reminded_ms` is `None`), or the
/// lead is to move on.
#[derive(Debug, Clone)]
pub struct SlaDue {
    pub lead: i64,
    pub round: i64,
    pub window_ms: i64,
    pub owner: String,
    pub first_owner: String,
    pub moves: u32,
    pub started_ms: i64,
    pub reminded_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The owner has not accepted the lead within the window.
    Reminder,
    /// Nor within another window after the reminder: the lead went to the next owner.
    Reassigned,
}

/// What sales is told about a window (webhook `sla`, Slack text).
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NoticeKind,
    /// Unique per lead, window and kind: the delivery's idempotency key.
    pub id: String,
    pub window_ms: i64,
    /// The lead's owner now (after a reassignment: the new one).
    pub owner: String,
    pub previous_owner: Option<String>,
    /// When `owner` got the lead.
    pub assigned_ms: i64,
    /// A reminder: when the lead moves on if still not accepted, and to whom.
    pub reassign_at: Option<i64>,
    pub next_owner: Option<String>,
}

/// The deliveries that tell sales about a window.
pub type PushNotice<'a> = &'a dyn Fn(&LeadRow, &Notice) -> Vec<Delivery>;

/// A lead's window as its page shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlaRow {
    pub window_ms: i64,
    pub round: i64,
    pub owner: String,
    pub started_at: String,
    pub reminded_at: Option<String>,
    pub ended_at: Option<String>,
}

const DUE_COLUMNS: &str = "s.lead_id, s.round, s.window_ms, s.owner, s.first_owner, s.moves,
    s.started_ms, s.reminded_ms";

fn due_row(row: &Row) -> Result<SlaDue> {
    Ok(SlaDue {
        lead: row.get(0)?,
        round: row.get(1)?,
        window_ms: row.get(2)?,
        owner: row.get(3)?,
        first_owner: row.get(4)?,
        moves: row.get(5)?,
        started_ms: row.get(6)?,
        reminded_ms: row.get(7)?,
    })
}

/// Whether `due` is still what the store says (nobody answered the lead or acted on the
/// window since it was read), the window and its lead locked until the transaction ends: of
/// collectors sharing a database that found the same window due, one acts on it, the others
/// then find it acted on.
fn still_due(tx: &mut Tx, due: &SlaDue) -> Result<bool> {
    let sql = format!(
        "SELECT 1 FROM sla s JOIN leads l ON l.id = s.lead_id
         WHERE s.lead_id = ?1 AND s.round = ?2 AND s.ended_ms IS NULL
           AND (s.reminded_ms IS NULL) = ?3 AND l.status = 'new' AND l.owner = s.owner{}",
        tx.for_update()
    );
    let found = tx.query_opt(&sql, &[&due.lead, &due.round, &due.reminded_ms.is_none()])?;
    Ok(found.is_some())
}

fn queue(tx: &mut Tx, lead: i64, notice: &Notice, push: PushNotice, now: i64) -> Result<usize> {
    let row = lead_in(tx, lead)?;
    let mut queued = 0;
    for delivery in push(&row, notice) {
        queued += enqueue(tx, &delivery, &notice.id, lead, now, now)?;
    }
    Ok(queued)
}

impl Store {
    /// Windows that have run out by `now`, the longest overdue first.
    pub fn sla_due(&self, now: i64, limit: u32) -> Result<Vec<SlaDue>> {
        self.read(|tx| {
            // NOTE: CROSS JOIN makes SQLite read the open windows first (index sla_open) and
            // each one's lead by id; a plain JOIN read every lead (no index on status), every
            // second, which at 200,000 leads is a scan per look.
            let sql = format!(
                "SELECT {DUE_COLUMNS} FROM sla s CROSS JOIN leads l
                 WHERE l.id = s.lead_id AND s.ended_ms IS NULL AND l.status = 'new'
                   AND l.owner = s.owner AND COALESCE(s.reminded_ms, s.started_ms) + s.window_ms <= ?1
                 ORDER BY COALESCE(s.reminded_ms, s.started_ms) LIMIT ?2"
            );
            tx.query(&sql, &[&now, &limit])?.iter().map(due_row).collect()
        })
    }

    /// Reminds the owner of `due` (it has no reminder yet): deliveries queued, `None` if the
    /// window was no longer due. `next` is who gets the lead one window later.
    pub fn sla_remind(
        &self,
        due: &SlaDue,
        next: Option<&str>,
        now: i64,
        push: PushNotice,
    ) -> Result<Option<usize>> {
        self.write(|tx| {
            if due.reminded_ms.is_some() || !still_due(tx, due)? {
                return Ok(None);
            }
            tx.execute(
                "UPDATE sla SET reminded_ms = ?2 WHERE lead_id = ?1",
                &[&due.lead, &now],
            )?;
            let notice = Notice {
                kind: NoticeKind::Reminder,
                id: format!("sla_{}_{}_reminder", due.lead, due.round),
                window_ms: due.window_ms,
                owner: due.owner.clone(),
                previous_owner: None,
                assigned_ms: due.started_ms,
                reassign_at: next.map(|_| now.saturating_add(due.window_ms)),
                next_owner: next.map(str::to_string),
            };
            Ok(Some(queue(tx, due.lead, &notice, push, now)?))
        })
    }

    /// Moves the lead of `due` (reminded one window ago) to `next`, with a history entry and a
    /// new window for them; `None` if the window was no longer due.
    pub fn sla_move(
        &self,
        due: &SlaDue,
        next: &str,
        now: i64,
        push: PushNotice,
    ) -> Result<Option<usize>> {
        self.write(|tx| {
            if due.reminded_ms.is_none() || !still_due(tx, due)? {
                return Ok(None);
            }
            let window = duration::human(due.window_ms);
            let reason = format!(
            "not accepted within {window}, nor {window} after a reminder: moved from {} to {next}",
            due.owner
        );
            tx.execute(
                "UPDATE leads SET owner = ?2, updated_ms = ?3 WHERE id = ?1",
                &[&due.lead, &next, &now],
            )?;
            tx.execute(
                "INSERT INTO history (lead_id, at_ms, by, from_status, to_status, reason, owner)
             VALUES (?1, ?2, ?3, 'new', 'new', ?4, ?5)",
                &[&due.lead, &now, &COLLECTOR_USER, &reason, &next],
            )?;
            tx.execute(
                "UPDATE sla SET round = round + 1, owner = ?2, moves = moves + 1, started_ms = ?3,
                 reminded_ms = NULL
             WHERE lead_id = ?1",
                &[&due.lead, &next, &now],
            )?;
            let notice = Notice {
                kind: NoticeKind::Reassigned,
                id: format!("sla_{}_{}_moved", due.lead, due.round),
                window_ms: due.window_ms,
                owner: next.to_string(),
                previous_owner: Some(due.owner.clone()),
                assigned_ms: now,
                reassign_at: None,
                next_owner: None,
            };
            Ok(Some(queue(tx, due.lead, &notice, push, now)?))
        })
    }

    /// Ends the window of `due`: reminded, and nobody left to move the lead to.
    pub fn sla_end(&self, due: &SlaDue, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sla SET ended_ms = ?3 WHERE lead_id = ?1 AND round = ?2 AND ended_ms IS NULL",
                &[&due.lead, &due.round, &now],
            )
        })?;
        Ok(())
    }
}

/// `lead`'s current (or last) window.
pub(super) fn sla_row(tx: &mut Tx, lead: i64) -> Result<Option<SlaRow>> {
    let row = tx.query_opt(
        "SELECT window_ms, round, owner, started_ms, reminded_ms, ended_ms FROM sla
         WHERE lead_id = ?1",
        &[&lead],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(SlaRow {
        window_ms: row.get(0)?,
        round: row.get(1)?,
        owner: row.get(2)?,
        started_at: format_iso(row.get(3)?),
        reminded_at: row.get::<Option<i64>>(4)?.map(format_iso),
        ended_at: row.get::<Option<i64>>(5)?.map(format_iso),
    }))
}
