//! What a rule or a slot reacts to: a page, an event, engaged time, scroll, a return visit,
//! or a trait (fit).
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::core::event::Scalar;
use crate::core::glob;
use crate::core::json::{FromJson, Obj, ProblemKind, Problems, Value};
use crate::core::text;
use crate::core::time::{Millis, DAY};

/// A condition on behaviour (checked when an event arrives) or on traits (checked at read time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// A page view whose path matches the glob; with `repeat`, only once the page has been
    /// seen `count` times within `within` (this view included).
    Page {
        glob: String,
        repeat: Option<Repeat>,
    },
    /// A `track` event with this name and these property values (each one of a list).
    Event {
        name: String,
        properties: Vec<(String, Vec<Scalar>)>,
    },
    /// Engaged seconds crossing `min` (per session or in total), optionally on matching pages.
    Engaged {
        min: f64,
        per_session: bool,
        glob: Option<String>,
    },
    /// Scroll depth reaching `min` percent on a matching page.
    Scroll { min: f64, glob: Option<String> },
    /// The start of the visitor's `min`-th session or later (a return visit).
    Session { min: u32 },
    /// A trait test (fit).
    Trait { name: String, test: TraitTest },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    pub count: u32,
    pub within: Millis,
}

/// Tests on a trait value. Text comparisons ignore case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TraitTest {
    Exists,
    Equals(Scalar),
    OneOf(Vec<String>),
    Contains(Vec<String>),
    EndsWith(Vec<String>),
    Range { min: Option<f64>, max: Option<f64> },
}

impl Condition {
    pub fn is_trait(&self) -> bool {
        matches!(self, Condition::Trait { .. })
    }
}

impl TraitTest {
    /// Text lists are lower-cased when the model is read, so only the value is lowered here.
    pub fn check(&self, value: &Scalar) -> bool {
        let text = || match value {
            Scalar::Text(s) => text::lowered(s),
            other => Cow::Owned(text::lower(&other.as_text())),
        };
        match self {
            TraitTest::Exists => true,
            TraitTest::Equals(expected) => scalar_eq(expected, value),
            TraitTest::OneOf(options) => {
                let text = text();
                options.iter().any(|o| *o == text)
            }
            TraitTest::Contains(parts) => {
                let text = text();
                parts.iter().any(|p| contains_word_start(&text, p))
            }
            TraitTest::EndsWith(suffixes) => {
                let text = text();
                suffixes.iter().any(|s| text.ends_with(s.as_str()))
            }
            TraitTest::Range { min, max } => value
                .as_number()
                .is_some_and(|n| min.is_none_or(|min| n >= min) && max.is_none_or(|max| n <= max)),
        }
    }
}

/// `contains` matches at the start of a word, so that "cto" finds "CTO" and "Acting CTO" but
/// not "director" (which contains "cto" mid-word). A part that starts with punctuation
/// ("@gmail.") matches anywhere.
fn contains_word_start(text: &str, part: &str) -> bool {
    if !part.starts_with(char::is_alphanumeric) {
        return text::contains(text, part);
    }
    let mut from = 0;
    while let Some(i) = text::find(text, part, from) {
        let before = text.get(..i).and_then(|before| before.chars().last());
        if before.is_none_or(|c| !c.is_alphanumeric()) {
            return true;
        }
        from = i + 1;
    }
    false
}

/// Equality of a model value and an observed value, case-insensitive for text, numeric
/// when either side is a number.
pub fn scalar_eq(expected: &Scalar, actual: &Scalar) -> bool {
    match (expected, actual) {
        (Scalar::Text(a), Scalar::Text(b)) => text_eq(a, b),
        (Scalar::Number(a), other) | (other, Scalar::Number(a)) => other.as_number() == Some(*a),
        (Scalar::Bool(a), Scalar::Bool(b)) => a == b,
        (Scalar::Bool(a), Scalar::Text(t)) | (Scalar::Text(t), Scalar::Bool(a)) => {
            text_eq(t, if *a { "true" } else { "false" })
        }
    }
}

/// Case-insensitive text equality; allocation-free for ASCII (the hot path).
pub fn text_eq(a: &str, b: &str) -> bool {
    text::eq_ignore_case(a, b)
}

/// Property matching for event conditions: a JSON property equals one of the listed values.
pub fn property_matches(options: &[Scalar], actual: Option<&Value>) -> bool {
    let actual = match actual {
        Some(Value::String(s)) => Scalar::Text(s.clone()),
        Some(Value::Number(n)) => Scalar::Number(*n),
        Some(Value::Bool(b)) => Scalar::Bool(*b),
        _ => return false,
    };
    options.iter().any(|o| scalar_eq(o, &actual))
}

