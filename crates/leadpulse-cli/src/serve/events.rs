//! Changes pushed to open dashboards (`GET /api/events`, event_stream.rs): a handler that
//! changed a lead or a delivery says so here ([`Changes`]); one task reads each changed lead
//! once and hands the same message to every open stream, so the cost of a change does not
//! grow with the number of dashboards.
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, watch, OwnedSemaphorePermit, Semaphore};

use super::store::Store;

/// Changes waiting for the publishing task; more are dropped and the streams told to reload
/// everything (`resync`).
const QUEUED: usize = 1024;
/// Messages a stream may fall behind by before it is told to reload everything.
const BUFFERED: usize = 256;

/// What changed.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// A lead was created or changed (a summary, a request, sales' feedback).
    Lead(i64),
    /// A delivery was made, failed, died or was put back.
    Outbox,
}

/// One server-sent event: its name and its data (one line of JSON).
#[derive(Debug)]
pub struct Message {
    pub event: &'static str,
    pub data: String,
}

impl Message {
    /// Something was missed: the dashboard reads everything again.
    pub fn resync() -> Message {
        Message {
            event: "resync",
            data: "{}".into(),
        }
    }
}

/// Where handlers report changes; cheap to clone.
#[derive(Clone)]
pub struct Changes {
    queue: mpsc::Sender<Change>,
    overflow: Arc<AtomicBool>,
}

impl Changes {
    pub fn lead(&self, id: i64) {
        self.send(Change::Lead(id));
    }

    pub fn outbox(&self) {
        self.send(Change::Outbox);
    }

    fn send(&self, change: Change) {
        // NOTE: never waits: a handler does not slow down for dashboards. A change that does
        // not fit makes every stream reload instead.
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send(change) {
            self.overflow.store(true, Ordering::Relaxed);
        }
    }
}

/// The open streams' side: the messages, a cap on how many may be open, and the stop signal.
pub struct Events {
    pub changes: Changes,
    out: broadcast::Sender<Arc<Message>>,
    streams: Arc<Semaphore>,
    stopping: watch::Sender<bool>,
}

/// The publishing task's input, for [`publish`].
pub struct Inbox {
    queue: mpsc::Receiver<Change>,
    overflow: Arc<AtomicBool>,
    out: broadcast::Sender<Arc<Message>>,
}

impl Events {
    /// At most `max_streams` streams open at once.
    pub fn new(max_streams: usize) -> (Events, Inbox) {
        let (queue, inbox) = mpsc::channel(QUEUED);
        let (out, _) = broadcast::channel(BUFFERED);
        let overflow = Arc::new(AtomicBool::new(false));
        let events = Events {
            changes: Changes {
                queue,
                overflow: overflow.clone(),
            },
            out: out.clone(),
            streams: Arc::new(Semaphore::new(max_streams)),
            stopping: watch::channel(false).0,
        };
        let inbox = Inbox {
            queue: inbox,
            overflow,
            out,
        };
        (events, inbox)
    }

    /// A place for one more stream, while the cap allows: the stream holds it until it ends.
    pub fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.streams.clone().try_acquire_owned().ok()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Message>> {
        self.out.subscribe()
    }

    /// Becomes `true` when the server stops: streams end, so connections can close.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }
}

/// Runs until the server ends: reads each changed lead once (changes that arrive together are
/// read together) and sends it to every open stream; nothing is read while none is open.
pub async fn publish(store: Arc<Store>, mut inbox: Inbox) {
    while let Some(first) = inbox.queue.recv().await {
        let mut leads = BTreeSet::new();
        let mut outbox = false;
        let mut add = |change| match change {
            Change::Lead(id) => {
                leads.insert(id);
            }
            Change::Outbox => outbox = true,
        };
        add(first);
        while let Ok(change) = inbox.queue.try_recv() {
            add(change);
        }
        let missed = inbox.overflow.swap(false, Ordering::Relaxed);
        if inbox.out.receiver_count() == 0 {
            continue;
        }
        if missed {
            let _ = inbox.out.send(Arc::new(Message::resync()));
        }
        for message in read(&store, leads).await {
            // NOTE: an error only means that every stream has just closed.
            let _ = inbox.out.send(Arc::new(message));
        }
        if outbox {
            let _ = inbox.out.send(Arc::new(Message {
                event: "outbox",
                data: "{}".into(),
            }));
        }
    }
}

/// `lead` messages: each lead as the list shows it (`GET /api/leads`).
async fn read(store: &Arc<Store>, leads: BTreeSet<i64>) -> Vec<Message> {
    let store = store.clone();
    let read = tokio::task::spawn_blocking(move || {
        let mut messages = Vec::new();
        for id in leads {
            match store.lead_row(id) {
                Ok(Some(lead)) => match serde_json::to_string(&lead) {
                    Ok(data) => messages.push(Message {
                        event: "lead",
                        data,
                    }),
                    Err(e) => tracing::error!("events: lead {id}: {e}"),
                },
                Ok(None) => {}
                Err(e) => {
                    tracing::error!("events: store: {e}");
                    messages.push(Message::resync());
                }
            }
        }
        messages
    })
    .await;
    read.unwrap_or_else(|e| {
        tracing::error!("events: {e}");
        vec![Message::resync()]
    })
}
