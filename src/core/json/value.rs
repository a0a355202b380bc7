//! A generic JSON value: what the path-reporting readers walk (models, events that failed the
//! typed fast path). It is deserialised by serde from any format (serde_json text, JS values
//! through serde-wasm-bindgen), bounded in depth and size so that no input can exhaust the
//! stack or the heap: a JS cycle or a million-element array is an error, not a crash.
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Deepest nesting accepted (serde_json's own limit is 128).
pub const MAX_DEPTH: usize = 64;

/// How much one document may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Values (every string, number, array, object … counts one).
    pub nodes: usize,
    /// Bytes of the longest string (key or value).
    pub string_bytes: usize,
}

impl Limits {
    /// A model document: 128 rules with their conditions fit many times over.
    pub const DOCUMENT: Limits = Limits {
        nodes: 100_000,
        string_bytes: 65_536,
    };
    /// One part of an event (`properties`, `traits`, `context`).
    pub const EVENT_PART: Limits = Limits {
        nodes: 1_000,
        string_bytes: 16_384,
    };
}

/// One JSON value. Objects keep their members in input order; a repeated key keeps its last
/// value at its first position (as `JSON.parse` does), so a key occurs at most once.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// An object's members sorted by key (bytewise), for everything that must not depend on
/// the order a producer wrote its keys in.
pub fn sorted_members(members: &[(String, Value)]) -> Vec<&(String, Value)> {
    let mut sorted: Vec<&(String, Value)> = members.iter().collect();
    crate::core::sort::insertion_sort_by(&mut sorted, |a, b| a.0 < b.0);
    sorted
}

/// The member `key` of an object's members.
pub fn member<'v>(members: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

impl Value {
    /// The member `key`, when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        member(self.as_object()?, key)
    }

    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The JSON type name used in messages ("expected a string, found a number").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// Reads JSON text (bounded like every other input).
    pub fn from_text(text: &str) -> Result<Value, serde_json::Error> {
        let mut reader = serde_json::Deserializer::from_str(text);
        let value = Bounded::new(Limits::DOCUMENT).deserialize(&mut reader)?;
        reader.end()?;
        Ok(value)
    }

    /// The canonical JSON text: keys sorted, no spaces, whole numbers without a fraction.
    /// What a model's content hash is computed over.
    pub fn canonical(&self) -> String {
        serde_json::to_string(&Canonical(self)).unwrap_or_default()
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.to_string())
    }
}

/// Deserialises a [`Value`] within [`Limits`] and [`MAX_DEPTH`].
pub struct Bounded {
    limits: Limits,
    depth: usize,
    nodes: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Bounded {
    pub fn new(limits: Limits) -> Bounded {
        Bounded {
            limits,
            depth: 0,
            nodes: Default::default(),
        }
    }

    fn child(&self) -> Bounded {
        Bounded {
            limits: self.limits,
            depth: self.depth + 1,
            nodes: self.nodes.clone(),
        }
    }

    fn count<E: de::Error>(&self) -> Result<(), E> {
        let nodes = self.nodes.get() + 1;
        self.nodes.set(nodes);
        if nodes > self.limits.nodes {
            return Err(E::custom(format!("more than {} values", self.limits.nodes)));
        }
        Ok(())
    }

    fn check_string<E: de::Error>(&self, s: &str) -> Result<(), E> {
        if s.len() > self.limits.string_bytes {
            return Err(E::custom(format!(
                "a string longer than {} bytes",
                self.limits.string_bytes
            )));
        }
        Ok(())
    }
}

/// A [`Value`] within [`Limits::EVENT_PART`]: for `#[serde(deserialize_with)]`.
pub fn event_part<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    match Bounded::new(Limits::EVENT_PART).deserialize(deserializer)? {
        Value::Null => Ok(None),
        value => Ok(Some(value)),
    }
}

impl<'de> DeserializeSeed<'de> for Bounded {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(de::Error::custom(format!(
                "nested deeper than {MAX_DEPTH} levels (or a cycle)"
            )));
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.visit_f64(n as f64)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.visit_f64(n as f64)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.count()?;
        // NOTE: JSON text has no NaN or infinity, but a JS value can: they would poison every
        // sum they enter, so they are refused here, at the edge of the core.
        if n.is_finite() {
            Ok(Value::Number(n))
        } else {
            Err(E::custom("not a finite number"))
        }
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.check_string(s)?;
        self.visit_string(s.to_string())
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.check_string(&s)?;
        self.count()?;
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.count()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.count()?;
        let mut members: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            self.check_string(&key)?;
            let value = map.next_value_seed(self.child())?;
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = value,
                None => members.push((key, value)),
            }
        }
        Ok(Value::Object(members))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        Bounded::new(Limits::DOCUMENT).deserialize(deserializer)
    }
}

/// Numbers that are whole (and fit) are written as integers: `30`, not `30.0`.
fn serialize_number<S: Serializer>(n: f64, serializer: S) -> Result<S::Ok, S::Error> {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if n.fract() == 0.0 && (-TWO_63..TWO_63).contains(&n) && !(n == 0.0 && n.is_sign_negative()) {
        serializer.serialize_i64(n as i64)
    } else {
        serializer.serialize_f64(n)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write(self, serializer, false)
    }
}

/// [`Value`] with its objects' keys sorted.
struct Canonical<'v>(&'v Value);

impl Serialize for Canonical<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write(self.0, serializer, true)
    }
}

fn write<S: Serializer>(value: &Value, serializer: S, sorted: bool) -> Result<S::Ok, S::Error> {
    match value {
        Value::Null => serializer.serialize_unit(),
        Value::Bool(b) => serializer.serialize_bool(*b),
        Value::Number(n) => serialize_number(*n, serializer),
        Value::String(s) => serializer.serialize_str(s),
        Value::Array(items) => {
            let mut seq = serializer.serialize_seq(Some(items.len()))?;
            for item in items {
                if sorted {
                    seq.serialize_element(&Canonical(item))?;
                } else {
                    seq.serialize_element(item)?;
                }
            }
            seq.end()
        }
        Value::Object(members) => {
            let members = if sorted {
                sorted_members(members)
            } else {
                members.iter().collect()
            };
            let mut map = serializer.serialize_map(Some(members.len()))?;
            for (key, item) in members {
                if sorted {
                    map.serialize_entry(key, &Canonical(item))?;
                } else {
                    map.serialize_entry(key, item)?;
                }
            }
            map.end()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_sorts_keys_and_writes_whole_numbers_as_integers() {
        let value =
            Value::from_text(r#"{"b": [1.0, 2.5, -0.0], "a": {"y": 1e3, "x": null}}"#).unwrap();
        assert_eq!(
            value.canonical(),
            r#"{"a":{"x":null,"y":1000},"b":[1,2.5,-0.0]}"#
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_at_its_first_place() {
        let value = Value::from_text(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(
            value,
            Value::Object(vec![
                ("a".into(), Value::Number(3.0)),
                ("b".into(), Value::Number(2.0))
            ])
        );
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(Value::from_text(&deep)
            .unwrap_err()
            .to_string()
            .contains("nested deeper"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(Value::from_text(&ok).is_ok());
        let wide = format!("[{}0]", "0,".repeat(Limits::DOCUMENT.nodes));
        assert!(Value::from_text(&wide)
            .unwrap_err()
            .to_string()
            .contains("more than"));
    }
}
