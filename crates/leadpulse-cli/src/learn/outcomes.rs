//! Outcomes: `visitor,converted[,amount,closedAt]` (CSV with a header; `import` writes it).
//! A bad line is reported with its line number and skipped; a visitor listed twice keeps
//! its first line. Memory: one entry per visitor.
use std::collections::HashMap;
use std::path::Path;

use leadpulse::core::time::{self, Millis};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub converted: bool,
    pub amount: Option<f64>,
    pub closed_at: Option<Millis>,
}

pub struct Outcomes {
    pub by_visitor: HashMap<String, Outcome>,
    /// The visitors in file order (for messages that name the first few).
    pub order: Vec<String>,
    /// `line N: why`, for every line skipped.
    pub problems: Vec<String>,
}

impl Outcomes {
    /// The outcome of a visitor, by its key, else by the user id it identified with; with
    /// the key it was found by.
    pub fn of<'a>(
        &'a self,
        visitor: &'a str,
        user_id: Option<&'a str>,
    ) -> Option<(&'a str, &'a Outcome)> {
        let found = |key: &'a str| self.by_visitor.get(key).map(|o| (key, o));
        found(visitor).or_else(|| user_id.and_then(found))
    }
}

/// How many outcome ids no visitor of the history matched, shown.
const SHOWN: usize = 5;

impl Outcomes {
    /// Checks the outcomes against the history's visitors (`matched`: the outcome ids some
    /// visitor matched, by its key or user id). None matched: an error saying so (there is
    /// nothing to learn or measure, whatever the options); some not: a warning naming the
    /// count and the first few.
    pub fn coverage(
        &self,
        matched: &std::collections::HashSet<&str>,
        events: &Path,
        outcomes: &Path,
    ) -> Result<Option<String>, String> {
        let missing: Vec<&str> = self
            .order
            .iter()
            .map(String::as_str)
            .filter(|id| !matched.contains(id))
            .collect();
        let first = missing
            .iter()
            .take(SHOWN)
            .map(|id| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let total = self.order.len();
        if missing.is_empty() {
            Ok(None)
        } else if missing.len() == total {
            Err(format!(
                "none of the {total} outcome ids in {} has events in {} (first: {first}): the outcomes' visitor column must hold the events' anonymousId or userId",
                outcomes.display(),
                events.display()
            ))
        } else {
            Ok(Some(format!(
                "{} of the {total} outcome ids in {} have no events in {} and are left out (first: {first})",
                missing.len(),
                outcomes.display(),
                events.display()
            )))
        }
    }
}

fn converted(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// Reads the file; `Err` when it cannot be read or its header lacks `visitor`/`converted`.
pub fn read(path: &Path) -> Result<Outcomes, String> {
    let name = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("cannot read outcomes {name}: {e}"))?;
    let header = reader
        .headers()
        .map_err(|e| format!("outcomes {name}: {e}"))?
        .clone();
    let column = |wanted: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(wanted))
    };
    let (Some(visitor), Some(outcome)) = (column("visitor"), column("converted")) else {
        return Err(format!(
            "outcomes {name}: the header needs the columns visitor and converted (found: {})",
            header.iter().collect::<Vec<_>>().join(", ")
        ));
    };
    let (amount, closed) = (column("amount"), column("closedAt"));
    let mut by_visitor = HashMap::new();
    let mut order = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if e.is_io_error() {
                    return Err(format!("reading outcomes {name}: {e}"));
                }
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        let field = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|t| !t.is_empty())
        };
        let Some(key) = field(Some(visitor)).map(unescape_cell) else {
            problems.push(format!("line {line}: no visitor"));
            continue;
        };
        let Some(converted) = field(Some(outcome)).and_then(converted) else {
            problems.push(format!(
                "line {line}: converted must be 1 or 0 (true/false, yes/no)"
            ));
            continue;
        };
        let amount = match field(amount) {
            None => None,
            Some(text) => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    problems.push(format!("line {line}: amount is not a number: '{text}'"));
                    continue;
                }
            },
        };
        let closed_at = match field(closed) {
            None => None,
            Some(text) => match text.parse::<i64>().ok().or_else(|| time::parse_iso(text)) {
                Some(t) => Some(t),
                None => {
                    problems.push(format!(
                        "line {line}: closedAt is not an ISO-8601 time: '{text}'"
                    ));
                    continue;
                }
            },
        };
        if by_visitor.contains_key(key) {
            problems.push(format!(
                "line {line}: visitor '{key}' is listed again; the first line counts"
            ));
            continue;
        }
        order.push(key.to_string());
        by_visitor.insert(
            key.to_string(),
            Outcome {
                converted,
                amount,
                closed_at,
            },
        );
    }
    Ok(Outcomes {
        by_visitor,
        order,
        problems,
    })
}

/// A visitor id as an outcomes cell: one that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a `'` in front, as does one that
/// starts with `'` (so reading it back is exact). `unescape_cell` undoes it.
pub fn escape_cell(id: &str) -> std::borrow::Cow<'_, str> {
    if id.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        std::borrow::Cow::Owned(format!("'{id}"))
    } else {
        std::borrow::Cow::Borrowed(id)
    }
}

/// The visitor id an outcomes cell holds (see [`escape_cell`]).
pub fn unescape_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_ids_are_escaped_and_read_back_exactly() {
        for (id, cell) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("'quoted", "''quoted"),
            ("'=x", "''=x"),
            ("lead-1", "lead-1"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(escape_cell(id), cell, "{id}");
            assert_eq!(unescape_cell(cell), id, "{cell}");
        }
    }
}
