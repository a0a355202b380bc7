//! One CSV row → one lead: its id, start time, traits, engagement, events and outcome; or
//! every problem of the row, each naming its column.
use std::collections::HashMap;

use csv::ByteRecord;
use leadpulse::core::event::MAX_ID_LEN;
use leadpulse::core::time::{self, Millis};

use super::map::{one_of, same, Cell, Emit, Engagement, Map, TimeSource, TraitKind};

/// The longest cell read, in bytes (the longest text an event keeps).
pub const MAX_FIELD: usize = leadpulse::core::event::MAX_TEXT_LEN;

/// A problem in one cell: its column (from 1), the column's name, what is wrong.
#[derive(Debug, Clone)]
pub struct CellProblem {
    pub column: usize,
    pub name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub converted: bool,
    pub amount: Option<f64>,
    pub closed_at: Option<Millis>,
}

/// What a row says about a lead, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Lead {
    pub id: String,
    pub start: Millis,
    pub traits: serde_json::Map<String, serde_json::Value>,
    pub visits: Option<u64>,
    pub pages: Option<u64>,
    pub pages_per_visit: Option<f64>,
    pub seconds: f64,
    /// (event name, how many times).
    pub counts: Vec<(String, u64)>,
    /// Events that happened once: (name, properties).
    pub flags: Vec<(String, serde_json::Map<String, serde_json::Value>)>,
    pub outcome: Option<Outcome>,
}

/// The header: each column's position, by name.
pub struct Header {
    names: Vec<String>,
    /// What the fields were split at (named in a row's wrong-count problem).
    delimiter: u8,
    positions: HashMap<String, usize>,
}

impl Header {
    /// Reads the header record; a UTF-8 byte-order mark before the first name is dropped.
    pub fn new(record: &ByteRecord, delimiter: u8) -> Header {
        let names: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let name = String::from_utf8_lossy(bytes);
                let name = if i == 0 {
                    name.trim_start_matches('\u{feff}')
                } else {
                    &name
                };
                name.trim().to_string()
            })
            .collect();
        let mut positions = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            positions.entry(name.clone()).or_insert(i);
        }
        Header {
            names,
            delimiter,
            positions,
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn name(&self, column: usize) -> &str {
        self.names.get(column).map_or("", String::as_str)
    }

    /// Every column the map names that the header lacks (or has twice), as problems with
    /// the map's path.
    pub fn check(&self, map: &Map) -> Vec<String> {
        let mut problems = Vec::new();
        let mut columns: Vec<String> = self.names.iter().take(30).map(|n| shown(n)).collect();
        if self.names.len() > 30 {
            columns.push(format!("… {} more", self.names.len() - 30));
        }
        let columns = columns.join(", ");
        for cell in cells(map) {
            let count = self.names.iter().filter(|n| **n == cell.column).count();
            if count == 0 {
                problems.push(format!(
                    "{}: no column '{}' in the CSV header (columns: {columns})",
                    cell.path, cell.column
                ));
            } else if count > 1 {
                problems.push(format!(
                    "{}: the CSV header has {count} columns named '{}'",
                    cell.path, cell.column
                ));
            }
        }
        problems
    }

    pub fn column_of(&self, cell: &Cell) -> usize {
        self.positions
            .get(&cell.column)
            .copied()
            .unwrap_or(usize::MAX)
    }
}

/// Every column the map reads.
fn cells(map: &Map) -> Vec<&Cell> {
    let mut cells = vec![&map.id];
    if let Some(outcome) = &map.outcome {
        cells.push(&outcome.cell);
        cells.extend(outcome.amount.iter());
        cells.extend(outcome.closed_at.iter());
    }
    if let TimeSource::Column(cell) = &map.time {
        cells.push(cell);
    }
    cells.extend(map.traits.iter().map(|t| &t.cell));
    cells.extend(map.engagement.iter().map(|e| &e.cell));
    cells.extend(map.events.iter().map(|e| &e.cell));
    cells
}

/// Reads the cells of one record, collecting the problems.
struct Reader<'a> {
    record: &'a ByteRecord,
    header: &'a Header,
    problems: Vec<CellProblem>,
}

