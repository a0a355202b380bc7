//! What a rule or a slot reacts to: a page, an event (and its properties), engaged time,
//! scroll, a return visit, a trait (fit), the visit's source, or all of several of these.
use serde::{Deserialize, Serialize};

use super::source::{self, SourceField, Touch};
use super::test::{self, TraitTest, TESTS};
use crate::core::event::Scalar;
use crate::core::glob;
use crate::core::json::{index, FromJson, Obj, ProblemKind, Problems, Value};
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
    /// A `track` event with this name whose properties pass these tests.
    Event {
        name: String,
        properties: Vec<(String, PropertyTest)>,
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
    /// A test on the first or last touch's attribution (holds while it passes).
    Source {
        touch: Touch,
        field: SourceField,
        test: TraitTest,
    },
    /// Holds while every part holds: a trait or source part while it passes, a `session` or
    /// per-visitor `engagedSeconds` part once the visitor's total reaches it, any other part
    /// once it has happened (the engine keeps one bit per part).
    All { parts: Vec<Condition> },
}

/// A test on one property of an event: equal to one of the values (the short form,
/// `"key": VALUE` or `[VALUES]`), or one of the value tests (`{"range": …}`, `{"oneOf": …}` …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PropertyTest {
    Values(Vec<Scalar>),
    Test(TraitTest),
}

/// The most parts an `all` condition has (each is one bit of the rule's evidence).
pub const MAX_PARTS: usize = 4;

impl Condition {
    pub fn is_trait(&self) -> bool {
        matches!(self, Condition::Trait { .. })
    }

    /// A condition that holds (or not) at read time rather than firing on events: a trait, a
    /// source, a combination. Its rule counts 1 while it holds: no frequency, decay or window.
    pub fn holds_over_time(&self) -> bool {
        matches!(
            self,
            Condition::Trait { .. } | Condition::Source { .. } | Condition::All { .. }
        )
    }

    /// The axis a rule on this condition feeds by default: fit for a trait (or a combination
    /// whose first part is one), engagement otherwise.
    pub fn default_is_fit(&self) -> bool {
        match self {
            Condition::Trait { .. } => true,
            Condition::All { parts } => parts.first().is_some_and(Condition::default_is_fit),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    pub count: u32,
    pub within: Millis,
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

/// Property matching for event conditions: a JSON property (a string, number or boolean;
/// absent, `null`, objects and arrays pass no test) passes the condition's test.
pub fn property_matches(test: &PropertyTest, actual: Option<&Value>) -> bool {
    let actual = match actual {
        Some(Value::String(s)) => Scalar::Text(s.clone()),
        Some(Value::Number(n)) => Scalar::Number(*n),
        Some(Value::Bool(b)) => Scalar::Bool(*b),
        _ => return false,
    };
    match test {
        PropertyTest::Values(options) => options.iter().any(|o| scalar_eq(o, &actual)),
        PropertyTest::Test(test) => test.check(&actual),
    }
}

/// The condition keys, by the key that selects the kind.
const PRIMARY: [&str; 8] = [
    "page",
    "event",
    "engagedSeconds",
    "scroll",
    "session",
    "trait",
    "source",
    "all",
];
const TRAIT_KEYS: [&str; 7] = [
    "trait", "exists", "equals", "oneOf", "contains", "endsWith", "range",
];

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
            "source" => &source::KEYS,
            "all" => &["all"],
            _ => &TRAIT_KEYS,
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
            "source" => {
                let (touch, field, test) = source::read(&obj, problems)?;
                Some(Condition::Source { touch, field, test })
            }
            "all" => read_all(&obj, problems),
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
            let test = match expected {
                Value::Array(_) => {
                    PropertyTest::Values(Vec::<Scalar>::from_json(expected, &path, problems)?)
                }
                Value::Object(_) => {
                    let tests = Obj::open(expected, &path, Some(&TESTS), problems)?;
                    PropertyTest::Test(test::read(&tests, "a property test", problems)?)
                }
                other => PropertyTest::Values(vec![Scalar::from_json(other, &path, problems)?]),
            };
            properties.push((key.clone(), test));
        }
    }
    Some(Condition::Event { name, properties })
}

fn read_trait(obj: &Obj, problems: &mut Problems) -> Option<Condition> {
    let name: String = obj.req("trait", problems)?;
    let test = test::read(obj, "a trait condition", problems)?;
    Some(Condition::Trait { name, test })
}

/// `{"all": [part, …]}`: 2 to [`MAX_PARTS`] parts, each a condition that can hold at read
/// time or be remembered as one bit (no `repeat`, no per-session or per-page engaged time,
/// no combination inside a combination).
fn read_all(obj: &Obj, problems: &mut Problems) -> Option<Condition> {
    let path = obj.path_of("all");
    let Some(Value::Array(items)) = obj.get("all") else {
        let _ = obj.req::<Vec<String>>("all", problems);
        return None;
    };
    if !(2..=MAX_PARTS).contains(&items.len()) {
        problems.range(
            &path,
            [
                "a combination has 2 to 4 parts, found ",
                &items.len().to_string(),
            ]
            .concat(),
        );
        return None;
    }
    let mut parts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let part_path = index(&path, i);
        let Some(part) = Condition::from_json(item, &part_path, problems) else {
            continue;
        };
        let why = match &part {
            Condition::All { .. } => Some("a combination cannot hold another combination"),
            Condition::Page {
                repeat: Some(_), ..
            } => Some("a part of a combination has no `repeat`"),
            Condition::Engaged {
                per_session: true, ..
            } => Some("engaged time in a combination is per visitor (\"per\": \"visitor\")"),
            Condition::Engaged { glob: Some(_), .. } => {
                Some("engaged time in a combination counts every page (no `page`)")
            }
            _ => None,
        };
        match why {
            Some(why) => problems.range(&part_path, why),
            None => parts.push(part),
        }
    }
    (parts.len() == items.len()).then_some(Condition::All { parts })
}

/// Days (possibly fractional) as milliseconds, saturating.
pub fn days_to_millis(days: f64) -> Millis {
    // NOTE: max/min rather than `clamp`, whose panic message would link float formatting.
    (days * DAY as f64).max(0.0).min(i64::MAX as f64 / 4.0) as Millis
}
