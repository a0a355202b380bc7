//! The value tests that trait, event-property and source conditions share: `exists`,
//! `equals`, `oneOf`, `contains`, `endsWith`, `range`. Text is compared ignoring case (the
//! model's lists are lowered when read, so only the value is lowered when checked).
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::core::event::Scalar;
use crate::core::json::{Obj, ProblemKind, Problems, Value};
use crate::core::text;

/// Tests on a value (a trait, an event property, a visit's source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TraitTest {
    Exists,
    Equals(Scalar),
    OneOf(Vec<String>),
    Contains(Vec<String>),
    EndsWith(Vec<String>),
    Range { min: Option<f64>, max: Option<f64> },
}

/// The test keys, in the order they are documented.
pub const TESTS: [&str; 6] = ["exists", "equals", "oneOf", "contains", "endsWith", "range"];

impl TraitTest {
    pub fn check(&self, value: &Scalar) -> bool {
        let text = || match value {
            Scalar::Text(s) => text::lowered(s),
            other => Cow::Owned(text::lower(&other.as_text())),
        };
        match self {
            TraitTest::Exists => true,
            TraitTest::Equals(expected) => super::scalar_eq(expected, value),
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

/// Reads the one test `obj` holds (`what` names the condition in the message: "a trait
/// condition"); every problem is reported with its path.
pub fn read(obj: &Obj, what: &str, problems: &mut Problems) -> Option<TraitTest> {
    let tests: Vec<&str> = TESTS
        .iter()
        .copied()
        .filter(|k| obj.get(k).is_some())
        .collect();
    let [test] = tests.as_slice() else {
        problems.range(
            &obj.path,
            [what, " has exactly one test of: ", &TESTS.join(", ")].concat(),
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
    Some(match *test {
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
        _ => read_range(obj.get("range")?, &obj.path_of("range"), problems)?,
    })
}

fn read_range(value: &Value, path: &str, problems: &mut Problems) -> Option<TraitTest> {
    let range = Obj::open(value, path, Some(&["min", "max"]), problems)?;
    let (min, max): (Option<f64>, Option<f64>) =
        (range.opt("min", problems), range.opt("max", problems));
    match (min, max) {
        (None, None) => {
            problems.add(
                &range.path,
                ProblemKind::Missing,
                "a range needs min, max or both",
            );
            None
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
            None
        }
        _ => Some(TraitTest::Range { min, max }),
    }
}
