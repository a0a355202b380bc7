//! Event properties in the first pass: per visitor, the highest value of each numeric
//! property of each event name (for bands: "any event at or above a value") and which text
//! values each text property took (for categories). Only `track` events' properties are
//! read: they are what an event condition can test at run time.
use std::collections::{BTreeMap, HashMap};

use leadpulse::core::json::Value;

/// Distinct (event, property) pairs tracked, and distinct text values in all.
const MAX_KEYS: usize = 256;
const MAX_VALUES: usize = 4096;
/// Longer text is free text (a question, a URL, an id): never a category.
const MAX_CATEGORY_LEN: usize = 64;

/// An event's property, named: (event name, property key).
pub type Key = (String, String);

#[derive(Default)]
struct Interned<T: std::hash::Hash + Eq + Clone> {
    items: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: std::hash::Hash + Eq + Clone> Interned<T> {
    fn id(&mut self, item: &T, max: usize) -> Option<u32> {
        if let Some(&i) = self.index.get(item) {
            return Some(i);
        }
        if self.items.len() >= max {
            return None;
        }
        let i = u32::try_from(self.items.len()).ok()?;
        self.items.push(item.clone());
        self.index.insert(item.clone(), i);
        Some(i)
    }
}

/// One visitor's property values: (key id, highest number) and text value ids.
#[derive(Default, Clone)]
pub struct Seen {
    numbers: Vec<(u32, f64)>,
    texts: Vec<u32>,
}

/// Collects [`Seen`] per visitor position.
#[derive(Default)]
pub struct Properties {
    seen: Vec<Seen>,
    keys: Interned<Key>,
    /// (key id, lower-cased value) → id; the value as first written is kept beside it.
    values: Interned<(u32, String)>,
    shown: Vec<String>,
}

impl Properties {
    pub fn observe(&mut self, slot: usize, event: &str, properties: &[(String, Value)]) {
        if self.seen.len() <= slot {
            self.seen.resize(slot + 1, Seen::default());
        }
        for (key, value) in properties {
            let number = match value {
                Value::Number(n) if n.is_finite() => Some(*n),
                Value::String(s) => leadpulse::core::number::parse(s),
                _ => None,
            };
            let text = match value {
                Value::String(s) if number.is_none() && s.len() <= MAX_CATEGORY_LEN => {
                    Some(s.trim().to_string())
                }
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            if number.is_none() && text.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            let Some(k) = self.keys.id(&(event.to_string(), key.clone()), MAX_KEYS) else {
                continue;
            };
            let Some(seen) = self.seen.get_mut(slot) else {
                return;
            };
            if let Some(n) = number {
                match seen.numbers.iter_mut().find(|(id, _)| *id == k) {
                    Some((_, max)) => *max = max.max(n),
                    None => seen.numbers.push((k, n)),
                }
            }
            if let Some(text) = text {
                let lowered = leadpulse::core::text::lower(&text);
                let before = self.values.items.len();
                let Some(v) = self.values.id(&(k, lowered), MAX_VALUES) else {
                    continue;
                };
                if self.values.items.len() > before {
                    self.shown.push(text);
                }
                if !seen.texts.contains(&v) {
                    seen.texts.push(v);
                }
            }
        }
    }

    /// Adds one training lead's values to `out`.
    pub fn add(&self, slot: usize, out: &mut Summed) {
        let Some(seen) = self.seen.get(slot) else {
            return;
        };
        for &(k, n) in &seen.numbers {
            if let Some(key) = self.keys.items.get(k as usize) {
                out.numbers.entry(key.clone()).or_default().push(n);
            }
        }
        for &v in &seen.texts {
            let Some((k, lowered)) = self.values.items.get(v as usize) else {
                continue;
            };
            let (Some(key), Some(shown)) =
                (self.keys.items.get(*k as usize), self.shown.get(v as usize))
            else {
                continue;
            };
            let entry = out
                .texts
                .entry(key.clone())
                .or_default()
                .entry(lowered.clone())
                .or_insert((shown.clone(), 0));
            entry.1 += 1;
        }
    }
}

/// The training leads' property values: per key, each lead's highest number (leads without
/// one are not listed: they are the band at zero), and visitors per text value.
#[derive(Default)]
pub struct Summed {
    pub numbers: BTreeMap<Key, Vec<f64>>,
    pub texts: BTreeMap<Key, super::signals::Values>,
}
