//! Reading and parsing on a thread of its own, so that the main thread only applies events:
//! the two halves of a replay's work overlap on two cores. Lines stay in file order.
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::{Scope, ScopedJoinHandle};

use leadpulse::core::event::{Defaults, Event};

use super::lines::{Line, Lines};

/// A line's outcome: an event to apply, or why the line was skipped.
pub enum Parsed {
    Event(usize, Event),
    Rejected(usize, String),
}

/// Lines per batch sent across: large enough that handing over costs nothing.
const BATCH: usize = 2048;
/// Batches in flight: bounds the memory the reader may run ahead by.
const AHEAD: usize = 4;

/// Starts the reader; batches arrive in file order. The thread's result is the read error
/// that stopped it, if any.
pub fn spawn<'scope>(
    scope: &'scope Scope<'scope, '_>,
    mut lines: Lines,
) -> (
    Receiver<Vec<Parsed>>,
    ScopedJoinHandle<'scope, std::io::Result<()>>,
) {
    let (send, receive) = sync_channel::<Vec<Parsed>>(AHEAD);
    let reader = scope.spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        while let Some((number, line)) = lines.next_line()? {
            let parsed = match line {
                Line::Text(text) if text.trim().is_empty() => continue,
                Line::Text(text) => match Event::from_json(text, Defaults::default()) {
                    Ok(event) => Parsed::Event(number, event),
                    Err(problem) => Parsed::Rejected(number, problem.to_string()),
                },
                Line::Invalid(why) => Parsed::Rejected(number, why),
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
