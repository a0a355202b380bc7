//! A status change made in a CRM becomes the feedback the API takes: the status rules decide
//! (status.rs); the history says `by: crm` and why; a step the rules refuse (a 409 from the
//! API) is logged and skipped. The other CRMs hear of the change; the one it came from does
//! not (it has it).
use std::sync::Arc;

use super::Kind;
use crate::serve::app::App;
use crate::serve::outbox::deliveries;
use crate::serve::status::Status;
use crate::serve::store::{CrmChange, CrmOutcome};

/// A status property of a CRM object that changed there.
pub struct Change {
    pub object_id: String,
    pub property: String,
    pub value: String,
    pub candidates: Vec<Status>,
}

/// Applies `change` from `kind` to the leads linked to its object; how many moved.
pub async fn apply(app: &Arc<App>, kind: Kind, change: Change) -> usize {
    let now = crate::serve::now_ms();
    let app_in = app.clone();
    let reason = format!("{}: {} → {}", kind.label(), change.property, change.value);
    let said = format!(
        "{} {} = {}",
        change.object_id, change.property, change.value
    );
    let outcomes = tokio::task::spawn_blocking(move || {
        let app = app_in;
        let push = |lead: &_, event| {
            let mut all = deliveries(&app.receivers, lead, event);
            all.retain(|d| d.receiver != kind.name());
            all
        };
        app.store.crm_change(
            &CrmChange {
                crm: kind.name(),
                object_id: &change.object_id,
                property: &change.property,
                value: &change.value,
                candidates: &change.candidates,
                reason,
            },
            now,
            &push,
        )
    })
    .await;
    let outcomes = match outcomes {
        Ok(Ok(outcomes)) => outcomes,
        Ok(Err(e)) => {
            tracing::error!("{}: a status change could not be stored: {e}", kind.label());
            return 0;
        }
        Err(e) => {
            tracing::error!("{}: {e}", kind.label());
            return 0;
        }
    };
    let mut moved = 0;
    for outcome in outcomes {
        match outcome {
            CrmOutcome::Moved { lead, from, to } => {
                moved += 1;
                tracing::info!(
                    "{}: lead {lead} {} → {} (by crm)",
                    kind.label(),
                    from.name(),
                    to.name()
                );
            }
            CrmOutcome::Echo { lead } | CrmOutcome::InStep { lead } => {
                tracing::debug!("{}: lead {lead} already in step", kind.label());
            }
            CrmOutcome::Refused {
                lead,
                from,
                allowed,
            } => {
                let allowed: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
                let allowed = match allowed.split_last() {
                    None => "which takes no further status".to_string(),
                    Some((last, [])) => format!("which can become {last}"),
                    Some((last, rest)) => format!("which can become {} or {last}", rest.join(", ")),
                };
                tracing::warn!(
                    "{}: {said} skipped for lead {lead}: it is {}, {allowed} (409)",
                    kind.label(),
                    from.name(),
                );
            }
        }
    }
    if moved > 0 {
        app.waker.wake();
    }
    moved
}
