//! A summary revision received: it creates or updates the visitor's lead, in one transaction
//! with the pushes it causes (so a crash or `kill -9` leaves neither half done).
use super::db::{Result, Tx};
use super::leads::{history, lead_in, LeadRow};
use super::outbox::{enqueue, take_held, Delivery};
use super::sla::handed_over;
use super::Store;
use crate::serve::outbox::Event;
use crate::serve::owners::Assignment;
use crate::serve::status::Status;
use leadpulse::core::event::Scalar;
use leadpulse::core::sorted_map::SortedMap;
use leadpulse::core::summary::trust::{self, Trust};
use leadpulse::core::summary::Summary;
use leadpulse::core::text::lower;
use leadpulse::core::time::parse_iso;

/// A summary that passed the contract, and what the collector decided about it.
pub struct Received<'a> {
    pub summary: &'a Summary,
    /// The text as received (stored byte for byte).
    pub json: &'a str,
    pub signed: bool,
    pub trust: Trust,
    pub trust_reason: Option<String>,
    pub now: i64,
    /// Points above its score when sales sent it back that a rejected lead needs before this
    /// summary hands it to sales again: its model's `stages.sql.rearmPoints`.
    pub rearm: f64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// A new revision (`pushed`: deliveries queued for sales) and the trust it was stored
    /// with (the assessed one, unless its revision number was out of bounds: `rejected`).
    New {
        lead: i64,
        pushed: usize,
        trust: Trust,
    },
    /// This revision was there already: nothing changed.
    Duplicate { lead: i64 },
    /// There unsigned before, now replaced by the edge's signed copy.
    Verified { lead: i64 },
}

/// Who gets a lead that reaches sales, and their window to accept it: by its traits and how
/// many leads were assigned so far.
pub type AssignOwner<'a> = &'a dyn Fn(&SortedMap<String, Scalar>, u64) -> Assignment;
/// The deliveries that tell sales about a lead.
pub type Push<'a> = &'a dyn Fn(&LeadRow, Event) -> Vec<Delivery>;

impl Store {
    /// Stores a revision: creates or updates the visitor's lead, and queues `push(lead)`'s
    /// deliveries when sales should hear of it (an SQL revision that can be checked and is
    /// the lead's latest). `owner` names the owner of a lead that reaches sales.
    pub fn receive(&self, received: &Received, owner: AssignOwner, push: Push) -> Result<Stored> {
        self.write(|tx| receive(tx, received, owner, push))
    }
}

/// First-touch UTM source, else the referrer host: what the dashboard and `report --by
/// source` group by.
fn source_of(summary: &Summary) -> Option<String> {
    let first = summary.source.first.as_ref()?;
    first
        .utm
        .get("source")
        .cloned()
        .or_else(|| first.referrer.clone())
}

/// The lead's e-mail address (lower case) from a summary's traits.
fn email_of(traits: &SortedMap<String, Scalar>) -> Option<String> {
    match traits.get("email") {
        Some(Scalar::Text(email)) if email.contains('@') => Some(lower(email.trim())),
        _ => None,
    }
}

/// A visitor whose summaries arrive now may have sent a request earlier without analytics
/// consent (a lead `form:<e-mail>`): that lead becomes the visitor's, so one person is one lead.
fn adopt_request_lead(tx: &mut Tx, visitor: &str, email: &str) -> Result<()> {
    let theirs = tx.query_opt("SELECT id FROM leads WHERE visitor = ?1", &[&visitor])?;
    if theirs.is_some() {
        return Ok(());
    }
    tx.execute(
        "UPDATE leads SET visitor = ?1
         WHERE id = (SELECT id FROM leads WHERE email = ?2 AND visitor LIKE 'form:%'
                     ORDER BY updated_ms DESC LIMIT 1)",
        &[&visitor, &email],
    )?;
    Ok(())
}

