//! The scoring model: one JSON document (format: `docs/model.md`), validated on load, or a
//! compiled model (the validated form, serialised: [`compiled`]).
pub mod compiled;
mod condition;
mod hash;
mod read;
mod source;
mod stages;
mod test;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::core::event::Scalar;
use crate::core::sorted_map::SortedMap;

pub use condition::{
    property_matches, scalar_eq, text_eq, Condition, PropertyTest, Repeat, MAX_PARTS,
};
pub use hash::{fnv1a64, hex16};
pub use source::{SourceField, Touch, FIELDS as SOURCE_FIELDS};
pub use stages::{Band, Requirements, Route, Stage, Threshold, DEFAULT_REARM_POINTS, SCORE_ROUTE};
pub use test::TraitTest;

use crate::core::json::{self, Problem};
use crate::core::time::Millis;

/// The built-in B2B-SaaS model (documented in `docs/model.md`).
pub const BUILTIN_JSON: &str = include_str!("builtin.json");

/// The most points a rule or an answer may give or take (the engine bounds each axis too, at
/// `engine::score::AXIS_LIMIT`), so every score stays within the summary contract.
pub const MAX_POINTS: f64 = 1000.0;
/// The same, compiled (`leadpulse compile`; `tests/core/model_compiled.rs` keeps the two equal).
pub const BUILTIN_COMPILED: &[u8] = include_bytes!("builtin.lpm");

/// Which score axis a rule feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Axis {
    Fit,
    Engagement,
}

/// How often a rule's points count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Frequency {
    Every,
    Once,
    PerSession(u32),
    PerPeriod { max: u32, period: Millis },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub group: Option<usize>,
    pub axis: Axis,
    pub when: Condition,
    pub points: f64,
    pub frequency: Frequency,
    pub cap: Option<f64>,
    pub half_life: Option<Millis>,
    pub window: Option<Millis>,
    /// A trait rule that rules the visitor out while it holds (a competitor, a student).
    pub disqualifies: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub cap: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfig {
    pub inactivity: Millis,
    pub max_length: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerOption {
    pub values: Vec<String>,
    pub points: f64,
    /// An answer that rules the visitor out (no budget, no timeline, a student): it does not
    /// count as coverage, and a stage can require that there is none.
    pub disqualifies: bool,
}

/// A qualification slot (budget, authority …): filled by a chat answer, a trait or an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub id: String,
    pub question: String,
    pub weight: f64,
    pub axis: Axis,
    pub shareable: bool,
    pub options: Vec<AnswerOption>,
    pub filled_by: Vec<Condition>,
}

impl Slot {
    /// The answer option a value matches (case-insensitively), if any.
    pub fn option_for(&self, value: &Scalar) -> Option<&AnswerOption> {
        let text = value.text();
        self.options
            .iter()
            .find(|o| o.values.iter().any(|v| text_eq(v, &text)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub id: String,
    /// Indices into [`Model::slots`].
    pub slots: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bots {
    /// Lower-case substrings of user agents that mark a bot.
    pub user_agents: Vec<String>,
    /// More page views than this within one minute marks a bot.
    pub max_pages_per_minute: Option<u32>,
}

/// The validated model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub session: SessionConfig,
    pub rules: Vec<Rule>,
    pub groups: Vec<Group>,
    pub fit_cap: Option<f64>,
    pub engagement_cap: Option<f64>,
    pub fit_grades: Vec<Band>,
    pub engagement_grades: Vec<Band>,
    /// Scores at which the status becomes warm and hot.
    pub warm: f64,
    pub hot: f64,
    /// Traits any of which make a visitor a known lead.
    pub lead_traits: Vec<String>,
    pub mql: Threshold,
    pub sql: Threshold,
    pub handoff: Vec<Stage>,
    pub slots: Vec<Slot>,
    pub frameworks: Vec<Framework>,
    pub bots: Bots,
    /// Shared with every snapshot that shows them.
    pub actions: SortedMap<Stage, Arc<SortedMap<String, String>>>,
    pub summary_traits: Vec<String>,
    pub summary_reasons: usize,
    /// 16 hex chars: FNV-1a 64 of the canonical JSON (sorted keys, no spaces).
    pub hash: String,
}

/// An invalid model: every problem, each with its JSON path.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError(pub Vec<Problem>);

impl ModelError {
    /// `invalid model (2 problems):` and one indented line per problem.
    pub fn describe(&self) -> String {
        let count = self.0.len();
        let plural = if count == 1 { "" } else { "s" };
        let mut text = format!("invalid model ({count} problem{plural}):");
        for problem in &self.0 {
            text.push_str("\n  ");
            text.push_str(&problem.describe());
        }
        text
    }
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for ModelError {}

impl Model {
    /// Reads and validates a model from JSON text.
    pub fn from_json_text(text: &str) -> Result<Model, ModelError> {
        let value = json::Value::from_text(text).map_err(|e| {
            ModelError(vec![Problem {
                path: String::new(),
                kind: json::ProblemKind::Type,
                message: format!("not valid JSON: {e}"),
            }])
        })?;
        Model::from_value(&value)
    }

    /// Reads and validates a model from a JSON value.
    pub fn from_value(value: &json::Value) -> Result<Model, ModelError> {
        read::model(value)
    }

    /// The built-in B2B-SaaS model, from its compiled form.
    pub fn builtin() -> Model {
        // NOTE: `tests/core/model_compiled.rs` proves the embedded model decodes and equals the
        // JSON one; should that ever regress, fall back to an empty-but-valid model rather
        // than panic in a host page.
        compiled::decode(BUILTIN_COMPILED).unwrap_or_else(|_| Model::empty())
    }

    fn empty() -> Model {
        Model {
            name: "empty".into(),
            session: SessionConfig {
                inactivity: 30 * crate::core::time::MINUTE,
                max_length: crate::core::time::DAY,
            },
            rules: Vec::new(),
            groups: Vec::new(),
            fit_cap: None,
            engagement_cap: None,
            fit_grades: vec![Band {
                min: None,
                label: "C".into(),
            }],
            engagement_grades: vec![Band {
                min: None,
                label: "3".into(),
            }],
            warm: 1.0,
            hot: 2.0,
            lead_traits: vec!["email".into()],
            mql: Threshold::unreachable(),
            sql: Threshold::unreachable(),
            handoff: vec![Stage::Sql],
            slots: Vec::new(),
            frameworks: Vec::new(),
            bots: Bots {
                user_agents: Vec::new(),
                max_pages_per_minute: None,
            },
            actions: SortedMap::new(),
            summary_traits: Vec::new(),
            summary_reasons: 5,
            hash: "0000000000000000".into(),
        }
    }

    pub fn slot_index(&self, id: &str) -> Option<usize> {
        self.slots.iter().position(|s| s.id == id)
    }
}
