//! The mapping file of `leadpulse import` (docs/import.md): which column is the lead's id,
//! which its outcome, which become traits, engagement and events, and how to read each
//! value. Read like a model: every problem is listed with its JSON path, a field the format
//! does not know is an error.
mod columns;

use columns::{check_names, engagement_column, event_column, outcome, trait_column};
use leadpulse::core::json::{index, Obj, ProblemKind, Problems, Value};
use leadpulse::core::time::{self, Millis, HOUR};

/// How the cells of one column are read.
#[derive(Debug, Clone)]
pub struct Cell {
    pub column: String,
    /// Values that mean "no value at all" (compared trimmed, ignoring case); `[""]` by default.
    pub missing: Vec<String>,
    /// Where the column is named in the mapping file, for problems about it.
    pub path: String,
}

#[derive(Debug, Clone)]
pub enum TraitKind {
    /// Text from a known list (when given), written in the list's spelling.
    Category(Option<Vec<String>>),
    Text,
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
}

#[derive(Debug, Clone)]
pub struct TraitColumn {
    pub cell: Cell,
    pub name: String,
    pub kind: TraitKind,
    /// Values that mean "asked, left unanswered" (a form's untouched default), kept apart
    /// from a missing value: the trait is set to `not_given_as`.
    pub not_given: Vec<String>,
    pub not_given_as: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Engagement {
    /// Visits (sessions) to the site.
    Visits,
    /// Page views in all.
    Pages,
    /// Page views per visit, on average.
    PagesPerVisit,
    Seconds,
    Minutes,
    /// How many times a named event happened.
    Count(String),
}

#[derive(Debug, Clone)]
pub struct EngagementColumn {
    pub cell: Cell,
    pub kind: Engagement,
}

#[derive(Debug, Clone)]
pub enum Emit {
    /// A `track` event with this name when the cell is one of `when`.
    Named { name: String, when: Vec<String> },
    /// A `track` event named by the cell's text.
    FromValue,
}

#[derive(Debug, Clone)]
pub struct EventColumn {
    pub cell: Cell,
    pub emit: Emit,
    pub properties: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct OutcomeMap {
    pub cell: Cell,
    pub converted: Vec<String>,
    pub not_converted: Vec<String>,
    pub amount: Option<Cell>,
    pub closed_at: Option<Cell>,
}

#[derive(Debug, Clone)]
pub enum TimeSource {
    /// Every lead's history starts at this time.
    Start(Millis),
    /// Each lead's history starts at the time in this column.
    Column(Cell),
}

#[derive(Debug, Clone)]
pub struct Map {
    pub id: Cell,
    pub outcome: Option<OutcomeMap>,
    pub time: TimeSource,
    pub visit_gap: Millis,
    pub page_path: String,
    pub max_events: usize,
    pub traits: Vec<TraitColumn>,
    pub engagement: Vec<EngagementColumn>,
    pub events: Vec<EventColumn>,
}

/// The default start of every lead's history when the export has no time column.
const DEFAULT_START: &str = "2025-01-06T09:00:00Z";
/// The most events one lead may become (a row over it is a bad row).
pub const MAX_EVENTS: usize = 10_000;
/// Visits are at least this far apart, so that a long visit (≤ 10 h) never runs into the next.
const MIN_GAP_HOURS: f64 = 12.0;

const TOP: &[&str] = &[
    "$schema",
    "version",
    "description",
    "id",
    "outcome",
    "time",
    "visitGapHours",
    "pagePath",
    "maxEventsPerLead",
    "traits",
    "engagement",
    "events",
];

pub fn read(text: &str) -> Result<Map, Vec<String>> {
    let value = Value::from_text(text).map_err(|e| vec![format!("(root): not valid JSON: {e}")])?;
    let mut p = Problems::default();
    let map = read_map(&value, &mut p);
    match map {
        Some(map) if p.is_empty() => Ok(map),
        _ => Err(p.0.iter().map(|problem| problem.describe()).collect()),
    }
}

fn read_map(value: &Value, p: &mut Problems) -> Option<Map> {
    let top = Obj::open(value, "", Some(TOP), p)?;
    match top.req::<u32>("version", p) {
        Some(1) | None => {}
        Some(other) => p.range(
            "version",
            format!("unsupported version {other}; expected 1"),
        ),
    }
    let _: Option<String> = top.opt("description", p);
    let id = match top.get("id") {
        Some(Value::String(column)) => Some(plain_cell(column, "id", p)),
        Some(other) => cell(other, "id", &["column", "missing"], p).map(|(c, _)| c),
        None => {
            p.add("id", ProblemKind::Missing, "required field is missing");
            None
        }
    };
    let outcome = top.get("outcome").and_then(|v| outcome(v, p));
    let time = time_source(&top, p);
    let gap_hours: f64 = top.opt("visitGapHours", p).unwrap_or(24.0);
    if gap_hours < MIN_GAP_HOURS {
        p.range(
            "visitGapHours",
            format!("must be at least {MIN_GAP_HOURS} (a visit may last up to 10 hours)"),
        );
    }
    let page_path: String = top.opt("pagePath", p).unwrap_or_else(|| "/".into());
    if !page_path.starts_with('/') || page_path.chars().any(char::is_whitespace) {
        p.range(
            "pagePath",
            "a path starts with '/' and has no spaces, e.g. \"/\"",
        );
    }
    let max_events: u32 = top.opt("maxEventsPerLead", p).unwrap_or(MAX_EVENTS as u32);
    if max_events == 0 || max_events as usize > MAX_EVENTS {
        p.range(
            "maxEventsPerLead",
            format!("must be from 1 to {MAX_EVENTS}"),
        );
    }
    let traits = list(&top, "traits", p, trait_column);
    let engagement = list(&top, "engagement", p, engagement_column);
    let events = list(&top, "events", p, event_column);
    check_names(&traits, p);
    Some(Map {
        id: id?,
        outcome,
        time: time?,
        visit_gap: (gap_hours.max(MIN_GAP_HOURS) * HOUR as f64) as Millis,
        page_path,
        max_events: max_events.clamp(1, MAX_EVENTS as u32) as usize,
        traits,
        engagement,
        events,
    })
}

pub(super) fn plain_cell(column: &str, path: &str, p: &mut Problems) -> Cell {
    if column.trim().is_empty() {
        p.range(path, "names a column: must not be empty");
    }
    Cell {
        column: column.to_string(),
        missing: vec![String::new()],
        path: path.to_string(),
    }
}

/// A column entry: `column`, `missing` and the entry's own keys; the object is returned for
/// those.
pub(super) fn cell<'v>(
    value: &'v Value,
    path: &str,
    own: &[&str],
    p: &mut Problems,
) -> Option<(Cell, Obj<'v>)> {
    let obj = Obj::open(value, path, Some(own), p)?;
    let column: String = obj.req("column", p)?;
    let mut cell = plain_cell(&column, &obj.path_of("column"), p);
    cell.path = obj.path_of("column");
    if let Some(missing) = obj.opt::<Vec<String>>("missing", p) {
        cell.missing = missing;
    }
    Some((cell, obj))
}

fn list<T>(
    top: &Obj,
    key: &str,
    p: &mut Problems,
    read: fn(&Value, &str, &mut Problems) -> Option<T>,
) -> Vec<T> {
    match top.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| read(item, &index(key, i), p))
            .collect(),
        Some(other) => {
            p.add(
                key,
                ProblemKind::Type,
                format!("expected an array, found {}", other.type_name()),
            );
            Vec::new()
        }
    }
}