/// How many leads were given an owner so far: whose turn the next one is. A counter (V9)
/// kept by [`owner_given`] in the transaction that gives the owner, not a count of the leads.
///
/// NOTE: read through a write that changes nothing, so on a database several collectors share
/// the counter's row stays locked until this transaction ends and two new leads never take the
/// same turn; on SQLite the transaction holds the write lock already. Counting the leads here
/// instead cost a full scan per new lead under the write lock: ≈ 13 ms at 200,000 leads (warm
/// cache, this machine).
pub(super) fn assigned_so_far(tx: &mut Tx) -> Result<u64> {
    tx.value(
        "UPDATE counters SET value = value WHERE name = 'assigned' RETURNING value",
        &[],
    )
}

/// A lead without an owner was just given one: the next lead's turn moves on.
pub(super) fn owner_given(tx: &mut Tx) -> Result<()> {
    tx.execute(
        "UPDATE counters SET value = value + 1 WHERE name = 'assigned'",
        &[],
    )?;
    Ok(())
}

fn receive(tx: &mut Tx, r: &Received, owner: AssignOwner, push: Push) -> Result<Stored> {
    let s = r.summary;
    // NOTE: on PostgreSQL, collectors receiving for one visitor at once take turns (their
    // first lead does not exist yet to be locked); the e-mail's request lead, adopted below,
    // too. SQLite's write transactions take turns anyway.
    tx.lock(&s.visitor)?;
    let email = email_of(&s.traits);
    if let Some(email) = &email {
        tx.lock(&format!("form:{email}"))?;
    }
    if let Some(stored) = received_before(tx, r)? {
        return Ok(stored);
    }
    if let Some(email) = &email {
        adopt_request_lead(tx, &s.visitor, email)?;
    }
    let mut verdict = Verdict {
        trust: r.trust,
        reason: r.trust_reason.clone(),
    };
    let (lead, latest) = match CurrentLead::of(tx, &s.visitor)? {
        None => (
            new_lead(tx, r, &mut verdict, email.as_deref(), owner)?,
            true,
        ),
        Some(current) => {
            let id = current.id;
            (
                id,
                revise_lead(tx, r, current, &verdict, email.as_deref(), owner)?,
            )
        }
    };
    let Verdict { trust, reason } = verdict;
    tx.execute(
        "INSERT INTO revisions (id, lead_id, revision, received_ms, signed, trust, trust_reason, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[&s.id, &lead, &s.revision, &r.now, &r.signed, &trust.name(), &reason, &r.json],
    )?;
    let pushed = match s.stage == "sql" && trust.pushable() && latest {
        true => tell_sales(tx, r, lead, push)?,
        false => 0,
    };
    Ok(Stored::New {
        lead,
        pushed,
        trust,
    })
}

/// The trust a revision is stored with, and why (`None` when verified).
struct Verdict {
    trust: Trust,
    reason: Option<String>,
}

/// A revision whose id is stored already: a duplicate, or the edge's signed copy of an
/// unsigned one, which replaces it (so a forged browser copy cannot shadow the edge's summary
/// of the same id). `None` for a new revision.
fn received_before(tx: &mut Tx, r: &Received) -> Result<Option<Stored>> {
    let s = r.summary;
    let existing = tx.query_opt(
        "SELECT lead_id, signed FROM revisions WHERE id = ?1",
        &[&s.id],
    )?;
    let Some(row) = existing else {
        return Ok(None);
    };
    let (lead, signed): (i64, bool) = (row.get(0)?, row.get(1)?);
    if !(r.signed && !signed && r.trust != Trust::Rejected) {
        return Ok(Some(Stored::Duplicate { lead }));
    }
    tx.execute(
        "UPDATE revisions SET signed = 1, trust = ?2, trust_reason = ?3, summary = ?4 WHERE id = ?1",
        &[&s.id, &r.trust.name(), &r.trust_reason, &r.json],
    )?;
    tx.execute(
        "UPDATE leads SET trust = ?2, trust_reason = ?3 WHERE id = ?1 AND summary_id = ?4",
        &[&lead, &r.trust.name(), &r.trust_reason, &s.id],
    )?;
    Ok(Some(Stored::Verified { lead }))
}

