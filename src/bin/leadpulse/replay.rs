//! `leadpulse replay [--model FILE] [--at TIME] EVENTS.jsonl`: one snapshot line per visitor.
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::json::{self, ObjectWriter};
use leadpulse::core::snapshot::Snapshot;
use leadpulse::core::time;

use crate::args::Args;

/// A replay output line: the snapshot with the visitor first.
fn line(visitor: &str, snapshot: &Snapshot) -> String {
    let mut out = String::with_capacity(1024);
    let mut object = ObjectWriter::new(&mut out);
    object.field("visitor", visitor);
    snapshot.write_fields(&mut object);
    object.end();
    out.push('\n');
    out
}

pub fn run(args: &[String]) -> ExitCode {
    let mut args = Args::new(args);
    let model = args.value("--model");
    let at = args.value("--at");
    let input = args.positional();
    let (Some(input), true) = (input, args.finish()) else {
        eprintln!(
            "usage: leadpulse replay [--model FILE] [--at TIME] EVENTS.jsonl   ('-' reads stdin)"
        );
        return ExitCode::from(2);
    };
    let model = match crate::load_model(model.as_deref()) {
        Ok(model) => Arc::new(model),
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let at = match at.as_deref().map(parse_time).transpose() {
        Ok(at) => at,
        Err(message) => {
            eprintln!("leadpulse replay: --at {message}");
            return ExitCode::from(2);
        }
    };
    let reader: Box<dyn BufRead> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&input) {
            Ok(file) => Box::new(std::io::BufReader::with_capacity(1 << 16, file)),
            Err(e) => {
                eprintln!("leadpulse replay: cannot read {input}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let (groups, mut rejected) = match read_events(reader) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("leadpulse replay: reading {input}: {e}");
            return ExitCode::from(2);
        }
    };
    let latest = groups
        .iter()
        .flat_map(|(_, events)| events.iter().map(|(_, e)| e.time))
        .max();
    let at = at.or(latest).unwrap_or(0);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (visitor, events) in groups {
        let mut session = Session::new(model.clone(), &visitor);
        for (line, event) in events {
            if let Err(problem) = session.apply(&event, event.time) {
                eprintln!("line {line}: {problem}");
                rejected += 1;
            }
        }
        let snapshot = session.snapshot(at);
        if out.write_all(line(&visitor, &snapshot).as_bytes()).is_err() {
            // NOTE: a closed pipe (`| head`) is not an error worth a message.
            return ExitCode::FAILURE;
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    if rejected > 0 {
        eprintln!("leadpulse replay: {rejected} line(s) rejected");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

type Groups = Vec<(String, Vec<(usize, Event)>)>;

/// Parses every line; groups by visitor in order of first appearance, each group stably
/// sorted by time. Returns the number of rejected lines (reported on stderr).
fn read_events(reader: Box<dyn BufRead>) -> std::io::Result<(Groups, usize)> {
    let mut groups: Groups = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rejected = 0;
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = json::parse(&line)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|value| Event::parse(&value, None).map_err(|p| p.to_string()));
        match parsed {
            Ok(event) => {
                let slot = *index.entry(event.visitor.clone()).or_insert_with(|| {
                    groups.push((event.visitor.clone(), Vec::new()));
                    groups.len() - 1
                });
                if let Some((_, events)) = groups.get_mut(slot) {
                    events.push((line_no, event));
                }
            }
            Err(message) => {
                eprintln!("line {line_no}: {message}");
                rejected += 1;
            }
        }
    }
    for (_, events) in &mut groups {
        events.sort_by_key(|(_, e)| e.time);
    }
    Ok((groups, rejected))
}

/// An ISO-8601 time or epoch milliseconds.
pub fn parse_time(text: &str) -> Result<time::Millis, String> {
    text.parse::<i64>()
        .ok()
        .or_else(|| time::parse_iso(text))
        .ok_or_else(|| format!("'{text}' is neither an ISO-8601 time nor epoch milliseconds"))
}
