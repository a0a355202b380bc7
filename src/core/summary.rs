//! The qualified-lead summary: the only thing that ever leaves the device.
use serde::Serialize;

use crate::core::engine::frameworks::Coverage;
use crate::core::engine::score::{Reason, Totals};
use crate::core::engine::stages;
use crate::core::engine::state::{Handoff, Touch, VisitorState};
use crate::core::event::{truncate, Scalar};
use crate::core::json::{Obj, Problem, Problems, Value};
use crate::core::model::{fnv1a64, hex16, Model, Stage};
use crate::core::snapshot;
use crate::core::sorted_map::SortedMap;
use crate::core::time::{format_iso, Millis};

/// Hard cap on a serialized summary (DESIGN.md: ≤ 4 KB).
pub const MAX_BYTES: usize = 4096;
const MAX_TRAIT_TEXT: usize = 200;

/// Where the summary was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runtime {
    #[default]
    Browser,
    Edge,
    Native,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Browser => "browser",
            Runtime::Edge => "edge",
            Runtime::Native => "native",
        }
    }
    pub fn from_name(name: &str) -> Option<Runtime> {
        [Runtime::Browser, Runtime::Edge, Runtime::Native]
            .into_iter()
            .find(|r| r.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SummaryOptions {
    pub runtime: Runtime,
    /// E-mail leaves the device only with consent.
    pub include_email: bool,
}

impl SummaryOptions {
    /// Reads `{ runtime?, includeEmail? }` (other keys are ignored).
    pub fn from_value(value: &Value) -> Result<SummaryOptions, Problem> {
        let mut problems = Problems::default();
        let mut options = SummaryOptions::default();
        if let Some(obj) = Obj::open(value, "options", None, &mut problems) {
            if let Some(name) = obj.opt::<String>("runtime", &mut problems) {
                match Runtime::from_name(&name) {
                    Some(runtime) => options.runtime = runtime,
                    None => {
                        problems.range("options.runtime", "expected 'browser', 'edge' or 'native'")
                    }
                }
            }
            if let Some(include) = obj.opt::<bool>("includeEmail", &mut problems) {
                options.include_email = include;
            }
        }
        match problems.0.into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(options),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchOut {
    pub referrer: Option<String>,
    pub utm: SortedMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sources {
    pub first: TouchOut,
    pub last: TouchOut,
}

/// Written as JSON with camelCase keys, in this order (docs/contracts.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub version: u32,
    pub id: String,
    pub visitor: String,
    pub model: String,
    pub stage: &'static str,
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub grade: String,
    pub reasons: Vec<Reason>,
    pub frameworks: SortedMap<String, Coverage>,
    pub slots: SortedMap<String, Scalar>,
    pub traits: SortedMap<String, Scalar>,
    pub first_seen: String,
    pub qualified_at: String,
    pub sessions: u32,
    pub engaged_seconds: u64,
    pub source: Sources,
    pub runtime: &'static str,
}

/// The hand-off stage the visitor currently holds, and when it was entered.
pub fn held(model: &Model, state: &VisitorState, totals: Totals) -> Option<(Stage, Millis)> {
    if state.bot.is_some() {
        return None;
    }
    // The highest hand-off stage first.
    let stages = Stage::ALL.into_iter().rev();
    stages
        .filter(|s| model.handoff.contains(s))
        .find_map(|stage| {
            let (level, threshold) = match stage {
                Stage::Sql => (state.sql, &model.sql),
                Stage::Mql => (state.mql, &model.mql),
                Stage::Visitor | Stage::Lead => return None,
            };
            let entered = level
                .entered_at
                .filter(|_| level.active && stages::holds(threshold, &totals))?;
            Some((stage, entered))
        })
}

/// What a summary says that sales would want to hear again when it changes.
fn fingerprint(stage: Stage, entered_at: Millis) -> u64 {
    fnv1a64(format!("{}\n{entered_at}", stage.name()).as_bytes())
}

/// Whether a summary is due: a hand-off stage is held and its fingerprint differs from that
/// of the last summary handed off.
pub fn is_due(model: &Model, state: &VisitorState, totals: Totals) -> bool {
    mark(model, state, totals, 0).is_some()
}

/// The record of handing off the summary that is due, if one is.
pub fn mark(model: &Model, state: &VisitorState, totals: Totals, now: Millis) -> Option<Handoff> {
    let (stage, entered_at) = held(model, state, totals)?;
    let fingerprint = fingerprint(stage, entered_at);
    let last = state.handoff;
    if last.is_some_and(|h| h.fingerprint == fingerprint) {
        return None;
    }
    Some(Handoff {
        revision: last.map_or(1, |h| h.revision.saturating_add(1)),
        fingerprint,
        at: now,
    })
}

/// The deterministic idempotency key of one qualification.
pub fn summary_id(visitor: &str, model_hash: &str, stage: Stage, entered_at: Millis) -> String {
    let key = format!("{visitor}\n{model_hash}\n{}\n{entered_at}", stage.name());
    ["lp_", &hex16(fnv1a64(key.as_bytes()))].concat()
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
    let (stage, entered_at) = held(
        model,
        state,
        Totals {
            fit: snap.fit,
            engagement: snap.engagement,
        },
    )?;
    let slots = model
        .slots
        .iter()
        .filter(|s| s.shareable)
        .filter_map(|s| {
            state
                .slot_fill(&s.id)
                .map(|f| (s.id.clone(), f.value.clone()))
        })
        .collect();
    let traits = model
        .summary_traits
        .iter()
        .filter(|name| options.include_email || name.as_str() != "email")
        .filter_map(|name| {
            let value = match state.trait_value(name)? {
                Scalar::Text(t) => Scalar::Text(truncate(t.clone(), MAX_TRAIT_TEXT)),
                other => other.clone(),
            };
            Some((name.clone(), value))
        })
        .collect();
    let mut summary = Summary {
        version: 1,
        id: summary_id(&state.visitor, &model.hash, stage, entered_at),
        visitor: state.visitor.clone(),
        model: model.hash.clone(),
        stage: stage.name(),
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
        slots,
        traits,
        first_seen: format_iso(state.first_seen.unwrap_or(entered_at)),
        qualified_at: format_iso(entered_at),
        sessions: state.sessions,
        engaged_seconds: snap.engaged_seconds,
        source: Sources {
            first: touch_out(state.first_touch.as_ref()),
            last: touch_out(state.last_touch.as_ref()),
        },
        runtime: options.runtime.name(),
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
        } else if summary.traits.pop_last().is_some() || summary.slots.pop_last().is_some() {
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
