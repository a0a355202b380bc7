//! The qualified-lead summary: the only thing that ever leaves the device.
mod handoff;
mod options;
pub mod received;
pub mod shadow;
pub mod trust;

use serde::{Deserialize, Serialize};

use crate::core::engine::frameworks::{Coverage, Disqualifier};
use crate::core::engine::score::{Reason, Totals};
use crate::core::engine::state::{Touch, VisitorState};
use crate::core::event::{truncate, Scalar};
use crate::core::model::Model;
use crate::core::snapshot;
use crate::core::sorted_map::SortedMap;
use crate::core::text;
use crate::core::time::{format_iso, Millis};

pub use handoff::{held, is_due, mark, revision, summary_id};
pub use options::{Runtime, Shadow, SummaryOptions};

/// Hard cap on a serialized summary (DESIGN.md: ≤ 4 KB).
pub const MAX_BYTES: usize = 4096;
const MAX_TRAIT_TEXT: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TouchOut {
    pub referrer: Option<String>,
    pub utm: SortedMap<String, String>,
}

/// Always both when built here; a received summary may have `null` for either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    pub first: Option<TouchOut>,
    pub last: Option<TouchOut>,
}

/// Written as JSON with camelCase keys, in this order (docs/contracts.md). One type for both
/// ends: the engine builds and serialises it; a collector reads it back strictly (unknown
/// fields are errors) and holds it to the contract's bounds (`received.rs`) and, when it knows
/// the model, to the engine's own rules (`consistency.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Summary {
    pub version: u32,
    /// Idempotency key of this revision.
    pub id: String,
    /// 1 for the first hand-off of the visitor, then one more per material change.
    pub revision: u32,
    pub visitor: String,
    pub model: String,
    pub stage: String,
    /// How the stage was entered: `score`, or a route's id (`hand_raise`).
    pub route: String,
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub grade: String,
    pub reasons: Vec<Reason>,
    pub frameworks: SortedMap<String, Coverage>,
    pub disqualifiers: Vec<Disqualifier>,
    pub slots: SortedMap<String, Scalar>,
    pub traits: SortedMap<String, Scalar>,
    /// Questions the visitor typed for sales (the latest first).
    pub questions: Vec<String>,
    pub first_seen: String,
    pub qualified_at: String,
    pub sessions: u32,
    pub engaged_seconds: u64,
    pub source: Sources,
    pub runtime: String,
    /// A challenger model's score and stage for the same visitor, when one runs in shadow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow: Option<Shadow>,
}

/// A value as a summary shows it: printable text, cut to [`MAX_TRAIT_TEXT`] bytes.
fn shown(value: &Scalar) -> Scalar {
    match value {
        Scalar::Text(t) => Scalar::Text(truncate(text::printable(t), MAX_TRAIT_TEXT)),
        other => other.clone(),
    }
}

fn touch_out(touch: Option<&Touch>) -> TouchOut {
    let touch = touch.cloned().unwrap_or_default();
    TouchOut {
        referrer: touch.referrer,
        utm: touch.utm.into_iter().collect(),
    }
}

pub fn build(
    model: &Model,
    state: &VisitorState,
    now: Millis,
    options: SummaryOptions,
) -> Option<Summary> {
    let snap = snapshot::build(model, state, now);
    let totals = Totals {
        fit: snap.fit,
        engagement: snap.engagement,
    };
    let (stage, entered_at) = held(model, state, totals, now)?;
    let revision = revision(model, state, totals, now);
    let slots = model
        .slots
        .iter()
        .filter(|s| s.shareable)
        .filter_map(|s| {
            state
                .slot_fill(&s.id)
                .map(|f| (s.id.clone(), shown(&f.value)))
        })
        .collect();
    let traits = model
        .summary_traits
        .iter()
        .filter(|name| options.include_email || name.as_str() != "email")
        .filter_map(|name| Some((name.clone(), shown(state.trait_value(name)?))))
        .collect();
    let mut summary = Summary {
        version: 1,
        id: summary_id(&state.visitor, &model.hash, revision),
        revision,
        visitor: state.visitor.clone(),
        model: model.hash.clone(),
        stage: stage.name().to_string(),
        route: snap.route.unwrap_or_default(),
        score: snap.score,
        fit: snap.fit,
        engagement: snap.engagement,
        grade: snap.grade,
        reasons: snap
            .reasons
            .into_iter()
            .take(model.summary_reasons)
            .collect(),
        frameworks: (*snap.frameworks).clone(),
        disqualifiers: (*snap.disqualifiers).clone(),
        slots,
        traits,
        questions: state.questions.iter().rev().cloned().collect(),
        first_seen: format_iso(state.first_seen.unwrap_or(entered_at)),
        qualified_at: format_iso(entered_at),
        sessions: state.sessions,
        engaged_seconds: snap.engaged_seconds,
        source: Sources {
            first: Some(touch_out(state.first_touch.as_ref())),
            last: Some(touch_out(state.last_touch.as_ref())),
        },
        runtime: options.runtime.name().to_string(),
        shadow: options.shadow,
    };
    fit_to_size(&mut summary);
    Some(summary)
}

/// Drops the least important detail until the JSON fits [`MAX_BYTES`]. Bounded models keep
/// summaries far below the cap; this guards odd ones (dozens of long slot ids).
fn fit_to_size(summary: &mut Summary) {
    let size = |s: &Summary| s.to_json().len();
    while size(summary) > MAX_BYTES {
        if summary
            .frameworks
            .values()
            .any(|c| !c.filled.is_empty() || !c.missing.is_empty())
        {
            for coverage in summary.frameworks.values_mut() {
                coverage.filled.clear();
                coverage.missing.clear();
            }
        } else if summary.questions.pop().is_some()
            || summary.traits.pop_last().is_some()
            || summary.slots.pop_last().is_some()
        {
        } else if summary.reasons.pop().is_none() && summary.frameworks.pop_last().is_none() {
            break;
        }
    }
}

impl Summary {
    /// The exact JSON text to queue, send and sign (byte for byte on every attempt).
    pub fn to_json(&self) -> String {
        // NOTE: plain structs of strings and numbers always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}
