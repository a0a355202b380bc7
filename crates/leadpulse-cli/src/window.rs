//! `--from` / `--to`: the part of a history a command reads, the same for JSONL and Parquet.
//! JSONL lines are read whole and an event outside the window is skipped after it was checked;
//! a Parquet scan skips what the filter rules out before reading it (docs/warehouse.md).
use leadpulse::core::time::Millis;

#[derive(clap::Args, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Read only events at or after this time: ISO-8601 or epoch milliseconds.
    #[arg(long, value_parser = crate::replay::parse_time)]
    pub from: Option<Millis>,
    /// Read only events before this time (the window is [--from, --to)).
    #[arg(long, value_parser = crate::replay::parse_time)]
    pub to: Option<Millis>,
}

impl Window {
    pub fn contains(&self, time: Millis) -> bool {
        self.from.is_none_or(|from| time >= from) && self.to.is_none_or(|to| time < to)
    }

    /// An empty window is a mistake worth saying, not a replay of nothing.
    pub fn check(&self) -> Result<(), String> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from >= to => Err(format!(
                "--from ({from}) must be before --to ({to}): the window [--from, --to) is empty"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Window;

    #[test]
    fn the_window_is_half_open() {
        let w = Window {
            from: Some(10),
            to: Some(20),
        };
        assert!(!w.contains(9) && w.contains(10) && w.contains(19) && !w.contains(20));
        assert!(Window::default().contains(i64::MIN));
        assert!(Window {
            from: Some(20),
            to: Some(20)
        }
        .check()
        .is_err());
    }
}
