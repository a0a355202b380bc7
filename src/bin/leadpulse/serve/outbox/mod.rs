//! Delivering the outbox: a background task that sends what is due, marks it delivered on a
//! 2xx, and otherwise tries again later with exponential backoff and jitter. It wakes at once
//! when a delivery is queued (sales hears of a new SQL within a second) and keeps going
//! across restarts, since the outbox is in the store.
mod message;
mod send;

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;

pub use message::{deliveries, Event, Receivers};

use super::now_ms;
use super::store::Store;

/// Waits between attempts: from 0.5 s, doubling, at most 30 s, then jittered to 50–100 %.
const FIRST_RETRY_MS: i64 = 500;
const LAST_RETRY_MS: i64 = 30_000;
/// Deliveries sent at once.
const BATCH: u32 = 16;
/// The task also looks every this often (a clock change, a row added by hand).
const IDLE: Duration = Duration::from_secs(5);

/// The delay before attempt `attempts + 1`.
pub fn backoff(attempts: u32) -> i64 {
    let step = FIRST_RETRY_MS
        .saturating_mul(1 << attempts.min(16))
        .min(LAST_RETRY_MS);
    rand::rng().random_range(step / 2..=step)
}

/// Wakes the task when something was queued.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Runs the delivery loop until the process ends.
pub async fn run(store: Arc<Store>, secret: Option<Arc<Vec<u8>>>, waker: Waker) {
    let client = send::client();
    loop {
        let due = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || store.due(now_ms(), BATCH)).await
        };
        let due = match due {
            Ok(Ok(due)) => due,
            Ok(Err(e)) => {
                tracing::error!("outbox: reading failed: {e}");
                Vec::new()
            }
            Err(e) => {
                tracing::error!("outbox: {e}");
                Vec::new()
            }
        };
        if due.is_empty() {
            let next = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.next_due()).await
            };
            let wait = match next {
                Ok(Ok(Some(at))) => {
                    Duration::from_millis((at - now_ms()).clamp(0, IDLE.as_millis() as i64) as u64)
                }
                _ => IDLE,
            };
            tokio::select! {
                _ = waker.0.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        let attempts = due.into_iter().map(|pending| {
            let (client, store, secret) = (client.clone(), store.clone(), secret.clone());
            tokio::spawn(async move {
                let result =
                    send::send(&client, &pending, secret.as_deref().map(|s| s.as_slice())).await;
                let now = now_ms();
                let recorded = tokio::task::spawn_blocking(move || match result {
                    Ok(()) => store.delivered(pending.id, now),
                    Err(error) => {
                        tracing::warn!(
                            "outbox: {} for {} not delivered (attempt {}): {error}",
                            pending.summary_id,
                            pending.receiver,
                            pending.attempts + 1
                        );
                        store.failed(pending.id, now + backoff(pending.attempts), &error)
                    }
                })
                .await;
                if let Ok(Err(e)) = recorded {
                    tracing::error!("outbox: recording a delivery failed: {e}");
                }
            })
        });
        for attempt in attempts.collect::<Vec<_>>() {
            if let Err(e) = attempt.await {
                tracing::error!("outbox: a delivery attempt failed: {e}");
            }
        }
    }
}