/// The condition keys, by the key that selects the kind.
const PRIMARY: [&str; 6] = [
    "page",
    "event",
    "engagedSeconds",
    "scroll",
    "session",
    "trait",
];
const TRAIT_TESTS: [&str; 6] = ["exists", "equals", "oneOf", "contains", "endsWith", "range"];

impl FromJson for Condition {
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let Value::Object(map) = value else {
            return Obj::open(value, path, None, problems).and(None);
        };
        let present: Vec<&str> = PRIMARY
            .iter()
            .copied()
            .filter(|k| map.iter().any(|(key, _)| key == k))
            .collect();
        let primary = match present.as_slice() {
            [one] => *one,
            ["page", other] | [other, "page"] if matches!(*other, "engagedSeconds" | "scroll") => {
                other
            }
            [] => {
                problems.add(
                    path,
                    ProblemKind::Missing,
                    ["a condition needs one of: ", &PRIMARY.join(", ")].concat(),
                );
                return None;
            }
            many => {
                problems.range(
                    path,
                    [
                        "a condition has exactly one kind, found: ",
                        &many.join(", "),
                    ]
                    .concat(),
                );
                return None;
            }
        };
        let allowed: &[&str] = match primary {
            "page" => &["page", "repeat"],
            "event" => &["event", "properties"],
            "engagedSeconds" => &["engagedSeconds", "per", "page"],
            "scroll" => &["scroll", "page"],
            "session" => &["session"],
            _ => &[
                "trait", "exists", "equals", "oneOf", "contains", "endsWith", "range",
            ],
        };
        let obj = Obj::open(value, path, Some(allowed), problems)?;
        match primary {
            "page" => Some(Condition::Page {
                glob: read_glob(&obj, "page", problems)?,
                repeat: read_repeat(&obj, problems),
            }),
            "event" => read_event(&obj, problems),
            "engagedSeconds" => {
                let min: f64 = obj.req("engagedSeconds", problems)?;
                positive(min, &obj.path_of("engagedSeconds"), problems)?;
                let per: Option<String> = obj.opt("per", problems);
                let per_session = match per.as_deref() {
                    None | Some("session") => true,
                    Some("visitor") => false,
                    Some(other) => {
                        problems.range(
                            &obj.path_of("per"),
                            ["expected 'session' or 'visitor', found '", other, "'"].concat(),
                        );
                        return None;
                    }
                };
                let glob = obj
                    .get("page")
                    .and_then(|_| read_glob(&obj, "page", problems));
                Some(Condition::Engaged {
                    min,
                    per_session,
                    glob,
                })
            }
            "scroll" => {
                let min: f64 = obj.req("scroll", problems)?;
                if !(0.0..=100.0).contains(&min) || min == 0.0 {
                    problems.range(
                        &obj.path_of("scroll"),
                        "must be a percentage above 0 and at most 100",
                    );
                    return None;
                }
                let glob = obj
                    .get("page")
                    .and_then(|_| read_glob(&obj, "page", problems));
                Some(Condition::Scroll { min, glob })
            }
            "session" => {
                let min: u32 = obj.req("session", problems)?;
                if min < 1 {
                    problems.range(&obj.path_of("session"), "sessions are counted from 1");
                    return None;
                }
                Some(Condition::Session { min })
            }
            _ => read_trait(&obj, problems),
        }
    }
}

fn positive(n: f64, path: &str, problems: &mut Problems) -> Option<f64> {
    if n > 0.0 {
        Some(n)
    } else {
        let found = n.to_string();
        problems.range(path, ["must be greater than 0, found ", &found].concat());
        None
    }
}

fn read_glob(obj: &Obj, key: &str, problems: &mut Problems) -> Option<String> {
    let pattern: String = obj.req(key, problems)?;
    let why = if !(pattern.starts_with('/') || pattern.starts_with('*')) {
        Some("a path pattern starts with '/' or '*'")
    } else if pattern.len() > glob::MAX_PATTERN {
        Some("a path pattern is at most 256 bytes")
    } else if pattern.contains(['?', '#']) {
        Some("a path pattern cannot match: queries and fragments are not part of the path")
    } else if pattern.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("a path pattern cannot match: paths have no spaces or control characters")
    } else {
        None
    };
    match why {
        None => Some(glob::normalize(&pattern).to_string()),
        Some(why) => {
            let shown: String = pattern.chars().take(40).collect();
            problems.range(&obj.path_of(key), [why, ", found '", &shown, "'"].concat());
            None
        }
    }
}

