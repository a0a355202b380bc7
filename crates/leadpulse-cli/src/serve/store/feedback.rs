//! A lead's status moved by sales (accepted, rejected, opportunity, won, lost): the step is
//! checked against the status rules (status.rs), then the lead, its history entry and the
//! deliveries the change causes (to the CRMs) are written in one transaction. Feedback from
//! the API and status changes made in a CRM (crm.rs) take this same path.
use super::db::{Error, Result, Tx};
use super::leads::{lead_in, LeadRow};
use super::outbox::enqueue;
use super::receive::Push;
use super::Store;
use crate::serve::outbox::Event;
use crate::serve::status::Status;

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
    /// A step that may follow, but its reason or amount is missing or not taken (`path`).
    Refused {
        path: String,
        message: String,
    },
    Store(Error),
}

impl From<Error> for FeedbackError {
    fn from(e: Error) -> Self {
        FeedbackError::Store(e)
    }
}

impl Store {
    /// Moves a lead to `feedback.status` if that may follow its status; records who and why,
    /// and queues `push`'s deliveries about the change.
    pub fn feedback(
        &self,
        id: i64,
        feedback: &Feedback,
        now: i64,
        push: Push,
    ) -> std::result::Result<LeadRow, FeedbackError> {
        self.write(|tx| {
            let from = status_of(tx, id)?.ok_or(FeedbackError::NotFound)?;
            if !from.next().contains(&feedback.status) {
                return Err(FeedbackError::Invalid {
                    from,
                    allowed: from.next().to_vec(),
                });
            }
            // NOTE: the one set of step rules (status.rs), for the API, the dashboard and the CRMs.
            feedback
                .status
                .step()
                .check(feedback.reason.as_deref(), feedback.amount)
                .map_err(|(path, message)| FeedbackError::Refused { path, message })?;
            Ok(apply(tx, id, from, feedback, now, push)?)
        })
    }
}

/// The lead's status (`None`: no such lead), its row locked until the transaction ends: of two
/// collectors given conflicting steps for one lead at once, the second waits, then reads the
/// first one's status (and its step is refused if it may no longer follow: a 409).
pub(super) fn status_of(tx: &mut Tx, id: i64) -> Result<Option<Status>> {
    let sql = format!("SELECT status FROM leads WHERE id = ?1{}", tx.for_update());
    let name: Option<String> = match tx.query_opt(&sql, &[&id])? {
        Some(row) => row.get(0)?,
        None => None,
    };
    Ok(name.as_deref().and_then(Status::from_name))
}

/// Moves lead `id` from `from` to `feedback.status` (a step the caller checked may follow),
/// writes the history entry, and queues `push`'s deliveries, keyed by that entry.
pub(super) fn apply(
    tx: &mut Tx,
    id: i64,
    from: Status,
    feedback: &Feedback,
    now: i64,
    push: Push,
) -> Result<LeadRow> {
    let to = feedback.status;
    tx.execute(
        "UPDATE leads SET status = ?2, updated_ms = ?3,
             accepted_ms = CASE WHEN ?2 = 'accepted' THEN ?3 ELSE accepted_ms END,
             closed_ms = CASE WHEN ?2 IN ('won', 'lost') THEN ?3 ELSE closed_ms END,
             amount = COALESCE(?4, amount),
             sent_back_score = CASE WHEN ?2 = 'rejected' THEN score ELSE sent_back_score END
         WHERE id = ?1",
        &[&id, &to.name(), &now, &feedback.amount],
    )?;
    let step: i64 = tx.value(
        "INSERT INTO history (lead_id, at_ms, by, from_status, to_status, reason, amount)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        &[
            &id,
            &now,
            &feedback.by,
            &from.name(),
            &to.name(),
            &feedback.reason,
            &feedback.amount,
        ],
    )?;
    // NOTE: an answer ends the lead's response-time window: no reminder, no reassignment.
    super::sla::answered(tx, id, now)?;
    let lead = lead_in(tx, id)?;
    // NOTE: one delivery per receiver per status change: the history entry is its key.
    for delivery in push(&lead, Event::Status) {
        enqueue(tx, &delivery, &format!("status-{step}"), id, now, now)?;
    }
    Ok(lead)
}
