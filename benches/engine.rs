//! Native engine benchmark: per-event `apply` cost, snapshot cost, replay throughput and
//! state size for a typical visitor. Run: `cargo bench --bench engine` (figures on stdout).
// A benchmark reads the clock; the core it measures may not (clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::model::Model;
use leadpulse::core::state;
use serde_json::json;

const PATHS: [&str; 6] = [
    "/pricing",
    "/blog/how-to-score",
    "/case-studies/globex",
    "/integrations/slack",
    "/",
    "/docs/api",
];

fn events(visitor: &str, n: usize, start: i64) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let t = start + i as i64 * 7 * 60_000;
            let value = match i % 4 {
                0 | 1 => json!({"type": "page", "anonymousId": visitor, "timestamp": t, "properties": {"path": PATHS[i % PATHS.len()]}}),
                2 => json!({"type": "engagement", "anonymousId": visitor, "timestamp": t, "properties": {"seconds": 20, "scroll": 60, "path": "/blog/how-to-score"}}),
                _ => json!({"type": "track", "anonymousId": visitor, "timestamp": t, "event": "Asset Downloaded", "properties": {"asset_type": "case_study"}}),
            };
            let value: leadpulse::core::json::Value = serde_json::from_value(value).expect("bench JSON");
            Event::parse(&value, None).expect("bench event")
        })
        .collect()
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let model = Arc::new(Model::builtin());
    let start = 1_767_225_600_000;

    // Per-event apply cost, median over batches of 1000 events on one long-lived visitor.
    let stream = events("bench", 200_000, start);
    let mut session = Session::new(model.clone(), "bench");
    let mut per_event = Vec::new();
    for batch in stream.chunks(1000) {
        let t = Instant::now();
        for e in batch {
            black_box(session.apply(e, e.time).ok());
        }
        per_event.push(t.elapsed().as_nanos() as f64 / batch.len() as f64);
    }
    println!(
        "apply: median {:.0} ns/event over {} events (history does not grow the cost)",
        median(per_event),
        stream.len()
    );

    let now = stream.last().map_or(start, |e| e.time);
    let mut snaps = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        for _ in 0..100 {
            black_box(session.snapshot(now));
        }
        snaps.push(t.elapsed().as_nanos() as f64 / 100.0);
    }
    println!("snapshot: median {:.0} ns", median(snaps));

    // Replay throughput: 20k visitors × 50 events, parse excluded (pre-parsed).
    let visitors: Vec<Vec<Event>> = (0..20_000)
        .map(|v| events(&format!("v{v}"), 50, start))
        .collect();
    let total: usize = visitors.iter().map(Vec::len).sum();
    let t = Instant::now();
    for evs in &visitors {
        let mut s = Session::new(model.clone(), "");
        for e in evs {
            black_box(s.apply(e, e.time).ok());
        }
        black_box(s.snapshot(now));
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "replay (parsed events, one core): {:.2} M events/s",
        total as f64 / secs / 1e6
    );

    // Typical visitor: the buying journey of the fixtures, about a dozen events.
    let typical = events("anon-4f1c9a2e-6b7d-4e0a-9c3b-2d8f5e1a7b60", 14, start);
    let mut s = Session::new(model.clone(), "");
    for e in &typical {
        let _ = s.apply(e, e.time);
    }
    println!(
        "state size: typical visitor {} chars; 200k-event visitor {} chars (cap {})",
        state::save(&s).len(),
        state::save(&session).len(),
        state::MAX_STATE_CHARS
    );
}