fn time_source(top: &Obj, p: &mut Problems) -> Option<TimeSource> {
    let Some(value) = top.get("time") else {
        return time::parse_iso(DEFAULT_START).map(TimeSource::Start);
    };
    let obj = Obj::open(value, "time", Some(&["start", "column", "missing"]), p)?;
    match (obj.get("start"), obj.get("column")) {
        (Some(_), None) => {
            let start: String = obj.req("start", p)?;
            match time::parse_iso(&start).filter(|t| *t >= time::FIRST_EVENT) {
                Some(t) => Some(TimeSource::Start(t)),
                None => {
                    p.range(
                        "time.start",
                        "expected an ISO-8601 time from the year 2000 on",
                    );
                    None
                }
            }
        }
        (None, Some(_)) => {
            let (cell, _) = cell(value, "time", &["column", "missing"], p)?;
            Some(TimeSource::Column(cell))
        }
        _ => {
            p.range("time", "give exactly one of `start` and `column`");
            None
        }
    }
}

pub(super) fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| (*w).to_string()).collect()
}

/// Cell values are compared trimmed and ignoring case.
pub fn same(a: &str, b: &str) -> bool {
    leadpulse::core::text::eq_ignore_case(a.trim(), b.trim())
}

/// Whether `value` is one of `list` (trimmed, ignoring case).
pub fn one_of(list: &[String], value: &str) -> bool {
    list.iter().any(|item| same(item, value))
}
