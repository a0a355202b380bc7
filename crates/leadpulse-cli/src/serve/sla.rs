//! The response-time job (docs/collector.md, "Response times (SLA)"): every second or so it
//! looks for windows that have run out, reminds their owner, moves a lead whose owner was
//! reminded a window ago to the next owner, and wakes the outbox. Each step is one
//! transaction in the store, so a restart neither repeats nor skips one.
use std::sync::Arc;
use std::time::Duration;

use super::app::App;
use super::now_ms;
use super::outbox;
use super::store::{LeadRow, Notice};

/// Windows handled per look; the rest wait for the next look.
const BATCH: u32 = 100;

/// Runs the job until the process ends, looking every `every`.
pub async fn run(app: Arc<App>, every: Duration) {
    loop {
        let looked = {
            let app = app.clone();
            tokio::task::spawn_blocking(move || check(&app, now_ms())).await
        };
        match looked {
            Ok(Ok(queued)) if queued > 0 => app.waker.wake(),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("sla: store: {e}"),
            Err(e) => tracing::error!("sla: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}

/// One look at `now`: every window that has run out is acted on; deliveries queued.
pub fn check(app: &App, now: i64) -> super::store::Result<usize> {
    let push =
        |lead: &LeadRow, notice: &Notice| outbox::sla_deliveries(&app.receivers, lead, notice);
    let mut queued = 0;
    for due in app.store.sla_due(now, BATCH)? {
        let next = app
            .owners
            .next_owner(&due.owner, &due.first_owner, due.moves);
        let done = match (due.reminded_ms, next) {
            (None, next) => {
                let done = app.store.sla_remind(&due, next, now, &push)?;
                if done.is_some() {
                    tracing::info!(
                        "sla: lead {} not accepted in time: {} reminded",
                        due.lead,
                        due.owner
                    );
                }
                done
            }
            (Some(_), Some(next)) => {
                let done = app.store.sla_move(&due, next, now, &push)?;
                if done.is_some() {
                    tracing::info!("sla: lead {} moved from {} to {next}", due.lead, due.owner);
                }
                done
            }
            (Some(_), None) => {
                app.store.sla_end(&due, now)?;
                None
            }
        };
        queued += done.unwrap_or(0);
    }
    Ok(queued)
}
