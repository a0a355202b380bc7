//! A connection carrying a long answer (a dashboard's event stream, event_stream.rs) keeps no
//! read deadline while it lasts. NOTE: hyper keeps a read pending during a response, to see a
//! client hang up; the stall deadline (listen.rs) would end every stream after 30 s of client
//! silence, which is how an event stream's client behaves. Writes keep their deadline, so a
//! client that stops reading the stream is still dropped.
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The flag a connection and its requests share (a request extension).
#[derive(Debug, Clone, Default)]
pub struct LongAnswer(Arc<AtomicBool>);

impl LongAnswer {
    /// The answer about to be sent is long; the deadline is back when the guard is dropped.
    pub fn begin(&self) -> Guard {
        self.0.store(true, Ordering::Relaxed);
        Guard(self.0.clone())
    }
}

/// Held by a long answer for as long as it lasts.
pub struct Guard(Arc<AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// `io` (with read and write deadlines) whose read deadline is waived during a long answer.
pub struct Waivable<S> {
    io: S,
    long: LongAnswer,
}

impl<S> Waivable<S> {
    pub fn new(io: S, long: LongAnswer) -> Self {
        Waivable { io, long }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Waivable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let waived = self.long.0.load(Ordering::Relaxed);
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            // NOTE: the deadline fires only after the socket itself said "not yet", which
            // registered this task to be woken when the client sends or hangs up.
            Poll::Ready(Err(e)) if waived && e.kind() == io::ErrorKind::TimedOut => Poll::Pending,
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Waivable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