impl<'a> Reader<'a> {
    fn problem(&mut self, column: usize, message: String) {
        self.problems.push(CellProblem {
            column: column + 1,
            name: self.header.name(column).to_string(),
            message,
        });
    }

    /// The cell's text, trimmed; `None` when it is one of the column's missing values or
    /// could not be read (then reported).
    fn text(&mut self, cell: &Cell) -> Option<&'a str> {
        let column = self.header.column_of(cell);
        let bytes = self.record.get(column)?;
        if bytes.len() > MAX_FIELD {
            let message = format!("longer than {MAX_FIELD} bytes ({} bytes)", bytes.len());
            self.problem(column, message);
            return None;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim(),
            Err(e) => {
                let message = format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to());
                self.problem(column, message);
                return None;
            }
        };
        (!one_of(&cell.missing, text)).then_some(text)
    }

    fn number(&mut self, cell: &Cell, text: &str) -> Option<f64> {
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                let column = self.header.column_of(cell);
                self.problem(column, format!("not a number: '{}'", shown(text)));
                None
            }
        }
    }

    /// A count or an amount of time: a number ≥ 0, whole if `whole`.
    fn amount(&mut self, cell: &Cell, whole: bool) -> Option<f64> {
        let text = self.text(cell)?;
        let n = self.number(cell, text)?;
        let column = self.header.column_of(cell);
        if n < 0.0 {
            self.problem(column, format!("must not be negative, found {text}"));
            None
        } else if whole && n.fract() != 0.0 {
            self.problem(column, format!("must be a whole number, found {text}"));
            None
        } else {
            Some(n)
        }
    }

    fn time(&mut self, cell: &Cell) -> Option<Millis> {
        let text = self.text(cell)?;
        let parsed = text.parse::<i64>().ok().or_else(|| time::parse_iso(text));
        match parsed.filter(|t| (time::FIRST_EVENT..=time::MAX_TIME).contains(t)) {
            Some(t) => Some(t),
            None => {
                let column = self.header.column_of(cell);
                let message = format!(
                    "not an ISO-8601 time or epoch milliseconds from the year 2000 on: '{}'",
                    shown(text)
                );
                self.problem(column, message);
                None
            }
        }
    }
}

/// Reads one record. `Err` holds every problem found in it.
pub fn read(map: &Map, header: &Header, record: &ByteRecord) -> Result<Lead, Vec<CellProblem>> {
    let mut r = Reader {
        record,
        header,
        problems: Vec::new(),
    };
    if record.len() != header.len() {
        let column = record.len().min(header.len());
        let message = format!(
            "the row has {} fields, the header {} (split at {})",
            record.len(),
            header.len(),
            super::delimiter::name(header.delimiter)
        );
        r.problem(column, message);
        return Err(r.problems);
    }
    let mut lead = Lead {
        id: id(&mut r, &map.id).unwrap_or_default(),
        ..Lead::default()
    };
    lead.start = match &map.time {
        TimeSource::Start(t) => *t,
        TimeSource::Column(cell) => r.time(cell).unwrap_or_default(),
    };
    read_traits(&mut r, map, &mut lead);
    read_engagement(&mut r, map, &mut lead);
    read_events(&mut r, map, &mut lead);
    lead.outcome = outcome(&mut r, map);
    if r.problems.is_empty() {
        Ok(lead)
    } else {
        Err(r.problems)
    }
}

fn id(r: &mut Reader, cell: &Cell) -> Option<String> {
    let column = r.header.column_of(cell);
    let Some(text) = r.text(cell) else {
        if r.problems.is_empty() {
            r.problem(column, "missing id".into());
        }
        return None;
    };
    if text.len() > MAX_ID_LEN {
        r.problem(
            column,
            format!("an id is at most {MAX_ID_LEN} bytes ({} bytes)", text.len()),
        );
        return None;
    }
    if leadpulse::core::text::printable(text) != text {
        r.problem(column, "an id has no control characters".into());
        return None;
    }
    Some(text.to_string())
}