fn read_repeat(obj: &Obj, problems: &mut Problems) -> Option<Repeat> {
    let value = obj.get("repeat")?;
    let repeat = Obj::open(
        value,
        &obj.path_of("repeat"),
        Some(&["count", "withinDays"]),
        problems,
    )?;
    let count: u32 = repeat.req("count", problems)?;
    let days: f64 = repeat.req("withinDays", problems)?;
    if !(2..=16).contains(&count) {
        problems.range(
            &repeat.path_of("count"),
            ["must be between 2 and 16, found ", &count.to_string()].concat(),
        );
        return None;
    }
    positive(days, &repeat.path_of("withinDays"), problems)?;
    Some(Repeat {
        count,
        within: days_to_millis(days),
    })
}

fn read_event(obj: &Obj, problems: &mut Problems) -> Option<Condition> {
    let name: String = obj.req("event", problems)?;
    if name.is_empty() {
        problems.range(&obj.path_of("event"), "must not be empty");
    }
    let mut properties = Vec::new();
    if let Some(value) = obj.get("properties") {
        let props = Obj::open(value, &obj.path_of("properties"), None, problems)?;
        for (key, expected) in props.sorted() {
            let path = props.path_of(key);
            let options = match expected {
                Value::Array(_) => Vec::<Scalar>::from_json(expected, &path, problems)?,
                other => vec![Scalar::from_json(other, &path, problems)?],
            };
            properties.push((key.clone(), options));
        }
    }
    Some(Condition::Event { name, properties })
}

fn read_trait(obj: &Obj, problems: &mut Problems) -> Option<Condition> {
    let name: String = obj.req("trait", problems)?;
    let tests: Vec<&str> = TRAIT_TESTS
        .iter()
        .copied()
        .filter(|k| obj.get(k).is_some())
        .collect();
    let [test] = tests.as_slice() else {
        problems.range(
            &obj.path,
            [
                "a trait condition has exactly one test of: ",
                &TRAIT_TESTS.join(", "),
            ]
            .concat(),
        );
        return None;
    };
    let strings = |key: &str, problems: &mut Problems| -> Option<Vec<String>> {
        let list: Vec<String> = obj.req(key, problems)?;
        if list.is_empty() || list.iter().any(String::is_empty) {
            problems.range(&obj.path_of(key), "must list at least one non-empty string");
            return None;
        }
        Some(list.iter().map(|s| text::lower(s)).collect())
    };
    let test = match *test {
        "exists" => {
            let exists: bool = obj.req("exists", problems)?;
            if !exists {
                problems.range(
                    &obj.path_of("exists"),
                    "only `true` is meaningful; use a negative-points rule instead",
                );
                return None;
            }
            TraitTest::Exists
        }
        "equals" => TraitTest::Equals(obj.req("equals", problems)?),
        "oneOf" => TraitTest::OneOf(strings("oneOf", problems)?),
        "contains" => TraitTest::Contains(strings("contains", problems)?),
        "endsWith" => TraitTest::EndsWith(strings("endsWith", problems)?),
        _ => {
            let range = Obj::open(
                obj.get("range")?,
                &obj.path_of("range"),
                Some(&["min", "max"]),
                problems,
            )?;
            let (min, max): (Option<f64>, Option<f64>) =
                (range.opt("min", problems), range.opt("max", problems));
            match (min, max) {
                (None, None) => {
                    problems.add(
                        &range.path,
                        ProblemKind::Missing,
                        "a range needs min, max or both",
                    );
                    return None;
                }
                (Some(lo), Some(hi)) if lo > hi => {
                    problems.range(
                        &range.path,
                        [
                            "min (",
                            &lo.to_string(),
                            ") is greater than max (",
                            &hi.to_string(),
                            ")",
                        ]
                        .concat(),
                    );
                    return None;
                }
                _ => TraitTest::Range { min, max },
            }
        }
    };
    Some(Condition::Trait { name, test })
}

/// Days (possibly fractional) as milliseconds, saturating.
pub fn days_to_millis(days: f64) -> Millis {
    // NOTE: max/min rather than `clamp`, whose panic message would link float formatting.
    (days * DAY as f64).max(0.0).min(i64::MAX as f64 / 4.0) as Millis
}
