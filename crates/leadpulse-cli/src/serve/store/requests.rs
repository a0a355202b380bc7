//! A visitor's request received (a form, an e-mail in the chat): it reaches sales whatever the
//! analytics consent. It is attached to the visitor's lead when it was sent with analytics
//! consent (it names the visitor), else to the lead of its e-mail address (`form:<e-mail>`),
//! creating the lead if there is none; a lead sales does not have yet is handed to them. One
//! transaction with the pushes it causes.
use super::db::{Result, Tx};
use super::leads::{history, lead_in};
use super::outbox::enqueue;
use super::receive::{assigned_so_far, owner_given, AssignOwner, Push};
use super::sla::handed_over;
use super::Store;
use crate::serve::outbox::Event;
use crate::serve::status::Status;
use leadpulse::core::request::{self, Request, BASIS_CONSENT};
use leadpulse::core::summary::trust::Trust;
use leadpulse::core::text::lower;
use leadpulse::core::time::parse_iso;

/// How long the push of a request sent with analytics consent waits for the summary of the
/// same click, which then carries it (below).
const HOLD_MS: i64 = 400;

/// A request that passed the contract.
pub struct ReceivedRequest<'a> {
    pub request: &'a Request,
    /// The JSON stored (as received, or as built from a form post).
    pub json: &'a str,
    /// Forwarded by the edge with the signing secret.
    pub signed: bool,
    pub now: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum StoredRequest {
    /// A new request (`pushed`: deliveries queued for sales).
    New { lead: i64, pushed: usize },
    /// This request id was there already: nothing changed.
    Duplicate { lead: i64 },
}

impl Store {
    pub fn receive_request(
        &self,
        received: &ReceivedRequest,
        owner: AssignOwner,
        push: Push,
    ) -> Result<StoredRequest> {
        self.write(|tx| receive_request(tx, received, owner, push))
    }
}

/// The lead a request belongs to: the visitor's, or (without analytics consent, so without a
/// visitor id) the one of its e-mail address.
fn lead_key(request: &Request) -> String {
    match (&request.visitor, request.basis.as_str()) {
        (Some(visitor), BASIS_CONSENT) => visitor.clone(),
        _ => format!("form:{}", lower(request.email().trim())),
    }
}

fn receive_request(
    tx: &mut Tx,
    r: &ReceivedRequest,
    owner: AssignOwner,
    push: Push,
) -> Result<StoredRequest> {
    let q = r.request;
    let key = lead_key(q);
    // NOTE: collectors sharing PostgreSQL take turns per lead key (receive.rs says why).
    tx.lock(&key)?;
    if let Some(row) = tx.query_opt("SELECT lead_id FROM requests WHERE id = ?1", &[&q.id])? {
        return Ok(StoredRequest::Duplicate { lead: row.get(0)? });
    }
    let email = lower(q.email().trim());
    let traits = request::traits(&q.fields);
    let asked = format!("asked to be contacted ({} form)", q.form);
    // NOTE: without analytics consent there is no visitor id: the person's lead, if any, is
    // found by the e-mail address they typed (their consented summaries carry it too).
    let lead = tx.query_opt(
        "SELECT id, status, owner FROM leads
         WHERE visitor = ?1 OR (?2 AND email = ?3)
         ORDER BY visitor = ?1 DESC, updated_ms DESC LIMIT 1",
        &[&key, &q.visitor.is_none(), &email],
    )?;
    let lead: Option<(i64, String, Option<String>)> = match lead {
        Some(row) => Some((row.get(0)?, row.get(1)?, row.get(2)?)),
        None => None,
    };
    let (lead, event) = match lead {
        None => {
            let sequence = assigned_so_far(tx)?;
            let (trust, reason) = if r.signed {
                (
                    Trust::Verified,
                    "a request through the edge: what the visitor typed",
                )
            } else {
                (Trust::Unverified, "a request: what the visitor typed")
            };
            let at = parse_iso(&q.at).unwrap_or(r.now);
            let assignment = owner(&traits, sequence);
            if assignment.owner.is_some() {
                owner_given(tx)?;
            }
            let id: i64 = tx.value(
                "INSERT INTO leads (visitor, stage, status, trust, trust_reason, owner, source,
                     first_seen_ms, sql_ms, created_ms, updated_ms, basis, request_id, email)
                 VALUES (?1, 'sql', 'new', ?2, ?3, ?4, NULL, ?5, ?6, ?6, ?6, ?7, ?8, ?9)
                 RETURNING id",
                &[
                    &key,
                    &trust.name(),
                    &reason,
                    &assignment.owner,
                    &at.min(r.now),
                    &r.now,
                    &q.basis,
                    &q.id,
                    &email,
                ],
            )?;
            let (assigned, window) = (assignment.owner.as_deref(), assignment.window_ms);
            handed_over(tx, id, assigned, window, r.now)?;
            history(
                tx,
                id,
                r.now,
                "leadpulse",
                None,
                Status::New.name(),
                Some(&asked),
            )?;
            (id, Event::Sql)
        }
        Some((id, status, assigned)) => {
            let status = Status::from_name(&status).unwrap_or(Status::Marketing);
            let reopened = matches!(
                status,
                Status::Marketing | Status::Rejected | Status::Review
            );
            let next = if reopened { Status::New } else { status };
            let assignment = if reopened {
                Some(owner(&traits, assigned_so_far(tx)?))
            } else {
                None
            };
            let had_owner = assigned.is_some();
            let assigned = assigned.or_else(|| assignment.as_ref().and_then(|a| a.owner.clone()));
            if !had_owner && assigned.is_some() {
                owner_given(tx)?;
            }
            tx.execute(
                "UPDATE leads SET status = ?2, owner = ?3, stage = 'sql',
                     sql_ms = CASE WHEN ?4 THEN COALESCE(sql_ms, ?5) ELSE sql_ms END,
                     basis = CASE WHEN ?6 = 'consent' THEN 'consent' ELSE basis END,
                     request_id = ?7, updated_ms = ?5, email = COALESCE(email, ?8)
                 WHERE id = ?1",
                &[
                    &id,
                    &next.name(),
                    &assigned,
                    &reopened,
                    &r.now,
                    &q.basis,
                    &q.id,
                    &email,
                ],
            )?;
            if reopened {
                let window = assignment.and_then(|a| a.window_ms);
                handed_over(tx, id, assigned.as_deref(), window, r.now)?;
                history(
                    tx,
                    id,
                    r.now,
                    "leadpulse",
                    Some(status.name()),
                    next.name(),
                    Some(&asked),
                )?;
            }
            (id, if reopened { Event::Sql } else { Event::Request })
        }
    };
    tx.execute(
        "INSERT INTO requests (id, lead_id, form, basis, received_ms, signed, request)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[&q.id, &lead, &q.form, &q.basis, &r.now, &r.signed, &r.json],
    )?;
    let row = lead_in(tx, lead)?;
    // NOTE: sent with analytics consent, the same click usually hands off a summary too (it
    // leaves the browser first): held a moment, this push is replaced by the summary's, which
    // carries the request (receive.rs), so sales hears once. Alone, it goes after the hold.
    let at = if q.basis == BASIS_CONSENT {
        r.now + HOLD_MS
    } else {
        r.now
    };
    let mut pushed = 0;
    for delivery in push(&row, event) {
        pushed += enqueue(tx, &delivery, &q.id, lead, r.now, at)?;
    }
    Ok(StoredRequest::New { lead, pushed })
}
