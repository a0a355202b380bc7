//! `Session::track` (the JS API's per-event call: one scoring pass, no snapshot) reports
//! exactly what a full snapshot at the event's time says, for every fixture event, and
//! leaves the same state as `apply`.
use std::path::Path;
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::json::Value;
use leadpulse::core::model::Model;
use leadpulse::core::time;

#[test]
fn track_agrees_with_the_snapshot_on_every_fixture_event() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let case = Value::from_text(&text).unwrap();
        let model = match case.get("model").unwrap() {
            Value::String(_) => Model::builtin(),
            doc => Model::from_value(doc).unwrap(),
        };
        let model = Arc::new(model);
        for lag in [0, 90_000, 3 * time::DAY] {
            // One pair of sessions per visitor, as the fixtures are replayed.
            let mut sessions: Vec<(String, Session, Session)> = Vec::new();
            for event in case.get("events").unwrap().as_array().unwrap() {
                let Ok(event) = Event::parse(event, Some(0)) else {
                    continue;
                };
                if !sessions.iter().any(|(k, _, _)| *k == event.visitor) {
                    let fresh = || Session::new(model.clone(), &event.visitor);
                    sessions.push((event.visitor.clone(), fresh(), fresh()));
                }
                let (_, one, two) = sessions
                    .iter_mut()
                    .find(|(k, _, _)| *k == event.visitor)
                    .unwrap();
                let now = event.time + lag;
                let settled = event.time.max(one.state().last_seen);
                let (Ok(step), Ok(_)) = (one.track(&event, now), two.apply(&event, now)) else {
                    continue;
                };
                assert_eq!(one.state(), two.state());
                let snap = one.snapshot(settled);
                let summarised = (
                    snap.score,
                    snap.fit,
                    snap.engagement,
                    snap.grade.as_str(),
                    snap.stage,
                    snap.status,
                    snap.qualified,
                );
                let stepped = (
                    step.score,
                    step.fit,
                    step.engagement,
                    step.grade.as_str(),
                    step.stage,
                    step.status,
                    step.qualified,
                );
                assert_eq!(stepped, summarised, "{event:?}");
            }
            assert!(!sessions.is_empty());
        }
    }
}
