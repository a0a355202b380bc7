//! A lead's row as a history of contract events (docs/import.md, "From a row to events"):
//! one visit per `visitGapHours` from the lead's start, each a run of page views, the visit's
//! share of engaged time and of counted events; then the `identify` with the traits, at the
//! end of the last visit (a CRM records a lead's answers when it captures the lead), and the
//! flagged events. Visits are spaced so the engine counts one session per visit.
use std::io::Write;

use leadpulse::core::time::{format_iso, Millis, HOUR, MINUTE, SECOND};
use serde_json::{json, Value};

use super::map::Map;
use super::row::Lead;

/// The longest engagement event the contract takes (seconds).
const MAX_ENGAGEMENT: f64 = 86_400.0;
/// A visit's events are at most a minute apart and fit in this span (so that even 10,000
/// events stay under 30 page views a minute, the built-in bot rule).
const MAX_VISIT: Millis = 10 * HOUR;

/// How a lead's activity spreads over its visits.
pub struct Plan {
    visits: u64,
    pages: u64,
    seconds: f64,
}

impl Plan {
    pub fn new(lead: &Lead) -> Plan {
        let counted: u64 = lead.counts.iter().map(|(_, n)| n).sum();
        let given = lead.visits.unwrap_or(0);
        let pages = match (lead.pages, lead.pages_per_visit) {
            (Some(pages), _) => pages,
            (None, Some(per)) => (per * given.max(1) as f64).round() as u64,
            (None, None) => 0,
        };
        let active = pages > 0 || lead.seconds > 0.0 || counted > 0;
        // NOTE: activity needs a visit to happen in; a row with time but no visits gets one.
        let visits = if active { given.max(1) } else { given };
        Plan {
            visits,
            pages,
            seconds: lead.seconds,
        }
    }

    fn share(total: u64, visits: u64, visit: u64) -> u64 {
        total / visits + u64::from(visit < total % visits)
    }

    fn engagement_events(seconds: f64) -> u64 {
        if seconds > 0.0 {
            (seconds / MAX_ENGAGEMENT).ceil() as u64
        } else {
            0
        }
    }

    /// A visit's share of the engaged time: whole seconds when the total is whole (so the
    /// engine adds them up exactly), else milliseconds.
    fn seconds_of(&self, visit: u64) -> f64 {
        let visits = self.visits.max(1);
        if self.seconds.fract() == 0.0 && self.seconds < 1e15 {
            Plan::share(self.seconds as u64, visits, visit) as f64
        } else {
            let ms = (self.seconds * 1000.0).round().min(1e18) as u64;
            Plan::share(ms, visits, visit) as f64 / 1000.0
        }
    }

    /// A visit's events: page views, engagement, counted events; at least one (a visit the
    /// engine never hears of is no session).
    fn visit_events(&self, lead: &Lead, visit: u64) -> (u64, u64, u64) {
        let pages = Plan::share(self.pages, self.visits, visit);
        let engagement = Plan::engagement_events(self.seconds_of(visit));
        let counted = lead
            .counts
            .iter()
            .map(|(_, n)| Plan::share(*n, self.visits, visit))
            .sum::<u64>();
        let engagement = if pages + engagement + counted == 0 {
            1
        } else {
            engagement
        };
        (pages, engagement, counted)
    }

    /// Every event the lead becomes (at least its visits, without adding them all up when
    /// there are more than any lead may have).
    pub fn events(&self, lead: &Lead) -> u64 {
        if self.visits > super::map::MAX_EVENTS as u64 {
            return self.visits;
        }
        let visits: u64 = (0..self.visits)
            .map(|v| {
                let (pages, engagement, counted) = self.visit_events(lead, v);
                pages + engagement + counted
            })
            .sum();
        1 + visits + lead.flags.len() as u64
    }
}

/// Writes the lead's events as JSON lines; returns how many.
pub fn write(lead: &Lead, map: &Map, plan: &Plan, out: &mut impl Write) -> std::io::Result<u64> {
    let mut written = 0u64;
    let mut emit = |event: Value, out: &mut dyn Write| -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, &event)?;
        out.write_all(b"\n")?;
        written += 1;
        Ok(())
    };
    let user = lead.id.as_str();
    let at = |t: Millis| format_iso(t);
    let path = map.page_path.as_str();
    let mut end = lead.start;
    for visit in 0..plan.visits {
        let start = lead.start + visit as Millis * map.visit_gap;
        let (pages, engagement, counted) = plan.visit_events(lead, visit);
        let seconds = plan.seconds_of(visit);
        let events = (pages + engagement + counted).max(1);
        let step = (MAX_VISIT / events as Millis).clamp(SECOND, MINUTE);
        let mut t = start;
        for _ in 0..pages {
            emit(
                json!({"type": "page", "userId": user, "timestamp": at(t), "properties": {"path": path}}),
                out,
            )?;
            t += step;
        }
        let mut left = seconds;
        for _ in 0..engagement {
            let part = left.min(MAX_ENGAGEMENT);
            left -= part;
            emit(
                json!({"type": "engagement", "userId": user, "timestamp": at(t), "properties": {"seconds": number(part), "path": path}}),
                out,
            )?;
            t += step;
        }
        for (name, total) in &lead.counts {
            for _ in 0..Plan::share(*total, plan.visits, visit) {
                emit(
                    json!({"type": "track", "userId": user, "timestamp": at(t), "event": name}),
                    out,
                )?;
                t += step;
            }
        }
        end = t;
    }
    emit(
        json!({"type": "identify", "userId": user, "timestamp": at(end), "traits": lead.traits}),
        out,
    )?;
    for (name, properties) in &lead.flags {
        emit(
            json!({"type": "track", "userId": user, "timestamp": at(end), "event": name, "properties": properties}),
            out,
        )?;
        end += SECOND;
    }
    Ok(written)
}

/// A whole number as an integer in JSON (`458`, not `458.0`).
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}
