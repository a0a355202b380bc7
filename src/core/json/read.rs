//! Reading JSON with paths: every problem is reported with the JSON path where it was found.
//!
//! Models are read with [`Obj::open`] and a list of allowed keys (a typo is an error);
//! events pass `None` and tolerate extra analytics fields.
use super::value::{member, sorted_members, Value};

/// What kind of problem: decides the JS error class (`TypeError` vs `RangeError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProblemKind {
    /// A required field is absent.
    Missing,
    /// A value has the wrong JSON type.
    #[default]
    Type,
    /// A value has the right type but an unacceptable value.
    Range,
    /// A field that the format does not know.
    Unknown,
}

/// One problem, located by its JSON path (`rules[2].when.page`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    pub path: String,
    pub kind: ProblemKind,
    pub message: String,
}

impl Problem {
    /// `path: message`, with `(root)` for the document itself.
    pub fn describe(&self) -> String {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        [path, ": ", &self.message].concat()
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Collects problems while reading a document, so that all of them can be reported at once.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn add(&mut self, path: &str, kind: ProblemKind, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.to_string(),
            kind,
            message: message.into(),
        });
    }
    pub fn range(&mut self, path: &str, message: impl Into<String>) {
        self.add(path, ProblemKind::Range, message);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `parent.key`, or `key` at the root.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        [parent, ".", key].concat()
    }
}

/// `parent[index]`.
pub fn index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The JSON type name used in messages.
pub fn type_name(value: &Value) -> &'static str {
    value.type_name()
}

/// A value that can be read from JSON at a path, reporting problems instead of failing fast.
pub trait FromJson: Sized {
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self>;

    /// The value when it is valid, read without building its path (the hot path of
    /// events). `None` sends the reader to [`FromJson::from_json`], which reports why.
    fn quick(_value: &Value) -> Option<Self> {
        None
    }
}

fn wrong_type(value: &Value, expected: &str, path: &str, problems: &mut Problems) {
    problems.add(
        path,
        ProblemKind::Type,
        ["expected ", expected, ", found ", type_name(value)].concat(),
    );
}

impl FromJson for String {
    fn quick(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_string)
    }
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        match value {
            Value::String(s) => Some(s.clone()),
            other => {
                wrong_type(other, "a string", path, problems);
                None
            }
        }
    }
}

impl FromJson for f64 {
    fn quick(value: &Value) -> Option<Self> {
        value.as_f64().filter(|n| n.is_finite())
    }
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        // NOTE: the parser never yields NaN or infinities, but a `Value` can be built in
        // code; the check keeps the core's arithmetic finite either way.
        match value.as_f64() {
            Some(n) if n.is_finite() => Some(n),
            Some(_) => {
                problems.range(path, "must be a finite number");
                None
            }
            None => {
                wrong_type(value, "a number", path, problems);
                None
            }
        }
    }
}

impl FromJson for u32 {
    fn quick(value: &Value) -> Option<Self> {
        let n = value.as_f64()?;
        (n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
    }
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let n = f64::from_json(value, path, problems)?;
        Self::quick(value).or_else(|| {
            problems.range(
                path,
                format!(
                    "must be a whole number ≥ 0, found {}",
                    crate::core::event::format_number(n)
                ),
            );
            None
        })
    }
}

impl FromJson for bool {
    fn quick(value: &Value) -> Option<Self> {
        value.as_bool()
    }
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            other => {
                wrong_type(other, "a boolean", path, problems);
                None
            }
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let Value::Array(items) = value else {
            wrong_type(value, "an array", path, problems);
            return None;
        };
        let before = problems.0.len();
        let read: Vec<T> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| T::from_json(item, &index(path, i), problems))
            .collect();
        (problems.0.len() == before).then_some(read)
    }
}

/// An object being read, with its path.
pub struct Obj<'v> {
    pub map: &'v [(String, Value)],
    pub path: String,
}

impl<'v> Obj<'v> {
    /// Opens `value` as an object. With `allowed`, every other key is reported as unknown.
    pub fn open(
        value: &'v Value,
        path: &str,
        allowed: Option<&[&str]>,
        problems: &mut Problems,
    ) -> Option<Self> {
        let Value::Object(map) = value else {
            wrong_type(value, "an object", path, problems);
            return None;
        };
        if let Some(allowed) = allowed {
            // Reported in key order, so a document reads the same whatever its key order.
            let unknown = sorted_members(map)
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| !allowed.contains(&k.as_str()));
            for key in unknown {
                problems.add(
                    &join(path, key),
                    ProblemKind::Unknown,
                    ["unknown field; expected one of: ", &allowed.join(", ")].concat(),
                );
            }
        }
        Some(Obj {
            map,
            path: path.to_string(),
        })
    }

    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn get(&self, key: &str) -> Option<&'v Value> {
        member(self.map, key)
    }

    /// The members sorted by key: what a model derives from an object (the order of its
    /// groups, frameworks …) must not depend on key order, as its hash does not.
    pub fn sorted(&self) -> Vec<&'v (String, Value)> {
        sorted_members(self.map)
    }

    fn read<T: FromJson>(&self, key: &str, value: &Value, problems: &mut Problems) -> Option<T> {
        T::quick(value).or_else(|| T::from_json(value, &self.path_of(key), problems))
    }

    /// A required field.
    pub fn req<T: FromJson>(&self, key: &str, problems: &mut Problems) -> Option<T> {
        match self.get(key) {
            Some(value) => self.read(key, value, problems),
            None => {
                problems.add(
                    &self.path_of(key),
                    ProblemKind::Missing,
                    "required field is missing",
                );
                None
            }
        }
    }

    /// An optional field: `None` when absent or `null`, or when invalid (then reported).
    pub fn opt<T: FromJson>(&self, key: &str, problems: &mut Problems) -> Option<T> {
        match self.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => self.read(key, value, problems),
        }
    }
}
