//! A real HTTP receiver for webhooks (axum on its own runtime, on loopback): it records every
//! request and answers with the status the test sets — at once, or when the test lets it
//! (`hold`, `release`: a receiver that keeps the collector waiting).
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Hook {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
    /// The status it was answered with.
    pub answered: u16,
}

impl Hook {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

struct Shared {
    hooks: Mutex<Vec<Hook>>,
    arrived: Condvar,
    status: AtomicU16,
    /// `false` while answers are held back.
    open: tokio::sync::watch::Sender<bool>,
    /// Requests answered so far.
    answered: AtomicUsize,
}

pub struct Receiver {
    pub address: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn record(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // NOTE: the answer is chosen before the request is visible to the test, so a test that
    // changes the answer after seeing N requests changes it for request N + 1 on.
    let answered = shared.status.load(Ordering::SeqCst);
    let hook = Hook {
        answered,
        path: uri.path().to_string(),
        headers,
        body: body.to_vec(),
        at: Instant::now(),
    };
    shared.hooks.lock().unwrap().push(hook);
    shared.arrived.notify_all();
    let mut open = shared.open.subscribe();
    let _ = open.wait_for(|open| *open).await;
    shared.answered.fetch_add(1, Ordering::SeqCst);
    StatusCode::from_u16(answered).unwrap()
}

impl Receiver {
    /// A receiver on a free loopback port, answering 200.
    pub fn start() -> Receiver {
        Receiver::start_on("127.0.0.1:0".parse().unwrap())
    }

    /// A receiver on `address` (a port a test reserved earlier).
    pub fn start_on(address: SocketAddr) -> Receiver {
        let shared = Arc::new(Shared {
            hooks: Mutex::default(),
            arrived: Condvar::new(),
            status: AtomicU16::new(200),
            open: tokio::sync::watch::Sender::new(true),
            answered: AtomicUsize::new(0),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound, address_rx) = std::sync::mpsc::channel();
        let app = axum::Router::new()
            .fallback(record)
            .with_state(shared.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(address).await.unwrap();
                bound.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let address = address_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the receiver listens");
        Receiver {
            address,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The status every later request gets (e.g. 500: the receiver is failing).
    pub fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Requests are recorded as they arrive but answered only after `release`.
    pub fn hold(&self) {
        self.shared.open.send_replace(false);
    }

    /// Answers everything held, and everything later at once.
    pub fn release(&self) {
        self.shared.open.send_replace(true);
    }

    /// How many requests were answered (a held one is not, yet).
    pub fn answered(&self) -> usize {
        self.shared.answered.load(Ordering::SeqCst)
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.shared.hooks.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; all of them.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Hook> {
        let hooks = self.shared.hooks.lock().unwrap();
        let (hooks, result) = self
            .shared
            .arrived
            .wait_timeout_while(hooks, timeout, |hooks| hooks.len() < n)
            .unwrap();
        assert!(
            !result.timed_out(),
            "{} of {n} webhook requests in {timeout:?}",
            hooks.len()
        );
        hooks.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // NOTE: held requests would keep the graceful shutdown waiting.
        self.release();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A loopback port nothing listens on (taken, then released).
pub fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}
