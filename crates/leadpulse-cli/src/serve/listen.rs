//! Accepting connections, and how long and how many each client may hold: HTTP/1.1 (hyper's
//! http1 server) with a deadline for the first byte, for each request's headers (which also
//! ends idle keep-alive connections) and for any read or write that stalls; a cap on open
//! connections in all and per client address (client.rs); and a graceful stop on SIGTERM or
//! Ctrl-C. NOTE: no HTTP/2: a reverse proxy speaks it to browsers; an HTTP/2 preface sent
//! here is refused as a malformed HTTP/1 request and the connection closed.
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::TcpStream;
use tokio_io_timeout::TimeoutStream;
use tower::Service;

use super::client::{Connections, Slot};
use super::long_answer::{LongAnswer, Waivable};

/// A client must send its request headers within this; after a response, the next request's
/// headers too, so an idle keep-alive connection ends after it.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// On shutdown, requests in flight get this long to finish.
const DRAIN: Duration = Duration::from_secs(5);

/// What a client may hold (client.rs says what happens at the caps).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// From accept to the first byte.
    pub first_byte: Duration,
    /// A read or a write that makes no progress for this long ends the connection (a client
    /// that stops reading a response, say); 30 s, longer than any request may take (app.rs).
    pub stall: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections per client address (`None`: no cap, behind a proxy).
    pub per_address: Option<usize>,
}

/// Serves until SIGTERM or Ctrl-C; then calls `stopping` (long answers end) and lets the
/// requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    stopping: impl FnOnce(),
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let connections = Connections::new(limits.max_connections, limits.per_address);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // NOTE: out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Some(slot) = connections.admit(peer.ip()) else {
            // NOTE: closed at once: a client over its share gets no descriptor held for it.
            tracing::debug!("connection from {peer} closed: over the connection cap");
            drop(stream);
            continue;
        };
        let connection = Connection {
            http: http.clone(),
            router: router.clone(),
            watcher: graceful.watcher(),
            peer,
            first_byte: limits.first_byte,
            stall: limits.stall,
        };
        tokio::spawn(async move {
            connection.run(stream, &slot).await;
            drop(slot);
        });
    }
    tracing::info!("stopping: finishing requests in flight");
    stopping();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("stopped with requests unfinished"),
    }
}

/// One accepted connection and what serving it needs.
struct Connection {
    http: http1::Builder,
    router: Router,
    watcher: Watcher,
    peer: SocketAddr,
    first_byte: Duration,
    stall: Duration,
}

impl Connection {
    async fn run(self, stream: TcpStream, slot: &Slot) {
        let peer = self.peer;
        // NOTE: hyper's header deadline starts when it first reads; this one covers the time
        // before, so a client that connects and says nothing holds the socket only so long —
        // or less, when a new connection needs its place (client.rs).
        let mut byte = [0u8; 1];
        let spoke = tokio::select! {
            peeked = tokio::time::timeout(self.first_byte, stream.peek(&mut byte)) => {
                matches!(peeked, Ok(Ok(n)) if n > 0)
            }
            () = slot.evicted() => false,
        };
        if !spoke {
            tracing::debug!("connection from {peer} closed: nothing sent");
            return;
        }
        slot.spoke();
        let mut io = TimeoutStream::new(stream);
        io.set_read_timeout(Some(self.stall));
        io.set_write_timeout(Some(self.stall));
        let long = LongAnswer::default();
        let io = Waivable::new(Box::pin(io), long.clone());
        let router = self.router;
        // The router for this connection, every request carrying the peer's address and the
        // connection's long-answer flag.
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(long.clone());
            router.clone().call(request)
        });
        let connection = self.http.serve_connection(TokioIo::new(io), service);
        if let Err(e) = self.watcher.watch(connection).await {
            tracing::debug!("connection from {peer}: {e}");
        }
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
}
