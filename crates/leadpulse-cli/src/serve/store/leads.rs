//! Leads as the API shows them: the lists, a lead's page (every summary revision, request
//! and status change); sales feedback is in feedback.rs.
use leadpulse::core::time::format_iso;
use serde::Serialize;
use serde_json::value::RawValue;

use super::db::{Error, Result, Row, Tx};
use super::questions::questions;
use super::sla::{self, SlaRow};
use super::Store;
use crate::serve::status::{Status, Step};

/// A lead as the API shows it (camelCase), with its latest summary and latest request.
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
    /// `consent` (analytics consent: summaries) or `request` (a request alone).
    pub basis: String,
    pub revision: Option<i64>,
    pub summary_id: Option<String>,
    pub model: Option<String>,
    pub score: Option<i64>,
    pub source: Option<String>,
    pub first_seen: String,
    pub mql_at: Option<String>,
    pub sql_at: Option<String>,
    pub accepted_at: Option<String>,
    pub closed_at: Option<String>,
    pub amount: Option<f64>,
    pub received_at: String,
    pub updated_at: String,
    /// The owner's booking page (`--owner NAME=URL`, an owner rule's `bookingUrl`), for
    /// sending the visitor to their owner's calendar; filled from the configuration, not stored.
    pub booking_url: Option<String>,
    /// The latest summary, byte for byte as received; `null` for a lead from a request alone.
    pub summary: Option<Box<RawValue>>,
    /// The latest request, as received; `null` if the visitor never sent one.
    pub request: Option<Box<RawValue>>,
    /// The person's e-mail address (lower case), once known: what a CRM keys a contact on.
    /// NOTE: not in the API's lead (the summary and the request carry it already).
    #[serde(skip)]
    pub email: Option<String>,
    /// Every question the visitor typed, oldest first (questions.rs).
    pub questions: Vec<String>,
    /// The steps sales may take from this status and what each asks for (status.rs).
    pub allowed: Vec<Step>,
}

pub(super) const LEAD_COLUMNS: &str = "l.id, l.visitor, l.stage, l.status, l.trust,
    l.trust_reason, l.owner, l.basis, l.revision, l.summary_id, l.model, l.score, l.source,
    l.first_seen_ms, l.mql_ms, l.sql_ms, l.accepted_ms, l.closed_ms, l.amount, l.created_ms,
    l.updated_ms, r.summary, q.request, l.email";
pub(super) const LEAD_TABLES: &str = "leads l LEFT JOIN revisions r ON r.id = l.summary_id
    LEFT JOIN requests q ON q.id = l.request_id";

/// Stored JSON (it passed its contract on the way in) as raw JSON; `null` if edited by hand.
fn raw(text: Option<String>) -> Result<Option<Box<RawValue>>> {
    text.map(|t| {
        RawValue::from_string(t)
            .or_else(|_| RawValue::from_string("null".into()))
            .map_err(|e| Error::Failed(e.to_string()))
    })
    .transpose()
}

/// Stored JSON that must be there.
fn json(text: String) -> Result<Box<RawValue>> {
    RawValue::from_string(text).map_err(|e| Error::Failed(e.to_string()))
}

/// A lead's row as stored; its questions are filled in by [`with_questions`].
pub(super) fn lead_row(row: &Row) -> Result<LeadRow> {
    let time =
        |i: usize| -> Result<Option<String>> { Ok(row.get::<Option<i64>>(i)?.map(format_iso)) };
    let status: String = row.get(3)?;
    let allowed = Status::from_name(&status).map_or_else(Vec::new, Status::allowed);
    Ok(LeadRow {
        id: row.get(0)?,
        visitor: row.get(1)?,
        stage: row.get(2)?,
        status,
        trust: row.get(4)?,
        trust_reason: row.get(5)?,
        owner: row.get(6)?,
        basis: row.get(7)?,
        revision: row.get(8)?,
        summary_id: row.get(9)?,
        model: row.get(10)?,
        score: row.get(11)?,
        source: row.get(12)?,
        first_seen: format_iso(row.get(13)?),
        mql_at: time(14)?,
        sql_at: time(15)?,
        accepted_at: time(16)?,
        closed_at: time(17)?,
        amount: row.get(18)?,
        received_at: format_iso(row.get(19)?),
        updated_at: format_iso(row.get(20)?),
        booking_url: None,
        summary: raw(row.get(21)?)?,
        request: raw(row.get(22)?)?,
        email: row.get(23)?,
        questions: Vec::new(),
        allowed,
    })
}

/// `lead` with every question its visitor typed.
fn with_questions(tx: &mut Tx, mut lead: LeadRow) -> Result<LeadRow> {
    lead.questions = questions(tx, lead.id)?;
    Ok(lead)
}