fn read_traits(r: &mut Reader, map: &Map, lead: &mut Lead) {
    for t in &map.traits {
        let Some(text) = r.text(&t.cell) else {
            continue;
        };
        let column = r.header.column_of(&t.cell);
        let value = if one_of(&t.not_given, text) {
            serde_json::Value::from(t.not_given_as.as_str())
        } else {
            match &t.kind {
                TraitKind::Text => serde_json::Value::from(text),
                TraitKind::Category(None) => serde_json::Value::from(text),
                TraitKind::Category(Some(list)) => match list.iter().find(|c| same(c, text)) {
                    Some(listed) => serde_json::Value::from(listed.as_str()),
                    None => {
                        let message = format!(
                            "unknown category '{}' (expected one of: {})",
                            shown(text),
                            shown(&list.join(", "))
                        );
                        r.problem(column, message);
                        continue;
                    }
                },
                TraitKind::Number { min, max } => {
                    let Some(n) = r.number(&t.cell, text) else {
                        continue;
                    };
                    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                        let range = format!(
                            "{} to {}",
                            min.map_or("…".into(), |m| m.to_string()),
                            max.map_or("…".into(), |m| m.to_string())
                        );
                        r.problem(column, format!("{text} is outside {range}"));
                        continue;
                    }
                    serde_json::Value::from(n)
                }
            }
        };
        lead.traits.insert(t.name.clone(), value);
    }
}

fn read_engagement(r: &mut Reader, map: &Map, lead: &mut Lead) {
    for e in &map.engagement {
        let whole = matches!(
            e.kind,
            Engagement::Visits | Engagement::Pages | Engagement::Count(_)
        );
        let Some(n) = r.amount(&e.cell, whole) else {
            continue;
        };
        match &e.kind {
            Engagement::Visits => lead.visits = Some(n as u64),
            Engagement::Pages => lead.pages = Some(n as u64),
            Engagement::PagesPerVisit => lead.pages_per_visit = Some(n),
            Engagement::Seconds => lead.seconds += n,
            Engagement::Minutes => lead.seconds += n * 60.0,
            Engagement::Count(name) => lead.counts.push((name.clone(), n as u64)),
        }
    }
}

fn read_events(r: &mut Reader, map: &Map, lead: &mut Lead) {
    for e in &map.events {
        let Some(text) = r.text(&e.cell) else {
            continue;
        };
        match &e.emit {
            Emit::Named { name, when } if one_of(when, text) => {
                lead.flags.push((name.clone(), e.properties.clone()));
            }
            Emit::Named { .. } => {}
            Emit::FromValue if text.len() > MAX_ID_LEN => {
                let column = r.header.column_of(&e.cell);
                r.problem(
                    column,
                    format!("an event name is at most {MAX_ID_LEN} bytes"),
                );
            }
            Emit::FromValue => lead.flags.push((text.to_string(), e.properties.clone())),
        }
    }
}

fn outcome(r: &mut Reader, map: &Map) -> Option<Outcome> {
    let o = map.outcome.as_ref()?;
    let text = r.text(&o.cell)?;
    let converted = if one_of(&o.converted, text) {
        true
    } else if one_of(&o.not_converted, text) {
        false
    } else {
        let column = r.header.column_of(&o.cell);
        let expected: Vec<&str> = o
            .converted
            .iter()
            .chain(&o.not_converted)
            .map(String::as_str)
            .collect();
        let message = format!(
            "unknown outcome '{}' (expected one of: {})",
            shown(text),
            expected.join(", ")
        );
        r.problem(column, message);
        return None;
    };
    let amount = match &o.amount {
        Some(cell) => r.text(cell).and_then(|text| r.number(cell, text)),
        None => None,
    };
    let closed_at = o.closed_at.as_ref().and_then(|cell| r.time(cell));
    Some(Outcome {
        converted,
        amount,
        closed_at,
    })
}

/// A value as shown in a message: at most 60 characters, control characters replaced.
fn shown(text: &str) -> String {
    let printable = leadpulse::core::text::printable(text);
    let mut out: String = printable.chars().take(60).collect();
    if printable.chars().count() > 60 {
        out.push('…');
    }
    out
}
