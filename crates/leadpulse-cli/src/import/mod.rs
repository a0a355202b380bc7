//! `leadpulse import`: a CRM or marketing-automation export (CSV) → contract events (JSONL,
//! what `replay`, `fit` and `compare` read) and outcomes (`visitor,converted[,amount,closedAt]`),
//! as a mapping file says (docs/import.md). Streams row by row: memory holds one row and the
//! ids seen (to refuse a lead listed twice).
mod delimiter;
mod map;
mod row;
mod timeline;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use csv::ByteRecord;
use leadpulse::core::time::format_iso;

use crate::learn::outcomes;
use crate::output::Output;
use map::Map;
use row::{CellProblem, Header, Lead};
use timeline::Plan;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when every row was imported; 1 when some rows were bad \
    (each is reported on stderr with its line and column, and skipped: the outputs hold the \
    other rows); 2 when nothing could be imported (the map or the CSV cannot be read, the map \
    has problems, an output cannot be written)."
)]
pub struct Options {
    /// The mapping file (JSON, docs/import.md).
    #[arg(long, value_name = "MAP.json")]
    map: PathBuf,
    /// The export: CSV with a header row; `-` reads standard input.
    #[arg(value_name = "FILE.csv")]
    csv: PathBuf,
    /// Where to write the events (JSON lines).
    #[arg(long, value_name = "OUT.jsonl")]
    events: PathBuf,
    /// Where to write the outcomes (CSV: visitor,converted[,amount,closedAt]); needs an
    /// `outcome` in the map.
    #[arg(long, value_name = "OUT.csv")]
    outcomes: Option<PathBuf>,
    /// The export's delimiter: one character (',' ';' '|') or 'tab'. Default: sniffed from
    /// the header line (a comma, or the semicolon of European exports, a tab or a pipe).
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
}

/// A physical line longer than this is not a CRM export: reading stops (memory stays bounded).
const MAX_LINE: usize = 16 << 20;
/// Bad rows reported one by one; the rest are counted.
const MAX_REPORTED: usize = 1000;

#[derive(Default)]
struct Tally {
    rows: u64,
    leads: u64,
    events: u64,
    outcomes: u64,
    converted: u64,
    bad: u64,
}

pub fn run(options: Options) -> ExitCode {
    match import(&options) {
        Ok(tally) => {
            eprintln!(
                "leadpulse import: {} rows → {} leads, {} events, {} outcomes ({} converted); {} bad rows skipped",
                tally.rows, tally.leads, tally.events, tally.outcomes, tally.converted, tally.bad
            );
            if tally.bad > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("leadpulse import: {message}");
            ExitCode::from(2)
        }
    }
}

fn load_map(path: &Path) -> Result<Map, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the map {}: {e}", path.display()))?;
    map::read(&text).map_err(|problems| describe(path, &problems))
}

fn describe(path: &Path, problems: &[String]) -> String {
    let count = problems.len();
    let mut text = format!(
        "invalid map {} ({count} problem{}):",
        path.display(),
        if count == 1 { "" } else { "s" }
    );
    for problem in problems {
        text.push_str("\n  ");
        text.push_str(problem);
    }
    text
}

/// An output written whole or not at all (output.rs): put in place when the import ends
/// with exit status 0 or 1, never after an error.
fn create(path: &Path) -> Result<BufWriter<Output>, String> {
    Output::create(path).map(|f| BufWriter::with_capacity(1 << 16, f))
}

/// Puts a finished output in place.
fn commit(writer: BufWriter<Output>, path: &Path) -> Result<(), String> {
    writer
        .into_inner()
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error()))?
        .commit()
}

/// Lines a record took in the file: more than one when a quoted field holds line breaks
/// (a break that ends the file inside an unclosed quote starts no new line).
fn lines_spanned(record: &ByteRecord) -> u64 {
    let breaks: usize = record
        .iter()
        .map(|field| field.iter().filter(|&&b| b == b'\n').count())
        .sum();
    let trailing = record
        .iter()
        .next_back()
        .is_some_and(|last| last.ends_with(b"\n"));
    breaks.saturating_sub(usize::from(trailing)) as u64 + 1
}

/// For a bad row over several lines: the quoted field that spans them, where it starts and
/// how far it goes. An unbalanced quote makes every line up to the next quote part of one
/// field, so the rows on those lines are not read as rows at all.
fn spanning_field(record: &ByteRecord, header: &Header, line: u64) -> Option<CellProblem> {
    let lines = lines_spanned(record);
    if lines < 2 {
        return None;
    }
    let column = record.iter().position(|field| field.contains(&b'\n'))?;
    Some(CellProblem {
        column: column + 1,
        name: header.name(column).to_string(),
        message: format!(
            "a quoted field starts on line {line} and spans {lines} lines (to line {}): \
             is a closing quote missing? The rows on those lines were read as this one",
            line + lines - 1
        ),
    })
}

