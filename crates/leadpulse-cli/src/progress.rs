//! Progress on a terminal for the long commands (`import`, `fit`, `compare`): a bar when the
//! amount of work is known, a spinner with a count when it is not. Nothing is drawn when
//! stderr is not a terminal (a pipe, a file, CI), so logs stay clean.
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

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
            "{prefix:>9} [{bar:32}] {human_pos}/{human_len} {rate} eta {eta} {msg}",
        ),
        (None, true) => (
            ProgressBar::new_spinner(),
            "{prefix:>9} {spinner} {bytes} {bytes_per_sec} {msg}",
        ),
        (None, false) => (
            ProgressBar::new_spinner(),
            "{prefix:>9} {spinner} {human_pos} lines {rate} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> ").with_key("rate", rate));
    }
    bar.set_prefix(label.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Lines per second as a whole number with thousands separators (`52,118/s`): indicatif's
/// `{per_sec}` prints four decimals (`52118.4375/s`).
fn rate(state: &ProgressState, out: &mut dyn std::fmt::Write) {
    let _ = write!(out, "{}/s", whole(state.per_sec()));
}

/// `1234567.8` → `1,234,568`.
fn whole(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_are_whole_numbers() {
        assert_eq!(super::whole(52118.4375), "52,118");
        assert_eq!(super::whole(999.5), "1,000");
        assert_eq!(super::whole(7.0), "7");
        assert_eq!(super::whole(f64::NAN), "0");
    }
}
