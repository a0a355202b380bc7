//! `Session::apply_then_snapshot` (the JS API's `track`, one scoring pass) gives exactly
//! what `apply` followed by `snapshot` gives, for every fixture event, whether the
//! snapshot's time is the event's own or later.
use std::path::Path;
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::json::{self, Value};
use leadpulse::core::model::Model;
use leadpulse::core::time;

#[test]
fn track_equals_apply_then_snapshot_on_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    for entry in std::fs::read_dir(dir).unwrap() {
        let case = json::parse(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
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
                let at = now.max(event.time);
                let tracked = one.apply_then_snapshot(&event, now, at);
                let applied = two.apply(&event, now).map(|_| two.snapshot(at));
                assert_eq!(tracked, applied);
                assert_eq!(one.state(), two.state());
            }
            assert!(!sessions.is_empty());
        }
    }
}
