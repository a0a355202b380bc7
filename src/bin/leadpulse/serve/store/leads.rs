//! Leads: a received revision (one transaction with the pushes it causes), the lists and the
//! lead page, and sales feedback (one transaction with its history entry).
use leadpulse::core::summary::ReceivedSummary;
use leadpulse::core::time::{format_iso, parse_iso};
use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::Serialize;
use serde_json::value::RawValue;

use super::outbox::{enqueue, Delivery};
use super::Store;
use crate::serve::status::Status;
use crate::serve::trust::Trust;

/// A summary that passed the contract, and what the collector decided about it.
pub struct Received<'a> {
    pub summary: &'a ReceivedSummary,
    /// The text as received (stored byte for byte).
    pub json: &'a str,
    pub signed: bool,
    pub trust: Trust,
    pub trust_reason: Option<String>,
    pub now: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// A new revision (`pushed`: deliveries queued for sales).
    New { lead: i64, pushed: usize },
    /// This revision was there already: nothing changed.
    Duplicate { lead: i64 },
    /// There unsigned before, now replaced by the edge's signed copy.
    Verified { lead: i64 },
}

/// A lead as the API shows it (camelCase), with its latest summary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadRow {
    pub id: i64,
    pub visitor: String,
    pub stage: String,
    pub status: String,
    pub trust: String,
    pub trust_reason: Option<String>,
    pub owner: Option<String>,
    pub revision: i64,
    pub summary_id: String,
    pub model: String,
    pub score: i64,
    pub source: Option<String>,
    pub first_seen: String,
    pub mql_at: Option<String>,
    pub sql_at: Option<String>,
    pub accepted_at: Option<String>,
    pub closed_at: Option<String>,
    pub amount: Option<f64>,
    pub received_at: String,
    pub updated_at: String,
    pub summary: Box<RawValue>,
}

const LEAD_COLUMNS: &str = "l.id, l.visitor, l.stage, l.status, l.trust, l.trust_reason, l.owner,
    l.revision, l.summary_id, l.model, l.score, l.source, l.first_seen_ms, l.mql_ms, l.sql_ms,
    l.accepted_ms, l.closed_ms, l.amount, l.created_ms, l.updated_ms, r.summary";

fn lead_row(row: &Row) -> rusqlite::Result<LeadRow> {
    let time = |i: usize| -> rusqlite::Result<Option<String>> {
        Ok(row.get::<_, Option<i64>>(i)?.map(format_iso))
    };
    let summary: String = row.get(20)?;
    Ok(LeadRow {
        id: row.get(0)?,
        visitor: row.get(1)?,
        stage: row.get(2)?,
        status: row.get(3)?,
        trust: row.get(4)?,
        trust_reason: row.get(5)?,
        owner: row.get(6)?,
        revision: row.get(7)?,
        summary_id: row.get(8)?,
        model: row.get(9)?,
        score: row.get(10)?,
        source: row.get(11)?,
        first_seen: format_iso(row.get(12)?),
        mql_at: time(13)?,
        sql_at: time(14)?,
        accepted_at: time(15)?,
        closed_at: time(16)?,
        amount: row.get(17)?,
        received_at: format_iso(row.get(18)?),
        updated_at: format_iso(row.get(19)?),
        // NOTE: stored only after passing the contract, so it is JSON; `null` if edited by hand.
        summary: RawValue::from_string(summary)
            .or_else(|_| RawValue::from_string("null".into()))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
    })
}

/// One revision of a lead, as its page lists them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionRow {
    pub id: String,
    pub revision: i64,
    pub received_at: String,
    pub signed: bool,
    pub trust: String,
    pub trust_reason: Option<String>,
    pub summary: Box<RawValue>,
}

/// One step of a lead's history: who moved it from what to what, and when.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
    pub amount: Option<f64>,
}

/// A lead with every revision received and every status change: its page.
#[derive(Debug, Serialize)]
pub struct LeadPage {
    pub lead: LeadRow,
    pub revisions: Vec<RevisionRow>,
    pub history: Vec<HistoryRow>,
}

/// What sales answers.
pub struct Feedback {
    pub status: Status,
    pub reason: Option<String>,
    pub amount: Option<f64>,
    pub by: String,
}

#[derive(Debug)]
pub enum FeedbackError {
    NotFound,
    /// Not a step that may follow `from`; `allowed` are.
    Invalid {
        from: Status,
        allowed: Vec<Status>,
    },
    Store(rusqlite::Error),
}

impl From<rusqlite::Error> for FeedbackError {
    fn from(e: rusqlite::Error) -> Self {
        FeedbackError::Store(e)
    }
}

fn rank(trust: &str) -> u8 {
    match trust {
        "verified" => 2,
        "unverified" => 1,
        _ => 0,
    }
}

/// First-touch UTM source, else the referrer host: what the dashboard and `report --by
/// source` group by.
fn source_of(summary: &ReceivedSummary) -> Option<String> {
    let first = summary.source.first.as_ref()?;
    first
        .utm
        .get("source")
        .cloned()
        .or_else(|| first.referrer.clone())
}

