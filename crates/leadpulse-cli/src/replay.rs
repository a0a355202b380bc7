//! `leadpulse replay`: events (JSONL) through a model, one snapshot line per visitor.
//!
//! Streams: each line is parsed straight into an event and applied to its visitor's session
//! at once, so memory grows with the number of visitors, not of events. Events apply in
//! file order (a late event counts as late, as it would live). Reading and parsing run on a
//! second thread; the output is the same whatever the timing. Parquet input goes through
//! DataFusion instead (`crate::warehouse::replay`), with the same output.
pub mod lines;
pub mod parse;
mod sessions;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use leadpulse::core::snapshot::Snapshot;
use leadpulse::core::time::{self, Millis};
use serde::Serialize;

use crate::window::Window;
use lines::Lines;
use parse::Parsed;
use sessions::Sessions;

#[derive(clap::Args)]
#[command(
    after_help = "Output: one JSON line per visitor (its snapshot, `visitor` first), in order \
    of the visitor's first event in the input, whatever the input's format.\n\
    Exit status: 0 on success; 1 when some lines (or Parquet rows) were rejected (each is \
    reported on stderr); 2 when the input or the model could not be read."
)]
pub struct Options {
    /// A model document or a compiled model (default: the built-in model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// When to read the snapshots: ISO-8601 or epoch milliseconds (default: the latest
    /// event's time).
    #[arg(long, value_parser = parse_time)]
    at: Option<Millis>,
    #[command(flatten)]
    window: Window,
    /// Parquet input: how many cores score visitors (default: all of them). JSONL replay
    /// always reads on one thread and scores on another.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// The history: JSONL events, one per line (`-` reads standard input), or Parquet: a
    /// `.parquet` file or a directory of them, as warehouses export (docs/warehouse.md).
    events: PathBuf,
}

/// A replay output line: the snapshot with the visitor first.
#[derive(Serialize)]
pub struct Output<'a> {
    pub visitor: &'a str,
    #[serde(flatten)]
    pub snapshot: &'a Snapshot,
}

pub fn run(options: Options) -> ExitCode {
    let model = match crate::model_file::load(options.model.as_deref()) {
        Ok(model) => Arc::new(model),
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = options.window.check() {
        eprintln!("leadpulse replay: {message}");
        return ExitCode::from(2);
    }
    if crate::input::is_parquet(&options.events) {
        #[cfg(feature = "warehouse")]
        return crate::warehouse::replay::run(crate::warehouse::replay::Request {
            model,
            at: options.at,
            window: options.window,
            threads: options.threads,
            path: &options.events,
        });
        #[cfg(not(feature = "warehouse"))]
        {
            let _ = options.threads;
            eprintln!(
                "leadpulse replay: {}",
                crate::input::unsupported(&options.events)
            );
            return ExitCode::from(2);
        }
    }
    let name = options.events.display().to_string();
    let lines = match Lines::open(&options.events) {
        Ok(lines) => lines,
        Err(e) => {
            eprintln!("leadpulse replay: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut sessions = Sessions::new(model);
    let mut rejected = 0usize;
    let mut total = 0u64;
    let mut latest: Option<Millis> = None;
    let started = std::time::Instant::now();
    let bar = crate::progress::bar("replay", None, false);
    let read = std::thread::scope(|scope| {
        let (batches, reader) = parse::spawn(scope, lines, options.window);
        for batch in batches.iter() {
            total += batch.len() as u64;
            bar.inc(batch.len() as u64);
            for parsed in batch {
                let applied = match parsed {
                    Parsed::Event(number, event) => sessions
                        .apply(&event)
                        .map(|()| event.time)
                        .map_err(|problem| (number, problem.to_string())),
                    Parsed::Rejected(number, why) => Err((number, why)),
                };
                match applied {
                    Ok(t) => latest = latest.max(Some(t)),
                    Err((at, why)) => {
                        bar.suspend(|| eprintln!("{at}: {why}"));
                        rejected += 1;
                    }
                }
            }
        }
        reader.join()
    });
    bar.finish_and_clear();
    match read {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("leadpulse replay: reading {name}: {e}");
            return ExitCode::from(2);
        }
        Err(_) => {
            eprintln!("leadpulse replay: the reader thread failed");
            return ExitCode::from(2);
        }
    }
    let at = options.at.or(latest).unwrap_or(0);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (visitor, session) in sessions.iter() {
        let snapshot = session.snapshot(at);
        let line = Output {
            visitor,
            snapshot: &snapshot,
        };
        let written =
            serde_json::to_writer(&mut out, &line).is_ok() && out.write_all(b"\n").is_ok();
        if !written {
            // NOTE: a closed pipe (`| head`) is not an error worth a message.
            return ExitCode::FAILURE;
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    eprintln!(
        "leadpulse replay: {total} line(s), {} visitor(s), {rejected} rejected, in {:.2} s",
        sessions.len(),
        started.elapsed().as_secs_f64()
    );
    if rejected > 0 {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// An ISO-8601 time or epoch milliseconds, within the years events may have (2000–9999):
/// snapshots are read at a time the engine's arithmetic was made for.
pub fn parse_time(text: &str) -> Result<Millis, String> {
    let at = text
        .parse::<i64>()
        .ok()
        .or_else(|| time::parse_iso(text))
        .ok_or_else(|| format!("'{text}' is neither an ISO-8601 time nor epoch milliseconds"))?;
    if !(time::FIRST_EVENT..=time::MAX_TIME).contains(&at) {
        return Err(format!(
            "'{text}' is outside the years events may have: from {} ({}) to {} ({})",
            time::format_iso(time::FIRST_EVENT),
            time::FIRST_EVENT,
            time::format_iso(time::MAX_TIME),
            time::MAX_TIME
        ));
    }
    Ok(at)
}
