//! Delivering the outbox: each receiver has its own queue and its own task, so a slow or
//! dead receiver delays only itself. A task sends what is due for its receiver (a few at a
//! time), marks it delivered on a 2xx, and otherwise tries again later with exponential
//! backoff and jitter — or gives up on it (dead) after a permanent refusal or its last
//! allowed attempt, until someone retries it. A receiver that answers 429 (or 503) with
//! `Retry-After` is left alone that long, its whole queue with it. Queuing wakes the tasks at
//! once (sales hears of a new SQL within a second); the outbox is in the store, so restarts
//! resume where it was. A CRM's queue sends one delivery at a time (crm/).
mod failure;
mod message;
mod send;
mod sla_message;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;

pub use failure::{status_line, Failure};
pub use message::{deliveries, CrmTarget, Event, Receivers};
pub use send::client;
pub use sla_message::sla_deliveries;

use super::crm::{Crms, Kind};
use super::events::Changes;
use super::now_ms;
use super::store::{Pending, Store};

/// Waits between attempts: from 0.5 s, doubling, at most 5 minutes, then jittered to 50–100 %.
const FIRST_RETRY_MS: i64 = 500;
const LAST_RETRY_MS: i64 = 300_000;
/// Attempts before a delivery is dead: with the waits above, about 27 to 54 minutes of
/// failures (docs/collector.md, "Delivery guarantees").
pub const MAX_ATTEMPTS: u32 = 20;
/// Deliveries to one receiver in flight at once.
const CONCURRENCY: u32 = 4;
/// … to a CRM: one at a time, so two writes about one lead never race (the first write of a
/// lead creates its object there).
const CRM_CONCURRENCY: u32 = 1;
/// The tasks also look every this often (a clock change, a row added by hand).
const IDLE: Duration = Duration::from_secs(5);

/// The delay before attempt `attempts + 1`.
pub fn backoff(attempts: u32) -> i64 {
    let step = FIRST_RETRY_MS
        .saturating_mul(1 << attempts.min(16))
        .min(LAST_RETRY_MS);
    rand::rng().random_range(step / 2..=step)
}

/// Wakes the delivery tasks when something was queued.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// What every receiver's task shares.
#[derive(Clone)]
struct Sender {
    store: Arc<Store>,
    secret: Option<Arc<Vec<u8>>>,
    client: reqwest::Client,
    crms: Arc<Crms>,
    /// Open dashboards hear of each attempt's outcome (their outbox view).
    changes: Changes,
    /// How long a claimed delivery stays this collector's (`--outbox-claim-ms`).
    claim_ms: i64,
}

/// Runs a store call off the async threads; `None` (logged) if it failed.
async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    call: impl FnOnce(&Store) -> super::store::Result<T> + Send + 'static,
) -> Option<T> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || call(&store)).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            tracing::error!("outbox: store: {e}");
            None
        }
        Err(e) => {
            tracing::error!("outbox: {e}");
            None
        }
    }
}

/// Runs the delivery tasks until the process ends: one per receiver with something to
/// deliver, started when its first delivery is seen, each woken when anything is queued.
pub async fn run(
    store: Arc<Store>,
    secret: Option<Arc<Vec<u8>>>,
    crms: Arc<Crms>,
    waker: Waker,
    changes: Changes,
    client: reqwest::Client,
    claim_ms: i64,
) {
    let sender = Sender {
        store,
        secret,
        client,
        crms,
        changes,
        claim_ms,
    };
    let mut queues: HashMap<String, Arc<Notify>> = HashMap::new();
    let mut unconfigured: Vec<String> = Vec::new();
    loop {
        let receivers = blocking(&sender.store, Store::receivers_waiting)
            .await
            .unwrap_or_default();
        for receiver in receivers {
            // NOTE: a CRM's deliveries wait (listed in /api/outbox) while serve runs without
            // its --crm: they go once it is configured again.
            if let Some(kind) = Kind::from_name(&receiver) {
                if !sender.crms.has(kind) {
                    if !unconfigured.contains(&receiver) {
                        tracing::warn!(
                            "outbox: deliveries to {} wait: serve runs without --crm {receiver}",
                            kind.label()
                        );
                        unconfigured.push(receiver);
                    }
                    continue;
                }
            }
            queues.entry(receiver).or_insert_with_key(|receiver| {
                let wake = Arc::new(Notify::new());
                tokio::spawn(queue(sender.clone(), receiver.clone(), wake.clone()));
                wake
            });
        }
        for wake in queues.values() {
            wake.notify_one();
        }
        tokio::select! {
            _ = waker.0.notified() => {}
            _ = tokio::time::sleep(IDLE) => {}
        }
    }
}

