//! Progress on a terminal for the long commands (`import`, `fit`, `compare`): a bar when the
//! amount of work is known, a spinner with a count when it is not. Nothing is drawn when
//! stderr is not a terminal (a pipe, a file, CI), so logs stay clean.
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `total` units (`bytes` or lines), or a spinner counting them without a total.
pub fn bar(label: &str, total: Option<u64>, bytes: bool) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match (total, bytes) {
        (Some(total), true) => (
            ProgressBar::new(total),
            "{prefix:>9} [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
        ),
        (Some(total), false) => (
            ProgressBar::new(total),
            "{prefix:>9} [{bar:32}] {human_pos}/{human_len} {per_sec} eta {eta} {msg}",
        ),
        (None, true) => (
            ProgressBar::new_spinner(),
            "{prefix:>9} {spinner} {bytes} {bytes_per_sec} {msg}",
        ),
        (None, false) => (
            ProgressBar::new_spinner(),
            "{prefix:>9} {spinner} {human_pos} lines {per_sec} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
