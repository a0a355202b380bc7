//! Reading and parsing on a thread of its own, so that the main thread only applies events:
//! the two halves of a replay's work overlap on two cores. Lines stay in file order.
use std::fmt;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};

use leadpulse::core::event::{Defaults, Event};

use super::lines::{Line, Lines};
use crate::window::Window;

/// Where an event came from: a JSONL line, or a row of a Parquet file (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    Line(usize),
    // Parquet rows are read only with the `warehouse` feature.
    #[cfg_attr(not(feature = "warehouse"), allow(dead_code))]
    Row {
        file: Arc<str>,
        row: u64,
    },
}

impl Where {
    /// For a message about `input` (the path given): `events.jsonl: line 3`, or the Parquet
    /// file's own path (`events/part-1.parquet: row 3`).
    pub fn describe(&self, input: &str) -> String {
        match self {
            Where::Line(_) => format!("{input}: {self}"),
            Where::Row { .. } => self.to_string(),
        }
    }
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Where::Line(number) => write!(f, "line {number}"),
            Where::Row { file, row } => write!(f, "{file}: row {row}"),
        }
    }
}

/// A line's (or row's) outcome: an event to apply, or why it was skipped.
pub enum Parsed {
    Event(Where, Event),
    Rejected(Where, String),
}

/// Lines per batch sent across: large enough that handing over costs nothing.
pub const BATCH: usize = 2048;
/// Batches in flight: bounds the memory the reader may run ahead by.
pub const AHEAD: usize = 4;

/// Starts the reader; batches arrive in file order. The thread's result is the read error
/// that stopped it, if any. Events outside `window` are checked, then left out.
pub fn spawn<'scope>(
    scope: &'scope Scope<'scope, '_>,
    mut lines: Lines,
    window: Window,
) -> (
    Receiver<Vec<Parsed>>,
    ScopedJoinHandle<'scope, Result<(), String>>,
) {
    let (send, receive) = sync_channel::<Vec<Parsed>>(AHEAD);
    let reader = scope.spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        while let Some((number, line)) = lines.next_line().map_err(|e| e.to_string())? {
            let at = Where::Line(number);
            let parsed = match line {
                Line::Text(text) if text.trim().is_empty() => continue,
                Line::Text(text) => match Event::from_json(text, Defaults::default()) {
                    Ok(event) if !window.contains(event.time) => continue,
                    Ok(event) => Parsed::Event(at, event),
                    Err(problem) => Parsed::Rejected(at, problem.to_string()),
                },
                Line::Invalid(why) => Parsed::Rejected(at, why),
            };
            batch.push(parsed);
            if batch.len() == BATCH {
                // NOTE: a closed channel means the applier stopped: stop reading too.
                if send
                    .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
        let _ = send.send(batch);
        Ok(())
    });
    (receive, reader)
}
