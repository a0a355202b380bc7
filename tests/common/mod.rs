//! Helpers shared by the native test files.
#![allow(dead_code)]
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::json as lp_json;
use leadpulse::core::model::Model;
use leadpulse::core::snapshot::Snapshot;
use leadpulse::core::time::{self, Millis, DAY};
use serde_json::{json, Value};

/// A serde_json test document as the engine's JSON value.
pub fn lp(value: &Value) -> lp_json::Value {
    serde_json::from_value(value.clone()).expect("a test document is a bounded JSON value")
}

/// An engine output as a serde_json value.
pub fn out<T: serde::Serialize + ?Sized>(output: &T) -> Value {
    serde_json::to_value(output).expect("the engine's outputs serialise")
}

/// A test event (in the contract format) as the engine's event.
pub fn event(value: Value) -> Event {
    Event::parse(&lp(&value), None).expect("test event parses")
}

pub fn at(iso: &str) -> Millis {
    time::parse_iso(iso).unwrap_or_else(|| panic!("bad time in test: {iso}"))
}

pub fn builtin() -> Arc<Model> {
    Arc::new(
        Model::from_json_text(leadpulse::core::model::BUILTIN_JSON)
            .expect("built-in model is valid"),
    )
}

pub fn session(visitor: &str) -> Session {
    Session::new(builtin(), visitor)
}

/// A visitor's timeline: events built from compact calls, applied at their own time.
pub struct Visitor {
    pub session: Session,
    pub id: String,
}

impl Visitor {
    pub fn new(id: &str) -> Visitor {
        Visitor {
            session: session(id),
            id: id.to_string(),
        }
    }
    pub fn with_model(model: Arc<Model>, id: &str) -> Visitor {
        Visitor {
            session: Session::new(model, id),
            id: id.to_string(),
        }
    }
    pub fn apply(&mut self, event: Value) -> &mut Self {
        let event = Event::parse(&lp(&event), None).expect("test event parses");
        self.session
            .apply(&event, event.time)
            .expect("test event applies");
        self
    }
    pub fn page(&mut self, t: Millis, path: &str) -> &mut Self {
        let id = self.id.clone();
        self.apply(json!({"type": "page", "anonymousId": id, "timestamp": t, "properties": {"path": path}}))
    }
    pub fn track(&mut self, t: Millis, name: &str, properties: Value) -> &mut Self {
        let id = self.id.clone();
        self.apply(json!({"type": "track", "anonymousId": id, "timestamp": t, "event": name, "properties": properties}))
    }
    pub fn identify(&mut self, t: Millis, traits: Value) -> &mut Self {
        let id = self.id.clone();
        self.apply(json!({"type": "identify", "anonymousId": id, "timestamp": t, "traits": traits}))
    }
    pub fn engage(&mut self, t: Millis, path: &str, seconds: f64) -> &mut Self {
        let id = self.id.clone();
        self.apply(json!({"type": "engagement", "anonymousId": id, "timestamp": t, "properties": {"path": path, "seconds": seconds}}))
    }
    pub fn answer(&mut self, t: Millis, slot: &str, value: &str) -> &mut Self {
        let id = self.id.clone();
        self.apply(json!({"type": "answer", "anonymousId": id, "timestamp": t, "properties": {"slot": slot, "value": value}}))
    }
    pub fn snap(&self, t: Millis) -> Snapshot {
        self.session.snapshot(t)
    }
}

pub fn senior_buyer() -> Value {
    json!({"email": "dana@acme.io", "title": "VP Marketing", "company": {"name": "Acme", "employee_count": 240, "industry": "Software"}})
}

/// A senior buyer who revisits pricing within a week, reads and downloads a case study,
/// and requests a demo, starting at `start`.
pub fn buying_journey(v: &mut Visitor, start: Millis) {
    journey_as(v, start, senior_buyer());
}

/// The same journey by someone with the given traits.
pub fn journey_as(v: &mut Visitor, start: Millis, traits: Value) {
    let h = time::HOUR;
    v.page(start, "/blog/lead-scoring-guide")
        .page(start + 5 * time::MINUTE, "/pricing")
        .identify(start + 6 * time::MINUTE, traits)
        .page(start + 2 * DAY, "/pricing")
        .page(start + 2 * DAY + 3 * time::MINUTE, "/case-studies/globex")
        .track(
            start + 2 * DAY + 6 * time::MINUTE,
            "Asset Downloaded",
            json!({"asset_type": "case_study"}),
        )
        .page(start + 4 * DAY, "/pricing")
        .track(start + 4 * DAY + h / 10, "Demo Requested", json!({}));
}

pub fn reason(snapshot: &Snapshot, rule: &str) -> i64 {
    snapshot
        .reasons
        .iter()
        .find(|r| r.rule == rule)
        .map_or(0, |r| r.points)
}

/// A minimal valid model with the given rules (and optional overrides merged on top).
pub fn model_with(rules: Value, overrides: Value) -> Arc<Model> {
    let mut doc = json!({
        "version": 1,
        "name": "test",
        "rules": rules,
        "grades": {"fit": [{"min": 10, "grade": "A"}, {"grade": "B"}], "engagement": [{"min": 10, "grade": "1"}, {"grade": "2"}]},
        "status": {"warm": 10, "hot": 30},
        "stages": {"mql": {"enter": 20, "exit": 10}, "sql": {"enter": 40, "exit": 30, "cooldownHours": 24}}
    });
    if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), overrides) {
        for (key, value) in extra {
            doc.insert(key, value);
        }
    }
    Arc::new(Model::from_value(&lp(&doc)).unwrap_or_else(|e| panic!("test model invalid: {e}")))
}
