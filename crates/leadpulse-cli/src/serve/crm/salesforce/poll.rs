//! Status changes made in Salesforce: every `--salesforce-poll` seconds, the Leads changed
//! since the last look (a SOQL query on `LastModifiedDate`, oldest first), each one's Lead
//! Status taken as the status it stands for. Where the poll got to is stored, so a restart
//! misses nothing; it starts at the first run with Salesforce.
use std::collections::HashSet;
use std::sync::Arc;

use super::api::LeadChange;
use super::soql;
use crate::serve::app::App;
use crate::serve::crm::inbound::{apply, Change};
use crate::serve::crm::Kind;
use crate::serve::outbox::Failure;

/// Leads read per look; more wait for the next.
const PAGE: usize = 200;

/// The job (store/jobs.rs) one collector holds while it polls.
const POLL_JOB: &str = "salesforce-poll";

/// Polls until the process ends.
pub async fn run(app: Arc<App>) {
    let Some(salesforce) = app.crms.salesforce.as_ref() else {
        return;
    };
    let every = salesforce.poll_every;
    let store = app.store.clone();
    let start = soql::datetime_ms(crate::serve::now_ms());
    let begun = tokio::task::spawn_blocking(move || {
        if store.crm_cursor(Kind::Salesforce.name())?.is_none() {
            store.set_crm_cursor(Kind::Salesforce.name(), &start, crate::serve::now_ms())?;
        }
        Ok::<_, crate::serve::store::Error>(())
    })
    .await;
    if !matches!(begun, Ok(Ok(()))) {
        tracing::error!("Salesforce: cannot record where polling starts; not polling");
        return;
    }
    // NOTE: the Leads seen at the cursor's second: the next look starts at that second
    // again (the API's times are finer than SOQL's literals) and skips them.
    let mut seen: HashSet<(String, String)> = HashSet::new();
    loop {
        tokio::time::sleep(every).await;
        // NOTE: collectors sharing a database take turns: one polls while it holds the job
        // (renewed each look), another takes over two periods after it stopped.
        let now = crate::serve::now_ms();
        let until =
            now.saturating_add(2 * i64::try_from(every.as_millis()).unwrap_or(i64::MAX / 4));
        let (store, holder) = (app.store.clone(), app.instance.clone());
        let held =
            tokio::task::spawn_blocking(move || store.claim_job(POLL_JOB, &holder, now, until))
                .await;
        match held {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => continue,
            Ok(Err(e)) => {
                tracing::warn!("Salesforce: polling waits: {e}");
                continue;
            }
            Err(e) => {
                tracing::warn!("Salesforce: polling waits: {e}");
                continue;
            }
        }
        if let Err(failure) = look(&app, &mut seen).await {
            tracing::warn!("Salesforce: polling for changed Leads: {}", failure.error);
        }
    }
}

async fn look(app: &Arc<App>, seen: &mut HashSet<(String, String)>) -> Result<(), Failure> {
    let (Some(salesforce), crms) = (app.crms.salesforce.as_ref(), &app.crms) else {
        return Ok(());
    };
    let store = app.store.clone();
    let cursor = tokio::task::spawn_blocking(move || store.crm_cursor(Kind::Salesforce.name()))
        .await
        .map_err(|e| Failure::transient(format!("{e}")))?
        .map_err(|e| Failure::transient(format!("{e}")))?
        .unwrap_or_else(|| soql::datetime_ms(crate::serve::now_ms()));
    let ours = salesforce
        .external_id
        .as_ref()
        .map(|field| format!(" AND {field} != null"))
        .unwrap_or_default();
    let query = format!(
        "SELECT Id, Status, LastModifiedDate FROM Lead WHERE LastModifiedDate >= {cursor}{ours} ORDER BY LastModifiedDate ASC LIMIT {PAGE}"
    );
    let changed: Vec<LeadChange> = salesforce.query(&crms.context, &query).await?;
    let mut latest = cursor.clone();
    for lead in &changed {
        let key = (lead.id.clone(), lead.last_modified.clone());
        if seen.contains(&key) {
            continue;
        }
        if let Some(at) = soql::datetime_of(&lead.last_modified) {
            if at > latest {
                latest = at;
                seen.clear();
            }
        }
        seen.insert(key);
        let Some(status) = lead.status.as_deref() else {
            continue;
        };
        let candidates = crms.context.map.salesforce_candidates(status);
        if candidates.is_empty() {
            continue;
        }
        let change = Change {
            object_id: lead.id.clone(),
            property: "Status".into(),
            value: status.to_string(),
            candidates,
        };
        apply(app, Kind::Salesforce, change).await;
    }
    if latest != cursor {
        let store = app.store.clone();
        let now = crate::serve::now_ms();
        tokio::task::spawn_blocking(move || {
            store.set_crm_cursor(Kind::Salesforce.name(), &latest, now)
        })
        .await
        .map_err(|e| Failure::transient(format!("{e}")))?
        .map_err(|e| Failure::transient(format!("{e}")))?;
    }
    Ok(())
}
