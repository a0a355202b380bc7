//! The collector's clock: the system's, plus an offset a test can move.
//!
//! With `LEADPULSE_TEST_CLOCK_FILE` set, the file's content (milliseconds, `0` when missing or
//! unreadable) is added to every reading, re-read every 100 ms: tests of retries and deadlines
//! move time forward instead of sleeping through it. The delivery tasks look again at least
//! every few seconds (`outbox::IDLE`), so a jump is acted on within that.
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// Milliseconds since the Unix epoch, as the collector sees them.
pub fn now_ms() -> i64 {
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    system.saturating_add(OFFSET_MS.load(Ordering::Relaxed))
}

/// Follows the test clock's file when `LEADPULSE_TEST_CLOCK_FILE` names one (in the runtime).
pub fn follow_test_clock() {
    let Some(path) = std::env::var_os("LEADPULSE_TEST_CLOCK_FILE").map(PathBuf::from) else {
        return;
    };
    tracing::warn!(file = %path.display(), "the clock follows a test's offset file");
    tokio::spawn(async move {
        loop {
            let offset = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| text.trim().parse::<i64>().ok())
                .unwrap_or(0);
            OFFSET_MS.store(offset, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}