fn history(
    tx: &Transaction,
    lead: i64,
    at: i64,
    by: &str,
    from: Option<&str>,
    to: &str,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO history (lead_id, at_ms, by, from_status, to_status, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![lead, at, by, from, to, reason],
    )?;
    Ok(())
}

impl Store {
    /// Stores a revision: creates or updates the visitor's lead, and queues `push(lead)`'s
    /// deliveries when sales should hear of it (an SQL revision that is not rejected and is
    /// the lead's latest). `owner(sequence)` names the owner of a lead that becomes an SQL.
    pub fn receive(
        &self,
        received: &Received,
        owner: &dyn Fn(&ReceivedSummary, u64) -> Option<String>,
        push: &dyn Fn(&LeadRow) -> Vec<Delivery>,
    ) -> rusqlite::Result<Stored> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored = receive(&tx, received, owner, push)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Leads, the latest changed first. Rejected ones only when asked for.
    pub fn leads(
        &self,
        status: Option<&str>,
        rejected: bool,
        limit: u32,
    ) -> rusqlite::Result<Vec<LeadRow>> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {LEAD_COLUMNS} FROM leads l JOIN revisions r ON r.id = l.summary_id
             WHERE (?1 IS NULL OR l.status = ?1) AND (?2 OR l.trust != 'rejected')
             ORDER BY l.updated_ms DESC, l.id DESC LIMIT ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![status, rejected, limit], lead_row)?;
        rows.collect()
    }

    pub fn lead(&self, id: i64) -> rusqlite::Result<Option<LeadPage>> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {LEAD_COLUMNS} FROM leads l JOIN revisions r ON r.id = l.summary_id WHERE l.id = ?1"
        );
        let Some(lead) = conn.query_row(&sql, [id], lead_row).optional()? else {
            return Ok(None);
        };
        let mut statement = conn.prepare_cached(
            "SELECT id, revision, received_ms, signed, trust, trust_reason, summary FROM revisions
             WHERE lead_id = ?1 ORDER BY revision, received_ms",
        )?;
        let revisions = statement
            .query_map([id], |row| {
                Ok(RevisionRow {
                    id: row.get(0)?,
                    revision: row.get(1)?,
                    received_at: format_iso(row.get(2)?),
                    signed: row.get(3)?,
                    trust: row.get(4)?,
                    trust_reason: row.get(5)?,
                    summary: RawValue::from_string(row.get(6)?)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut statement = conn.prepare_cached(
            "SELECT at_ms, by, from_status, to_status, reason, amount FROM history
             WHERE lead_id = ?1 ORDER BY at_ms, id",
        )?;
        let history = statement
            .query_map([id], |row| {
                Ok(HistoryRow {
                    at: format_iso(row.get(0)?),
                    by: row.get(1)?,
                    from: row.get(2)?,
                    to: row.get(3)?,
                    reason: row.get(4)?,
                    amount: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(LeadPage {
            lead,
            revisions,
            history,
        }))
    }

    /// Moves a lead to `feedback.status` if that may follow its status; records who and why.
    pub fn feedback(
        &self,
        id: i64,
        feedback: &Feedback,
        now: i64,
    ) -> Result<LeadRow, FeedbackError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<String> = tx
            .query_row("SELECT status FROM leads WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?;
        let from = current
            .as_deref()
            .and_then(Status::from_name)
            .ok_or(FeedbackError::NotFound)?;
        let to = feedback.status;
        if !from.next().contains(&to) {
            return Err(FeedbackError::Invalid {
                from,
                allowed: from.next().to_vec(),
            });
        }
        tx.execute(
            "UPDATE leads SET status = ?2, updated_ms = ?3,
                 accepted_ms = CASE WHEN ?2 = 'accepted' THEN ?3 ELSE accepted_ms END,
                 closed_ms = CASE WHEN ?2 IN ('won', 'lost') THEN ?3 ELSE closed_ms END,
                 amount = COALESCE(?4, amount)
             WHERE id = ?1",
            params![id, to.name(), now, feedback.amount],
        )?;
        tx.execute(
            "INSERT INTO history (lead_id, at_ms, by, from_status, to_status, reason, amount)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                now,
                feedback.by,
                from.name(),
                to.name(),
                feedback.reason,
                feedback.amount
            ],
        )?;
        let sql = format!(
            "SELECT {LEAD_COLUMNS} FROM leads l JOIN revisions r ON r.id = l.summary_id WHERE l.id = ?1"
        );
        let lead = tx.query_row(&sql, [id], lead_row)?;
        tx.commit()?;
        Ok(lead)
    }
}

fn receive(
    tx: &Transaction,
    r: &Received,
    owner: &dyn Fn(&ReceivedSummary, u64) -> Option<String>,
    push: &dyn Fn(&LeadRow) -> Vec<Delivery>,
) -> rusqlite::Result<Stored> {
    let s = r.summary;
    let existing: Option<(i64, bool)> = tx
        .query_row(
            "SELECT lead_id, signed FROM revisions WHERE id = ?1",
            [&s.id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((lead, signed)) = existing {
        if r.signed && !signed && r.trust != Trust::Rejected {
            // NOTE: a signed copy replaces an unsigned one, so a forged browser copy cannot
            // shadow the edge's summary of the same id.
            tx.execute(
                "UPDATE revisions SET signed = 1, trust = ?2, trust_reason = ?3, summary = ?4 WHERE id = ?1",
                params![s.id, r.trust.name(), r.trust_reason, r.json],
            )?;
            tx.execute(
                "UPDATE leads SET trust = ?2, trust_reason = ?3 WHERE id = ?1 AND summary_id = ?4",
                params![lead, r.trust.name(), r.trust_reason, s.id],
            )?;
            return Ok(Stored::Verified { lead });
        }
        return Ok(Stored::Duplicate { lead });
    }
    let sql = s.stage == "sql";
    let pushable = sql && r.trust != Trust::Rejected;
    let first_seen = parse_iso(&s.first_seen).unwrap_or(r.now);
    let lead: Option<(i64, i64, String, String, Option<String>, String)> = tx
        .query_row(
            "SELECT id, revision, trust, status, owner, stage FROM leads WHERE visitor = ?1",
            [&s.visitor],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )
        .optional()?;
    let (lead, latest) = match lead {
        None => {
            let sequence: u64 = tx.query_row(
                "SELECT COUNT(*) FROM leads WHERE owner IS NOT NULL",
                [],
                |row| row.get(0),
            )?;
            let assigned = pushable.then(|| owner(s, sequence)).flatten();
            let status = if sql && r.trust != Trust::Rejected {
                Status::New
            } else {
                Status::Marketing
            };
            tx.execute(
                "INSERT INTO leads (visitor, stage, status, trust, trust_reason, owner, summary_id,
                     revision, model, score, source, first_seen_ms, mql_ms, sql_ms, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
                params![
                    s.visitor, s.stage, status.name(), r.trust.name(), r.trust_reason, assigned, s.id,
                    s.revision, s.model, s.score, source_of(s), first_seen,
                    r.now, sql.then_some(r.now), r.now
                ],
            )?;
            let id = tx.last_insert_rowid();
            if status == Status::New {
                history(tx, id, r.now, "leadpulse", None, status.name(), None)?;
            }
            (id, true)
        }
        Some((id, revision, trust, status, assigned, stage)) => {
            // NOTE: the engine's stage only goes forward, so an MQL revision after an SQL one
            // comes from rolled-back state (a replayed cookie) or a forgery: kept in the
            // history, never the lead's latest.
            let backwards = stage == "sql" && s.stage != "sql";
            let latest = i64::from(s.revision) > revision
                && rank(r.trust.name()) >= rank(&trust)
                && !backwards;
            if latest {
                let status = Status::from_name(&status).unwrap_or(Status::Marketing);
                // An SQL revision hands the lead to sales: a marketing lead becomes new, and
                // one sales sent back becomes new again (it qualified anew).
                let reopened = pushable && matches!(status, Status::Marketing | Status::Rejected);
                let next = if reopened { Status::New } else { status };
                let sequence: u64 = tx.query_row(
                    "SELECT COUNT(*) FROM leads WHERE owner IS NOT NULL",
                    [],
                    |row| row.get(0),
                )?;
                let assigned = assigned.or_else(|| pushable.then(|| owner(s, sequence)).flatten());
                tx.execute(
                    "UPDATE leads SET stage = CASE WHEN ?2 = 'sql' THEN 'sql' ELSE stage END,
                         status = ?3, trust = ?4, trust_reason = ?5, owner = ?6, summary_id = ?7,
                         revision = ?8, model = ?9, score = ?10,
                         sql_ms = CASE WHEN ?2 = 'sql' AND sql_ms IS NULL THEN ?11 ELSE sql_ms END,
                         mql_ms = COALESCE(mql_ms, ?11),
                         updated_ms = ?11
                     WHERE id = ?1",
                    params![
                        id,
                        s.stage,
                        next.name(),
                        r.trust.name(),
                        r.trust_reason,
                        assigned,
                        s.id,
                        s.revision,
                        s.model,
                        s.score,
                        r.now
                    ],
                )?;
                if reopened {
                    history(
                        tx,
                        id,
                        r.now,
                        "leadpulse",
                        Some(status.name()),
                        next.name(),
                        Some("qualified as an SQL"),
                    )?;
                }
            }
            (id, latest)
        }
    };
    tx.execute(
        "INSERT INTO revisions (id, lead_id, revision, received_ms, signed, trust, trust_reason, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![s.id, lead, s.revision, r.now, r.signed, r.trust.name(), r.trust_reason, r.json],
    )?;
    let mut pushed = 0;
    if pushable && latest {
        let sql = format!(
            "SELECT {LEAD_COLUMNS} FROM leads l JOIN revisions r ON r.id = l.summary_id WHERE l.id = ?1"
        );
        let row = tx.query_row(&sql, [lead], lead_row)?;
        for delivery in push(&row) {
            pushed += enqueue(tx, &delivery, &s.id, r.now)?;
        }
    }
    Ok(Stored::New { lead, pushed })
}