/// One receiver's queue: what is due, a few at a time, oldest first.
async fn queue(sender: Sender, receiver: String, wake: Arc<Notify>) {
    let concurrency = if Kind::from_name(&receiver).is_some() {
        CRM_CONCURRENCY
    } else {
        CONCURRENCY
    };
    loop {
        let due = {
            let (receiver, claim_ms) = (receiver.clone(), sender.claim_ms);
            blocking(&sender.store, move |store| {
                let now = now_ms();
                store.due(&receiver, now, now.saturating_add(claim_ms), concurrency)
            })
            .await
            .unwrap_or_default()
        };
        if due.is_empty() {
            let next = {
                let receiver = receiver.clone();
                blocking(&sender.store, move |store| store.next_due(&receiver)).await
            };
            let wait = match next.flatten() {
                Some(at) => Duration::from_millis(
                    u64::try_from((at - now_ms()).clamp(0, IDLE.as_millis() as i64)).unwrap_or(0),
                ),
                None => IDLE,
            };
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        let mut attempts = tokio::task::JoinSet::new();
        for pending in due {
            attempts.spawn(attempt(sender.clone(), pending));
        }
        let mut pause = None;
        while let Some(done) = attempts.join_next().await {
            match done {
                Ok(asked) => pause = pause.max(asked),
                Err(e) => tracing::error!("outbox: a delivery attempt failed: {e}"),
            }
        }
        if let Some(pause) = pause {
            // NOTE: the receiver asked for quiet (429 Retry-After): nothing else goes to it
            // meanwhile, or every other delivery would be refused the same way.
            tracing::info!("outbox: {receiver} asked to wait {pause:?}");
            tokio::time::sleep(pause).await;
        }
    }
}

/// One attempt at one delivery, and its outcome recorded; how long its receiver asked to be
/// left alone, if it did.
async fn attempt(sender: Sender, pending: Pending) -> Option<Duration> {
    let result = match Kind::from_name(&pending.kind) {
        Some(kind) => sender.crms.send(kind, &sender.store, &pending).await,
        None => {
            let secret = sender.secret.as_deref().map(Vec::as_slice);
            send::send(&sender.client, &pending, secret, now_ms() / 1000).await
        }
    };
    let now = now_ms();
    let mut pause = None;
    let id = pending.id;
    let recorded = match result {
        Ok(()) => blocking(&sender.store, move |store| store.delivered(id, now)).await,
        Err(failure) => {
            let attempts = pending.attempts.saturating_add(1);
            let dead = failure.permanent || attempts >= MAX_ATTEMPTS;
            if dead {
                tracing::error!(
                    "outbox: {} for {} is dead after attempt {attempts}: {} (retry it from the dashboard or POST /api/outbox/{id}/retry)",
                    pending.summary_id,
                    pending.receiver,
                    failure.error
                );
            } else {
                tracing::warn!(
                    "outbox: {} for {} not delivered (attempt {attempts}): {}",
                    pending.summary_id,
                    pending.receiver,
                    failure.error
                );
            }
            pause = failure.retry_after.filter(|_| !dead);
            let wait = match pause {
                Some(asked) => i64::try_from(asked.as_millis()).unwrap_or(LAST_RETRY_MS),
                None => backoff(pending.attempts),
            };
            let next = now + wait;
            blocking(&sender.store, move |store| {
                store.failed(id, now, next, &failure.error, dead)
            })
            .await
        }
    };
    if recorded.is_none() {
        tracing::error!("outbox: recording delivery {id} failed");
    }
    sender.changes.outbox();
    pause
}
