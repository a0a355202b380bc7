//! What a history has, against what a model tests: a rule on a trait, an event, an event
//! property or a source the history never has cannot fire on it — a typo, a renamed event, a
//! site that does not send that property — and every figure measured on that history says
//! nothing about the rule. `validate --against` and `compare` warn about each, by JSON path.
use std::collections::{HashMap, HashSet};

use leadpulse::core::engine::touch;
use leadpulse::core::event::{Event, EventKind};
use leadpulse::core::json::{index, join};
use leadpulse::core::model::{Condition, Model, SourceField};
use leadpulse::core::text;

/// The names a history holds.
#[derive(Default)]
pub struct Seen {
    traits: HashSet<String>,
    /// Lower-cased event name → property keys seen on it.
    events: HashMap<String, HashSet<String>>,
    /// Source fields some visit carried (`utm_source` … `referrer`).
    sources: HashSet<String>,
}

impl Seen {
    pub fn observe(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Identify { traits } => {
                for (name, _) in traits {
                    if !self.traits.contains(name) {
                        self.traits.insert(name.clone());
                    }
                }
            }
            EventKind::Track { name, properties } => {
                let keys = self.events.entry(text::lower(name)).or_default();
                for (key, _) in properties {
                    if !keys.contains(key) {
                        keys.insert(key.clone());
                    }
                }
            }
            EventKind::Page {
                referrer, search, ..
            } => {
                let t = touch::from_page(referrer.as_deref(), search.as_deref());
                if t.referrer.is_some() {
                    self.sources.insert("referrer".into());
                }
                for (key, _) in &t.utm {
                    self.sources.insert(format!("utm_{key}"));
                }
            }
            _ => {}
        }
    }
}

/// One warning per thing `model` tests that the history never has, each with its path.
pub fn warnings(model: &Model, seen: &Seen) -> Vec<String> {
    let mut out = Vec::new();
    for (i, rule) in model.rules.iter().enumerate() {
        let path = join(&index("rules", i), "when");
        check(&rule.when, &path, &rule.id, seen, &mut out);
    }
    for (i, slot) in model.slots.iter().enumerate() {
        for (j, condition) in slot.filled_by.iter().enumerate() {
            let path = index(&join(&index("slots", i), "filledBy"), j);
            check(condition, &path, &slot.id, seen, &mut out);
        }
    }
    out
}

fn check(condition: &Condition, path: &str, id: &str, seen: &Seen, out: &mut Vec<String>) {
    match condition {
        Condition::Trait { name, .. } if !seen.traits.contains(name) => out.push(format!(
            "{}: '{id}' tests the trait '{name}', which no identify in the history has",
            join(path, "trait")
        )),
        Condition::Event { name, properties } => match seen.events.get(&text::lower(name)) {
            None => out.push(format!(
                "{}: '{id}' waits for the event '{name}', which the history never has",
                join(path, "event")
            )),
            Some(keys) => {
                for (key, _) in properties.iter().filter(|(k, _)| !keys.contains(k)) {
                    out.push(format!(
                        "{}: '{id}' tests the property '{key}', which no '{name}' event in the history has",
                        join(&join(path, "properties"), key)
                    ));
                }
            }
        },
        Condition::Source { field, .. } => {
            let name = match field {
                SourceField::Referrer => "referrer".to_string(),
                SourceField::Utm(key) => format!("utm_{key}"),
            };
            if !seen.sources.contains(&name) {
                out.push(format!(
                    "{}: '{id}' tests the source '{name}', which no page view in the history carries",
                    join(path, "source")
                ));
            }
        }
        Condition::All { parts } => {
            for (i, part) in parts.iter().enumerate() {
                check(part, &index(&join(path, "all"), i), id, seen, out);
            }
        }
        _ => {}
    }
}