fn import(options: &Options) -> Result<Tally, String> {
    let map = load_map(&options.map)?;
    let name = options.csv.display().to_string();
    let (input, size): (Box<dyn Read>, Option<u64>) = if options.csv == Path::new("-") {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = File::open(&options.csv).map_err(|e| format!("cannot read {name}: {e}"))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let chosen = options
        .delimiter
        .as_deref()
        .map(delimiter::parse)
        .transpose()?;
    let bar = crate::progress::bar("import", size, true);
    let mut input =
        std::io::BufReader::with_capacity(1 << 16, bar.wrap_read(LineLimit::new(input)));
    let delimiter = match chosen {
        Some(d) => d,
        None => delimiter::sniff(&mut input).map_err(|e| format!("reading {name}: {e}"))?,
    };
    let how = if chosen.is_some() {
        "--delimiter"
    } else {
        "sniffed from the header; --delimiter sets it"
    };
    let delimiter_note = format!(
        "the CSV was read with the delimiter {} ({how})",
        delimiter::name(delimiter)
    );
    // NOTE: records end at '\n' only, so that the reader's line numbers are right for CRLF
    // files too (with the default terminator a CRLF record is counted a line early); the
    // '\r' left at the end of a last field goes with the cell's trimming.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .delimiter(delimiter)
        .from_reader(input);
    let mut record = ByteRecord::new();
    let read = |reader: &mut csv::Reader<_>, record: &mut ByteRecord| {
        reader
            .read_byte_record(record)
            .map_err(|e| format!("reading {name}: {e}"))
    };
    if !read(&mut reader, &mut record)? {
        return Err(format!("{name} is empty: expected a header row"));
    }
    let header = Header::new(&record, delimiter);
    let problems = header.check(&map);
    if !problems.is_empty() {
        return Err(describe(&options.map, &problems) + "\n  " + &delimiter_note);
    }
    if options.outcomes.is_some() && map.outcome.is_none() {
        return Err("--outcomes given, but the map names no `outcome` column".into());
    }
    let mut events = create(&options.events)?;
    let mut outcomes = match &options.outcomes {
        Some(path) => Some(csv::Writer::from_writer(create(path)?)),
        None => None,
    };
    let detailed = map
        .outcome
        .as_ref()
        .is_some_and(|o| o.amount.is_some() || o.closed_at.is_some());
    if let Some(out) = &mut outcomes {
        let columns: &[&str] = if detailed {
            &["visitor", "converted", "amount", "closedAt"]
        } else {
            &["visitor", "converted"]
        };
        out.write_record(columns)
            .map_err(|e| format!("writing outcomes: {e}"))?;
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut tally = Tally::default();
    let written = |e: std::io::Error| format!("writing {}: {e}", options.events.display());
    loop {
        let line = reader.position().line();
        if !read(&mut reader, &mut record)? {
            break;
        }
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            continue; // a blank line
        }
        tally.rows += 1;
        let lead = row::read(&map, &header, &record)
            .and_then(|lead| admit(&map, lead, line, &header, &mut seen));
        let (lead, plan) = match lead {
            Ok(ok) => ok,
            Err(mut problems) => {
                problems.extend(spanning_field(&record, &header, line));
                tally.bad += 1;
                for p in problems {
                    if tally.bad as usize <= MAX_REPORTED {
                        bar.suspend(|| {
                            eprintln!(
                                "{name}: line {line}, column {} ({}): {}",
                                p.column, p.name, p.message
                            )
                        });
                    }
                }
                continue;
            }
        };
        tally.leads += 1;
        tally.events += timeline::write(&lead, &map, &plan, &mut events).map_err(written)?;
        if let (Some(out), Some(outcome)) = (&mut outcomes, &lead.outcome) {
            tally.outcomes += 1;
            tally.converted += u64::from(outcome.converted);
            let converted = if outcome.converted { "1" } else { "0" };
            let id = outcomes::escape_cell(&lead.id);
            let result = if detailed {
                let amount = outcome.amount.map(|a| a.to_string()).unwrap_or_default();
                let closed = outcome.closed_at.map(format_iso).unwrap_or_default();
                out.write_record([id.as_ref(), converted, &amount, &closed])
            } else {
                out.write_record([id.as_ref(), converted])
            };
            result.map_err(|e| format!("writing outcomes: {e}"))?;
        }
    }
    bar.finish_and_clear();
    if tally.bad as usize > MAX_REPORTED {
        eprintln!(
            "{name}: … {} more bad rows not shown",
            tally.bad as usize - MAX_REPORTED
        );
    }
    commit(events, &options.events)?;
    if let (Some(out), Some(path)) = (outcomes, &options.outcomes) {
        let writer = out
            .into_inner()
            .map_err(|e| format!("writing outcomes: {}", e.error()))?;
        commit(writer, path)?;
    }
    Ok(tally)
}

/// Refuses a lead listed twice or one that would become too many events.
fn admit(
    map: &Map,
    lead: Lead,
    line: u64,
    header: &Header,
    seen: &mut HashMap<String, u64>,
) -> Result<(Lead, Plan), Vec<CellProblem>> {
    let column = header.column_of(&map.id);
    if let Some(first) = seen.get(&lead.id) {
        return Err(vec![CellProblem {
            column: column + 1,
            name: map.id.column.clone(),
            message: format!("duplicate id '{}' (first on line {first})", lead.id),
        }]);
    }
    let plan = Plan::new(&lead);
    let events = plan.events(&lead);
    if events > map.max_events as u64 {
        let message = format!(
            "the row would become {events} events, more than maxEventsPerLead ({})",
            map.max_events
        );
        return Err(vec![CellProblem {
            column: column + 1,
            name: map.id.column.clone(),
            message,
        }]);
    }
    seen.insert(lead.id.clone(), line);
    Ok((lead, plan))
}

/// Stops reading at a physical line longer than [`MAX_LINE`]: the csv reader buffers a
/// whole record, and a file without line ends (or a binary one) would otherwise fill memory.
struct LineLimit<R> {
    inner: R,
    run: usize,
    line: u64,
}

impl<R: Read> LineLimit<R> {
    fn new(inner: R) -> LineLimit<R> {
        LineLimit {
            inner,
            run: 0,
            line: 1,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in buf.get(..n).unwrap_or_default() {
            if byte == b'\n' {
                self.run = 0;
                self.line += 1;
            } else {
                self.run += 1;
            }
        }
        if self.run > MAX_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB: not a CSV export",
                    self.line,
                    MAX_LINE >> 20
                ),
            ));
        }
        Ok(n)
    }
}