/// One lead, if there is one, with its questions.
fn find(tx: &mut Tx, id: i64) -> Result<Option<LeadRow>> {
    let sql = format!("SELECT {LEAD_COLUMNS} FROM {LEAD_TABLES} WHERE l.id = ?1");
    match tx.query_opt(&sql, &[&id])? {
        Some(row) => with_questions(tx, lead_row(&row)?).map(Some),
        None => Ok(None),
    }
}

/// One lead, in the transaction that changed it.
pub(super) fn lead_in(tx: &mut Tx, id: i64) -> Result<LeadRow> {
    find(tx, id)?.ok_or_else(|| Error::Failed(format!("lead {id} is gone")))
}

/// A status change in the lead's history.
pub(super) fn history(
    tx: &mut Tx,
    lead: i64,
    at: i64,
    by: &str,
    from: Option<&str>,
    to: &str,
    reason: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO history (lead_id, at_ms, by, from_status, to_status, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[&lead, &at, &by, &from, &to, &reason],
    )?;
    Ok(())
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

/// One request of a lead, as its page lists them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRow {
    pub id: String,
    pub form: String,
    pub basis: String,
    pub received_at: String,
    pub signed: bool,
    pub request: Box<RawValue>,
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
    /// The owner it was given (an SLA reassignment), else `null`.
    pub owner: Option<String>,
}

/// A lead with every revision and request received and every status change: its page.
#[derive(Debug, Serialize)]
pub struct LeadPage {
    pub lead: LeadRow,
    pub revisions: Vec<RevisionRow>,
    pub requests: Vec<RequestRow>,
    pub history: Vec<HistoryRow>,
    /// Its response-time window, if it was handed to an owner with one.
    pub sla: Option<SlaRow>,
}

impl Store {
    /// Leads, the latest changed first. Rejected ones only when asked for.
    pub fn leads(&self, status: Option<&str>, rejected: bool, limit: u32) -> Result<Vec<LeadRow>> {
        self.read(|tx| {
            // NOTE: the CAST gives PostgreSQL ?1's type (IS NULL alone does not).
            let sql = format!(
                "SELECT {LEAD_COLUMNS} FROM {LEAD_TABLES}
                 WHERE (CAST(?1 AS TEXT) IS NULL OR l.status = ?1) AND (?2 OR l.trust != 'rejected')
                 ORDER BY l.updated_ms DESC, l.id DESC LIMIT ?3"
            );
            let rows = tx.query(&sql, &[&status, &rejected, &limit])?;
            rows.iter()
                .map(|row| with_questions(tx, lead_row(row)?))
                .collect()
        })
    }

    /// One lead as the lists show it (the dashboard's pushed changes), if there is one.
    pub fn lead_row(&self, id: i64) -> Result<Option<LeadRow>> {
        self.read(|tx| find(tx, id))
    }

    pub fn lead(&self, id: i64) -> Result<Option<LeadPage>> {
        self.read(|tx| page(tx, id))
    }
}

fn page(tx: &mut Tx, id: i64) -> Result<Option<LeadPage>> {
    let Some(lead) = find(tx, id)? else {
        return Ok(None);
    };
    let revisions = tx
        .query(
            "SELECT id, revision, received_ms, signed, trust, trust_reason, summary FROM revisions
             WHERE lead_id = ?1 ORDER BY revision, received_ms",
            &[&id],
        )?
        .iter()
        .map(|row| {
            Ok(RevisionRow {
                id: row.get(0)?,
                revision: row.get(1)?,
                received_at: format_iso(row.get(2)?),
                signed: row.get(3)?,
                trust: row.get(4)?,
                trust_reason: row.get(5)?,
                summary: json(row.get(6)?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let requests = tx
        .query(
            "SELECT id, form, basis, received_ms, signed, request FROM requests
             WHERE lead_id = ?1 ORDER BY received_ms, id",
            &[&id],
        )?
        .iter()
        .map(|row| {
            Ok(RequestRow {
                id: row.get(0)?,
                form: row.get(1)?,
                basis: row.get(2)?,
                received_at: format_iso(row.get(3)?),
                signed: row.get(4)?,
                request: json(row.get(5)?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let history = tx
        .query(
            "SELECT at_ms, by, from_status, to_status, reason, amount, owner FROM history
             WHERE lead_id = ?1 ORDER BY at_ms, id",
            &[&id],
        )?
        .iter()
        .map(|row| {
            Ok(HistoryRow {
                at: format_iso(row.get(0)?),
                by: row.get(1)?,
                from: row.get(2)?,
                to: row.get(3)?,
                reason: row.get(4)?,
                amount: row.get(5)?,
                owner: row.get(6)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let sla = sla::sla_row(tx, id)?;
    Ok(Some(LeadPage {
        lead,
        revisions,
        requests,
        history,
        sla,
    }))
}
