//! Accepting connections: one thread each (capped), one request each, then a lingering close.
use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http::{self, Response};
use super::{routes, App};

/// Connections handled at once; more are answered 503 straight away.
const MAX_CONNECTIONS: usize = 128;
/// Time a client has to send its whole request (slow clients get 408).
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

pub fn accept_loop(listener: &TcpListener, app: &Arc<App>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                // e.g. out of file descriptors: back off instead of spinning.
                log!("leadpulse serve: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            // Answered on the accepting thread, so no lingering close here.
            let busy = Response::error(503, "server busy").with_header("Retry-After", "1");
            let mut stream = stream;
            let _ = busy.write_to(&mut stream, false);
            continue;
        }
        let guard = ActiveGuard(Arc::clone(&active));
        let app = Arc::clone(app);
        let spawned = std::thread::Builder::new()
            .name("leadpulse-conn".into())
            .spawn(move || {
                let _guard = guard;
                handle(&app, stream);
            });
        if let Err(e) = spawned {
            log!("leadpulse serve: cannot start a connection thread: {e}");
        }
    }
}

struct ActiveGuard(Arc<AtomicUsize>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle(app: &App, mut stream: TcpStream) {
    let deadline = Instant::now() + REQUEST_DEADLINE;
    let Ok(peer) = stream.peer_addr() else {
        return;
    };
    let (response, head_only) = match http::read_head(&mut stream, deadline) {
        Ok((head, early_body)) => {
            let body = http::Body {
                stream: &mut stream,
                early: early_body,
                deadline,
            };
            let response = routes::route(app, &head, body, peer.ip());
            let target = head.target.escape_debug();
            log!("{} {target} {}", head.method, response.status);
            (response, head.method == "HEAD")
        }
        Err(e) => match e.response() {
            Some(response) => (response, false),
            None => return,
        },
    };
    finish(stream, &response, head_only);
}

/// Writes the response, then reads (and drops) what the client still sends for a moment
/// before closing. NOTE: closing a socket with unread input makes the kernel send a reset,
/// which can destroy the response before the client reads it (e.g. a 413 sent while the
/// client is still uploading).
fn finish(mut stream: TcpStream, response: &Response, head_only: bool) {
    if response.write_to(&mut stream, head_only).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(2);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut drained = 0usize;
    let mut sink = [0u8; 4096];
    while drained < (1 << 20) && Instant::now() < until {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}
