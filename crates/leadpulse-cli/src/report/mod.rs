//! `leadpulse report`: the sales figures of a collector's store (docs/metrics.md), as tables
//! or JSON. The computation (`figures`) is shared with the collector's `GET /api/report`.
pub mod challenger;
pub mod figures;
pub mod period;
pub mod query;
mod table;

use std::process::ExitCode;

use crate::serve::store::{Location, Store};

use query::{By, Query};

#[derive(clap::Args)]
pub struct Options {
    /// The collector's store (`leadpulse serve --db`): its SQLite file (opened read-only) or
    /// its postgres:// URL.
    #[arg(long, value_name = "FILE|URL", env = "LEADPULSE_DB", hide_env_values = true, value_parser = Location::parse)]
    db: Location,
    /// First day of the period (YYYY-MM-DD, UTC), or an ISO-8601 time.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period, included (or an ISO-8601 time, excluded).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Also each figure per source (first-touch UTM source or referrer), model or owner.
    #[arg(long, value_parser = ["source", "model", "owner"])]
    by: Option<String>,
    /// Print JSON (the same as `GET /api/report`).
    #[arg(long)]
    json: bool,
}

/// A query from its text parameters (the command's options, the route's query string); the
/// error names the parameter.
pub fn query(
    from: Option<&str>,
    to: Option<&str>,
    by: Option<&str>,
) -> Result<Query, (String, String)> {
    let from = from
        .map(period::start)
        .transpose()
        .map_err(|e| ("from".to_string(), e))?;
    let to = to
        .map(period::end)
        .transpose()
        .map_err(|e| ("to".to_string(), e))?;
    let by = match by {
        None => None,
        Some(name) => Some(By::from_name(name).ok_or_else(|| {
            (
                "by".to_string(),
                format!("expected source, model or owner, found '{name}'"),
            )
        })?),
    };
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            return Err(("to".into(), "the period ends before it begins".into()));
        }
    }
    Ok(Query { from, to, by })
}

pub fn run(options: Options) -> ExitCode {
    let q = match query(
        options.from.as_deref(),
        options.to.as_deref(),
        options.by.as_deref(),
    ) {
        Ok(q) => q,
        Err((param, message)) => {
            eprintln!("leadpulse report: --{param}: {message}");
            return ExitCode::from(2);
        }
    };
    let report = Store::open_read_only(&options.db).and_then(|store| {
        store
            .read(|tx| figures::compute(tx, &q))
            .map_err(|e| e.to_string())
    });
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            eprintln!("leadpulse report: {}: {e}", options.db);
            return ExitCode::from(2);
        }
    };
    if options.json {
        // The table shows warnings in place; beside JSON they also go to stderr, to be seen.
        for warning in report.challengers.iter().filter_map(|c| c.warning.as_ref()) {
            eprintln!("leadpulse report: warning: {warning}");
        }
    }
    let text = if options.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("leadpulse report: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        table::render(&report)
    };
    crate::print(&text)
}
