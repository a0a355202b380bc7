//! Each lead's object in each CRM (a HubSpot contact, a Salesforce Lead), remembered once it
//! was written, so that later writes update that object (nothing duplicated after a restart)
//! and status changes made in the CRM find their lead; and where polling a CRM got to.
use serde_json::{Map, Value};

use super::db::Result;
use super::feedback::{apply, status_of, Feedback};
use super::leads::{LeadRow, LEAD_COLUMNS, LEAD_TABLES};
use super::receive::Push;
use super::Store;
use crate::serve::status::Status;

/// Who a status change made in a CRM is recorded as (the history's `by`).
pub const BY_CRM: &str = "crm";

/// A lead as a CRM delivery needs it: the lead, and its object there if written before.
pub struct CrmLead {
    pub lead: LeadRow,
    pub object_id: Option<String>,
}

/// A status property of a CRM object that changed there.
pub struct CrmChange<'a> {
    pub crm: &'a str,
    pub object_id: &'a str,
    pub property: &'a str,
    pub value: &'a str,
    /// The statuses that value stands for (the mapping's), in the order to try them.
    pub candidates: &'a [Status],
    /// Why, in words, for the history (e.g. "HubSpot: hs_lead_status → UNQUALIFIED").
    pub reason: String,
}

/// What a change made in a CRM did to one linked lead.
#[derive(Debug, PartialEq, Eq)]
pub enum CrmOutcome {
    Moved {
        lead: i64,
        from: Status,
        to: Status,
    },
    /// The value the collector itself wrote last: the CRM telling back our own write.
    Echo {
        lead: i64,
    },
    /// The lead already has that status.
    InStep {
        lead: i64,
    },
    /// None of the statuses may follow the lead's (a 409 from the API): skipped.
    Refused {
        lead: i64,
        from: Status,
        allowed: Vec<Status>,
    },
}

impl Store {
    /// Lead `id` with its object in `crm`, if the lead exists.
    pub fn crm_lead(&self, crm: &str, id: i64) -> Result<Option<CrmLead>> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {LEAD_COLUMNS}, c.object_id FROM {LEAD_TABLES}
                 LEFT JOIN crm_links c ON c.lead_id = l.id AND c.crm = ?2 WHERE l.id = ?1"
            );
            match tx.query_opt(&sql, &[&id, &crm])? {
                Some(row) => Ok(Some(CrmLead {
                    lead: super::leads::lead_row(&row)?,
                    object_id: row.get(24)?,
                })),
                None => Ok(None),
            }
        })
    }

    /// Remembers `object_id` as lead `id`'s object in `crm`, and `sent` as the status values
    /// last written to it (merged over earlier ones).
    pub fn crm_linked(
        &self,
        crm: &str,
        id: i64,
        object_id: &str,
        sent: &Map<String, Value>,
        now: i64,
    ) -> Result<()> {
        self.write(|tx| {
            let sql = format!(
                "SELECT sent FROM crm_links WHERE crm = ?1 AND lead_id = ?2 AND object_id = ?3{}",
                tx.for_update()
            );
            let before: Option<String> = match tx.query_opt(&sql, &[&crm, &id, &object_id])? {
                Some(row) => Some(row.get(0)?),
                None => None,
            };
            let mut merged: Map<String, Value> = before
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            merged.extend(sent.iter().map(|(k, v)| (k.clone(), v.clone())));
            tx.execute(
                "INSERT INTO crm_links (crm, lead_id, object_id, sent, linked_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (crm, lead_id) DO UPDATE SET object_id = ?3, sent = ?4, linked_ms = ?5",
                &[&crm, &id, &object_id, &Value::Object(merged).to_string(), &now],
            )?;
            Ok(())
        })
    }

    /// Forgets lead `id`'s object in `crm` (deleted or merged away there).
    pub fn crm_unlinked(&self, crm: &str, id: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM crm_links WHERE crm = ?1 AND lead_id = ?2",
                &[&crm, &id],
            )
        })?;
        Ok(())
    }

    /// A status change made in a CRM, applied to every lead linked to that object as the
    /// feedback the API takes (by `crm`), where the status rules allow it.
    pub fn crm_change(&self, change: &CrmChange, now: i64, push: Push) -> Result<Vec<CrmOutcome>> {
        self.write(|tx| {
            // NOTE: no ORDER BY: with one, SQLite walks every link of the CRM in lead order
            // instead of the object's few through crm_links_by_object; sorted below.
            let mut linked: Vec<(i64, String)> = tx
                .query(
                    "SELECT lead_id, sent FROM crm_links WHERE crm = ?1 AND object_id = ?2",
                    &[&change.crm, &change.object_id],
                )?
                .iter()
                .map(|row| Ok((row.get(0)?, row.get(1)?)))
                .collect::<Result<_>>()?;
            linked.sort_unstable_by_key(|(lead, _)| *lead);
            let mut outcomes = Vec::new();
            for (lead, sent) in linked {
                let sent: Map<String, Value> = serde_json::from_str(&sent).unwrap_or_default();
                if sent.get(change.property).and_then(Value::as_str) == Some(change.value) {
                    outcomes.push(CrmOutcome::Echo { lead });
                    continue;
                }
                let Some(from) = status_of(tx, lead)? else {
                    continue;
                };
                if change.candidates.contains(&from) {
                    outcomes.push(CrmOutcome::InStep { lead });
                    continue;
                }
                let Some(to) = change
                    .candidates
                    .iter()
                    .copied()
                    .find(|to| from.next().contains(to))
                else {
                    outcomes.push(CrmOutcome::Refused {
                        lead,
                        from,
                        allowed: from.next().to_vec(),
                    });
                    continue;
                };
                let feedback = Feedback {
                    status: to,
                    reason: Some(change.reason.clone()),
                    amount: None,
                    by: BY_CRM.into(),
                };
                apply(tx, lead, from, &feedback, now, push)?;
                outcomes.push(CrmOutcome::Moved { lead, from, to });
            }
            Ok(outcomes)
        })
    }

    /// Where polling `crm` for changes got to, if it started.
    pub fn crm_cursor(&self, crm: &str) -> Result<Option<String>> {
        self.read(|tx| {
            match tx.query_opt("SELECT cursor FROM crm_cursors WHERE crm = ?1", &[&crm])? {
                Some(row) => Ok(Some(row.get(0)?)),
                None => Ok(None),
            }
        })
    }

    pub fn set_crm_cursor(&self, crm: &str, cursor: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO crm_cursors (crm, cursor, updated_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (crm) DO UPDATE SET cursor = ?2, updated_ms = ?3",
                &[&crm, &cursor, &now],
            )
        })?;
        Ok(())
    }
}
