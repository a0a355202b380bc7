//! Source conditions: a test on where the visit came from — the first touch (the visitor's
//! first visit) or the last touch (the latest visit) — as the tracker and the edge record it
//! from the page's referrer and `utm_*` parameters (engine/touch.rs).
use serde::{Deserialize, Serialize};

use super::test::{self, TraitTest};
use crate::core::json::{Obj, Problems};

/// Which visit's attribution a source condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Touch {
    First,
    Last,
}

/// What of the attribution: a UTM parameter (its key without `utm_`) or the referrer's host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceField {
    Utm(String),
    Referrer,
}

/// The fields a source condition may name.
pub const FIELDS: [&str; 6] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer",
];

/// The keys of a source condition.
pub const KEYS: [&str; 8] = [
    "source", "touch", "exists", "equals", "oneOf", "contains", "endsWith", "range",
];

/// `{"source": FIELD, "touch"?: "first" | "last", TEST}`.
pub fn read(obj: &Obj, problems: &mut Problems) -> Option<(Touch, SourceField, TraitTest)> {
    let name: String = obj.req("source", problems)?;
    let field = match name.as_str() {
        "referrer" => Some(SourceField::Referrer),
        other => other
            .strip_prefix("utm_")
            .filter(|_| FIELDS.contains(&other))
            .map(|key| SourceField::Utm(key.to_string())),
    };
    let touch = match obj.opt::<String>("touch", problems).as_deref() {
        None | Some("first") => Some(Touch::First),
        Some("last") => Some(Touch::Last),
        Some(other) => {
            problems.range(
                &obj.path_of("touch"),
                ["expected 'first' or 'last', found '", other, "'"].concat(),
            );
            None
        }
    };
    if field.is_none() {
        problems.range(
            &obj.path_of("source"),
            [
                "expected one of ",
                &FIELDS.join(", "),
                ", found '",
                &name,
                "'",
            ]
            .concat(),
        );
    }
    let test = test::read(obj, "a source condition", problems)?;
    Some((touch?, field?, test))
}