/// The visitor's lead as it stands.
struct CurrentLead {
    id: i64,
    revision: Option<u32>,
    trust: String,
    status: String,
    owner: Option<String>,
    /// The stage of its latest revision (none: a lead from a request alone).
    stage: Option<String>,
    /// Its score when sales sent it back, else its score.
    sent_back_score: Option<i64>,
}

impl CurrentLead {
    fn of(tx: &mut Tx, visitor: &str) -> Result<Option<CurrentLead>> {
        let row = tx.query_opt(
            "SELECT id, revision, trust, status, owner,
                 (SELECT json_extract(summary, '$.stage') FROM revisions WHERE id = leads.summary_id),
                 COALESCE(sent_back_score, score)
             FROM leads WHERE visitor = ?1",
            &[&visitor],
        )?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(CurrentLead {
            id: row.get(0)?,
            revision: row.get(1)?,
            trust: row.get(2)?,
            status: row.get(3)?,
            owner: row.get(4)?,
            stage: row.get(5)?,
            sent_back_score: row.get(6)?,
        }))
    }
}

/// The owner a lead gets when it reaches sales now (`None` when it does not), counting the
/// turn if it was given one it did not have.
fn assign(
    tx: &mut Tx,
    traits: &SortedMap<String, Scalar>,
    owner: AssignOwner,
    reaches_sales: bool,
) -> Result<Option<Assignment>> {
    match reaches_sales {
        true => Ok(Some(owner(traits, assigned_so_far(tx)?))),
        false => Ok(None),
    }
}

/// The visitor's first revision: a new lead (handed to sales if an SQL that can be pushed,
/// held for review if its model is unknown). A first revision number no engine produces is a
/// forgery: stored `rejected` (`trust::first_revision`).
fn new_lead(
    tx: &mut Tx,
    r: &Received,
    verdict: &mut Verdict,
    email: Option<&str>,
    owner: AssignOwner,
) -> Result<i64> {
    let s = r.summary;
    let sql = s.stage == "sql";
    if let Err(why) = trust::first_revision(s.revision) {
        verdict.trust = Trust::Rejected;
        verdict.reason = Some(why);
    }
    let (trust, reason) = (verdict.trust, &verdict.reason);
    let pushable = sql && trust.pushable();
    let assignment = assign(tx, &s.traits, owner, pushable)?;
    let assigned = assignment.as_ref().and_then(|a| a.owner.clone());
    if assigned.is_some() {
        owner_given(tx)?;
    }
    let status = match (sql, trust) {
        (true, Trust::Unchecked) => Status::Review,
        (true, t) if t.pushable() => Status::New,
        _ => Status::Marketing,
    };
    let first_seen = parse_iso(&s.first_seen).unwrap_or(r.now);
    let id: i64 = tx.value(
        "INSERT INTO leads (visitor, stage, status, trust, trust_reason, owner, summary_id,
             revision, model, score, source, first_seen_ms, mql_ms, sql_ms, created_ms, updated_ms, email)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16)
         RETURNING id",
        &[
            &s.visitor, &s.stage, &status.name(), &trust.name(), reason, &assigned,
            &s.id, &s.revision, &s.model, &s.score, &source_of(s), &first_seen,
            &r.now, &pushable.then_some(r.now), &r.now, &email,
        ],
    )?;
    if status == Status::New {
        let window = assignment.and_then(|a| a.window_ms);
        handed_over(tx, id, assigned.as_deref(), window, r.now)?;
    }
    if matches!(status, Status::New | Status::Review) {
        let why = reason.as_deref().filter(|_| status == Status::Review);
        history(tx, id, r.now, "leadpulse", None, status.name(), why)?;
    }
    Ok(id)
}

