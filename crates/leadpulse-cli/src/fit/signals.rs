//! The first pass: what the training leads did and are, summed up so that rules can be
//! proposed for it (sessions, engaged time, page views, sections, named events, traits).
use std::collections::{BTreeMap, HashMap};

use leadpulse::core::event::{Event, EventKind, Scalar};

/// Distinct page sections and event names tracked (more are left out of the proposals).
const MAX_NAMES: usize = 256;

/// Per visitor, what the engine does not keep without a rule for it.
#[derive(Default, Clone)]
pub struct Activity {
    pub pages: u32,
    /// Indices into [`Names`].
    pub sections: Vec<u16>,
    pub events: Vec<u16>,
    /// The latest answer per slot, from `answer` events only (a slot filled by behaviour is
    /// not an answer to learn).
    pub answers: Vec<(String, String)>,
}

/// Interned names (page sections, event names), at most [`MAX_NAMES`].
#[derive(Default)]
pub struct Names {
    pub names: Vec<String>,
    index: HashMap<String, u16>,
}

impl Names {
    fn intern(&mut self, name: &str) -> Option<u16> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        if self.names.len() >= MAX_NAMES {
            return None;
        }
        let i = u16::try_from(self.names.len()).ok()?;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        Some(i)
    }
}

/// Collects [`Activity`] per visitor position while the history is replayed.
#[derive(Default)]
pub struct Collector {
    pub activity: Vec<Activity>,
    pub sections: Names,
    pub events: Names,
    pub properties: super::properties::Properties,
}

/// The first segment of a path: `/pricing/team` → `/pricing`; `/` stays `/`.
pub fn section(path: &str) -> &str {
    let rest = path.strip_prefix('/').unwrap_or(path);
    match rest.find('/') {
        Some(end) => path.get(..end + 1).unwrap_or(path),
        None => path,
    }
}

impl Collector {
    pub fn observe(&mut self, slot: usize, event: &Event) {
        if self.activity.len() <= slot {
            self.activity.resize(slot + 1, Activity::default());
        }
        if let EventKind::Track { name, properties } = &event.kind {
            self.properties.observe(slot, name, properties);
        }
        if let (EventKind::Answer { slot: id, value }, Some(activity)) =
            (&event.kind, self.activity.get_mut(slot))
        {
            activity.answers.retain(|(s, _)| s != id);
            activity.answers.push((id.clone(), value.as_text()));
        }
        let (names, key) = match &event.kind {
            EventKind::Page { path, .. } => (&mut self.sections, section(path)),
            EventKind::Track { name, .. } => (&mut self.events, name.as_str()),
            _ => return,
        };
        let id = names.intern(key);
        let Some(activity) = self.activity.get_mut(slot) else {
            return;
        };
        let list = match &event.kind {
            EventKind::Page { .. } => {
                activity.pages = activity.pages.saturating_add(1);
                &mut activity.sections
            }
            _ => &mut activity.events,
        };
        if let Some(id) = id.filter(|id| !list.contains(id)) {
            list.push(id);
        }
    }
}

/// A category trait's values: lower-cased value → (as first seen, visitors).
pub type Values = BTreeMap<String, (String, usize)>;

/// What the training leads did and are.
#[derive(Default)]
pub struct Signals {
    pub leads: usize,
    pub sessions: Vec<f64>,
    pub engaged: Vec<f64>,
    pub pages: Vec<f64>,
    /// Visitors per page section, per event name.
    pub sections: BTreeMap<String, usize>,
    pub events: BTreeMap<String, usize>,
    /// Visitors with the trait.
    pub present: BTreeMap<String, usize>,
    pub categories: BTreeMap<String, Values>,
    pub numbers: BTreeMap<String, Vec<f64>>,
    /// Event properties (numbers and text values).
    pub properties: super::properties::Summed,
    /// The first touch's attribution: per field (`utm_source` … `referrer`), visitors per value.
    pub sources: BTreeMap<String, Values>,
    /// Per slot, visitors per answer.
    pub answers: BTreeMap<String, Values>,
}

/// Counts a value of a category: lower-cased → (as first seen, visitors).
fn count(values: &mut Values, text: String) {
    let lowered = leadpulse::core::text::lower(&text);
    values.entry(lowered).or_insert((text, 0)).1 += 1;
}

impl Signals {
    /// Adds one training lead: its engine state and its activity.
    pub fn add(
        &mut self,
        state: &leadpulse::core::engine::state::VisitorState,
        slot: usize,
        names: &Collector,
    ) {
        let activity = names.activity.get(slot);
        names.properties.add(slot, &mut self.properties);
        if let Some(touch) = &state.first_touch {
            let utm = touch
                .utm
                .iter()
                .map(|(k, v)| (format!("utm_{k}"), v.clone()));
            let referrer = touch
                .referrer
                .iter()
                .map(|r| ("referrer".to_string(), r.clone()));
            for (field, value) in utm.chain(referrer) {
                if leadpulse::core::model::SOURCE_FIELDS.contains(&field.as_str()) {
                    count(self.sources.entry(field).or_default(), value);
                }
            }
        }
        for (id, value) in activity.iter().flat_map(|a| &a.answers) {
            count(self.answers.entry(id.clone()).or_default(), value.clone());
        }
        self.leads += 1;
        self.sessions.push(f64::from(state.sessions));
        self.engaged.push(state.engaged_ms as f64 / 1000.0);
        let pages = activity.map_or(0, |a| a.pages);
        self.pages.push(f64::from(pages));
        if let Some(a) = activity {
            for &s in &a.sections {
                if let Some(name) = names.sections.names.get(usize::from(s)) {
                    *self.sections.entry(name.clone()).or_default() += 1;
                }
            }
            for &e in &a.events {
                if let Some(name) = names.events.names.get(usize::from(e)) {
                    *self.events.entry(name.clone()).or_default() += 1;
                }
            }
        }
        for (name, value) in &state.traits {
            *self.present.entry(name.clone()).or_default() += 1;
            match value {
                Scalar::Number(n) => self.numbers.entry(name.clone()).or_default().push(*n),
                other => count(
                    self.categories.entry(name.clone()).or_default(),
                    other.as_text(),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_section_is_the_first_path_segment() {
        assert_eq!(super::section("/pricing/team"), "/pricing");
        assert_eq!(super::section("/pricing"), "/pricing");
        assert_eq!(super::section("/"), "/");
    }
}