/// A later revision of the visitor's lead: whether it became the lead's latest
/// (`trust::supersedes`); if so the lead follows it, and an SQL revision hands the lead to sales.
fn revise_lead(
    tx: &mut Tx,
    r: &Received,
    lead: CurrentLead,
    verdict: &Verdict,
    email: Option<&str>,
    owner: AssignOwner,
) -> Result<bool> {
    let s = r.summary;
    let trust = verdict.trust;
    let current = lead
        .revision
        .zip(lead.stage.as_deref())
        .map(|(revision, stage)| (revision, Trust::from_name(&lead.trust), stage));
    if !trust::supersedes(current, (s.revision, trust, &s.stage)) {
        return Ok(false);
    }
    let sql = s.stage == "sql";
    let pushable = sql && trust.pushable();
    let status = Status::from_name(&lead.status).unwrap_or(Status::Marketing);
    // An SQL revision hands the lead to sales: a marketing lead becomes new, and one held for
    // review once a revision can be checked. One sales sent back becomes new again only once
    // it re-armed: its score rose by the model's points since (a visitor still browsing is not
    // handed to sales on each page).
    let rearmed = lead
        .sent_back_score
        .is_none_or(|then| s.score.saturating_sub(then) as f64 >= r.rearm);
    let reopened = pushable
        && match status {
            Status::Marketing | Status::Review => true,
            Status::Rejected => rearmed,
            _ => false,
        };
    let held = sql && trust == Trust::Unchecked && status == Status::Marketing;
    let next = if reopened {
        Status::New
    } else if held {
        Status::Review
    } else {
        status
    };
    let assignment = assign(tx, &s.traits, owner, pushable)?;
    let had_owner = lead.owner.is_some();
    let assigned = lead
        .owner
        .or_else(|| assignment.as_ref().and_then(|a| a.owner.clone()));
    if !had_owner && assigned.is_some() {
        owner_given(tx)?;
    }
    tx.execute(
        "UPDATE leads SET stage = CASE WHEN ?2 = 'sql' THEN 'sql' ELSE stage END,
             status = ?3, trust = ?4, trust_reason = ?5, owner = ?6, summary_id = ?7,
             revision = ?8, model = ?9, score = ?10,
             sql_ms = CASE WHEN ?12 AND sql_ms IS NULL THEN ?11 ELSE sql_ms END,
             mql_ms = COALESCE(mql_ms, ?11),
             basis = 'consent',
             email = COALESCE(?13, email),
             updated_ms = ?11
         WHERE id = ?1",
        &[
            &lead.id,
            &s.stage,
            &next.name(),
            &trust.name(),
            &verdict.reason,
            &assigned,
            &s.id,
            &s.revision,
            &s.model,
            &s.score,
            &r.now,
            &pushable,
            &email,
        ],
    )?;
    if reopened {
        let window = assignment.and_then(|a| a.window_ms);
        handed_over(tx, lead.id, assigned.as_deref(), window, r.now)?;
    }
    if next != status {
        let why = if reopened {
            "qualified as an SQL"
        } else {
            "held for review: the collector cannot check its model"
        };
        let from = Some(status.name());
        history(
            tx,
            lead.id,
            r.now,
            "leadpulse",
            from,
            next.name(),
            Some(why),
        )?;
    }
    Ok(true)
}

/// Queues the messages that tell sales of the lead's SQL revision: the first time as an SQL,
/// after that as a revision. The number of deliveries queued.
fn tell_sales(tx: &mut Tx, r: &Received, lead: i64, push: Push) -> Result<usize> {
    let row = lead_in(tx, lead)?;
    // NOTE: a request the same click sent may still be held (requests.rs): this message
    // carries it (the lead's latest request), so sales hears once.
    let held = take_held(tx, lead, r.now)?;
    let first = row.sql_at.as_deref() == Some(row.updated_at.as_str())
        || held.iter().any(|e| e == Event::Sql.name());
    let event = if first { Event::Sql } else { Event::Revision };
    let mut pushed = 0;
    for delivery in push(&row, event) {
        pushed += enqueue(tx, &delivery, &r.summary.id, lead, r.now, r.now)?;
    }
    Ok(pushed)
}
