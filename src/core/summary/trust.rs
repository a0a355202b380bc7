//! How far a received summary can be believed. A browser's summary is advisory (a visitor can
//! forge one); the edge's is signed. Either way the collector re-checks what it can: the
//! arithmetic, and — when it knows the model the summary names — grades, rule caps, stages and
//! framework coverage. A summary that fails is stored as `rejected`, never shown or pushed as
//! a real lead; an unsigned one naming a model the collector was not given is `unchecked`:
//! stored and listed for review, never pushed (only what the collector can check reaches
//! sales), unless the deployment opts in (`--push-unknown-models`).
//!
//! Every check here is an engine rule (grades, caps, stage exits, routes, coverage), so it
//! lives in the core beside the code that applies it; the collector calls [`assess`] for each
//! summary, and [`first_revision`] and [`supersedes`] for where it stands among its lead's.
use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::core::engine::frameworks::percent;
use crate::core::model::{Axis, Frequency, Model, Stage, SCORE_ROUTE};
use crate::core::snapshot;

use super::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    /// Signed by the edge, and consistent.
    Verified,
    /// Consistent with its model, but from a browser.
    Unverified,
    /// From a browser, for a model the collector does not know: only the arithmetic could be
    /// checked. Held for review, never pushed.
    Unchecked,
    /// Impossible: kept for the record, never shown as a lead or pushed to sales.
    Rejected,
}

impl Trust {
    pub fn name(self) -> &'static str {
        match self {
            Trust::Verified => "verified",
            Trust::Unverified => "unverified",
            Trust::Unchecked => "unchecked",
            Trust::Rejected => "rejected",
        }
    }

    pub fn from_name(name: &str) -> Trust {
        match name {
            "verified" => Trust::Verified,
            "unverified" => Trust::Unverified,
            "unchecked" => Trust::Unchecked,
            _ => Trust::Rejected,
        }
    }

    /// How far it can be believed: a revision of a lead never replaces one believed more.
    pub fn rank(self) -> u8 {
        match self {
            Trust::Verified => 3,
            Trust::Unverified => 2,
            Trust::Unchecked => 1,
            Trust::Rejected => 0,
        }
    }

    /// Whether sales may hear of it (webhooks, Slack, an owner).
    pub fn pushable(self) -> bool {
        matches!(self, Trust::Verified | Trust::Unverified)
    }
}

/// The models the collector knows, by content hash.
#[derive(Default)]
pub struct Models(HashMap<String, Arc<Model>>);

impl Models {
    pub fn new(models: impl IntoIterator<Item = Arc<Model>>) -> Models {
        Models(models.into_iter().map(|m| (m.hash.clone(), m)).collect())
    }

    pub fn get(&self, hash: &str) -> Option<&Model> {
        self.0.get(hash).map(|m| m.as_ref())
    }
}

/// The trust of a summary, and why when it is not verified. `push_unknown` is the
/// deployment's opt-in to treat unsigned summaries of unknown models as browser summaries.
pub fn assess(
    summary: &Summary,
    models: &Models,
    signed: bool,
    push_unknown: bool,
) -> (Trust, Option<String>) {
    if let Err(why) = consistent(summary, models.get(&summary.model)) {
        return (Trust::Rejected, Some(why));
    }
    match (signed, models.get(&summary.model)) {
        (true, _) => (Trust::Verified, None),
        (false, Some(_)) => (
            Trust::Unverified,
            Some("from a browser: consistent, but not signed".into()),
        ),
        (false, None) if push_unknown => (
            Trust::Unverified,
            Some(format!(
                "model {} is not known to the collector (--model): only the arithmetic was checked",
                summary.model
            )),
        ),
        (false, None) => (
            Trust::Unchecked,
            Some(format!(
                "model {} is not known to the collector: only the arithmetic was checked, so it is \
                 held for review and not pushed (give the model with --model)",
                summary.model
            )),
        ),
    }
}

/// How far a lead's revision number may move in one step. The engine counts revisions one by
/// one; a few may go missing on the way (a full queue, a final refusal), never dozens. A
/// revision further ahead is kept in the history but does not become the lead's latest, so a
/// forged revision 4294967295 cannot freeze a lead against its real later revisions.
pub const MAX_REVISION_STEP: u32 = 32;

/// Whether a revision becomes the lead's latest (what the API shows and sales acts on), over
/// the lead's current summary (none: a lead from a request alone).
pub fn supersedes(current: Option<(u32, Trust, &str)>, next: (u32, Trust, &str)) -> bool {
    let (new_revision, new_trust, new_stage) = next;
    if new_trust == Trust::Rejected {
        return false;
    }
    let Some((revision, trust, stage)) = current else {
        return true;
    };
    // NOTE: the engine's stage only goes forward, so an MQL revision after an SQL one comes from
    // rolled-back state (a replayed cookie) or a forgery: kept in the history, never the latest.
    if stage == "sql" && new_stage != "sql" {
        return false;
    }
    // A lead whose latest was impossible takes any believable revision.
    if trust == Trust::Rejected {
        return true;
    }
    new_trust.rank() >= trust.rank()
        && new_revision > revision
        && new_revision - revision <= MAX_REVISION_STEP
}

/// Whether a lead's first revision is believable: the engine counts revisions from 1, and a
/// few may be lost on the way, never dozens.
pub fn first_revision(revision: u32) -> Result<(), String> {
    match revision <= MAX_REVISION_STEP {
        true => Ok(()),
        false => Err(format!(
            "a lead's first revision is at most {MAX_REVISION_STEP}, not {revision}"
        )),
    }
}

fn consistent(s: &Summary, model: Option<&Model>) -> Result<(), String> {
    if s.fit.checked_add(s.engagement) != Some(s.score) {
        return Err(format!(
            "score {} is not fit {} + engagement {}",
            s.score, s.fit, s.engagement
        ));
    }
    if s.reasons
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.points < b.points))
    {
        return Err("reasons are not listed largest first".into());
    }
    let Some(model) = model else {
        return Ok(());
    };
    let listed: i64 = s.reasons.iter().map(|r| r.points).sum();
    if s.reasons.len() < model.summary_reasons && listed != s.score {
        return Err(format!(
            "all {} reasons are listed, but they sum to {listed}, not to the score {}",
            s.reasons.len(),
            s.score
        ));
    }
    let grade = snapshot::grade(model, s.fit, s.engagement);
    if s.grade != grade {
        return Err(format!(
            "grade {} does not follow from the scores ({grade})",
            s.grade
        ));
    }
    for (axis, value, cap) in [
        (Axis::Fit, s.fit, model.fit_cap),
        (Axis::Engagement, s.engagement, model.engagement_cap),
    ] {
        if cap.is_some_and(|cap| value as f64 > cap + 1.0) {
            return Err(format!("{axis:?} {value} is above the model's cap"));
        }
    }
    for reason in &s.reasons {
        let limit = reason_limit(model, &reason.rule)
            .ok_or_else(|| format!("reason '{}' is not a rule of the model", reason.rule))?;
        if reason.points.unsigned_abs() as f64 > limit + 1.0 {
            return Err(format!(
                "reason '{}' has {} points, more than the model allows",
                reason.rule, reason.points
            ));
        }
    }
    let stage = Stage::from_name(&s.stage).ok_or("unknown stage")?;
    let threshold = if stage == Stage::Sql {
        &model.sql
    } else {
        &model.mql
    };
    if s.route == SCORE_ROUTE {
        if (s.score as f64) < threshold.exit {
            return Err(format!(
                "stage {} by score, but the score {} is below its exit {}",
                s.stage, s.score, threshold.exit
            ));
        }
    } else if !threshold.routes.iter().any(|r| r.id == s.route) {
        return Err(format!("stage {} has no route '{}'", s.stage, s.route));
    }
    for (name, coverage) in s.frameworks.iter() {
        let framework = model
            .frameworks
            .iter()
            .find(|f| &f.id == name)
            .ok_or_else(|| format!("framework '{name}' is not in the model"))?;
        let total = framework.slots.len();
        let expected = percent(coverage.filled.len(), total);
        let listed = !coverage.filled.is_empty() || !coverage.missing.is_empty();
        if listed && coverage.coverage != expected {
            return Err(format!(
                "framework {name}: {}% but {} of {total} slots filled",
                coverage.coverage,
                coverage.filled.len()
            ));
        }
    }
    for key in s.slots.keys() {
        if !model
            .slots
            .iter()
            .any(|slot| &slot.id == key && slot.shareable)
        {
            return Err(format!("slot '{key}' is not shared by the model"));
        }
    }
    for key in s.traits.keys() {
        if !model.summary_traits.contains(key) {
            return Err(format!("trait '{key}' is not shared by the model"));
        }
    }
    Ok(())
}

/// The most points a reason can carry: a rule's cap, its points if it counts once, an
/// answer's points; else the axis cap; `None` for a reason the model has no rule for.
fn reason_limit(model: &Model, name: &str) -> Option<f64> {
    if let Some(slot) = name.strip_prefix("slot.") {
        let slot = model.slots.iter().find(|s| s.id == slot)?;
        return Some(
            slot.options
                .iter()
                .map(|o| o.points.abs())
                .fold(0.0, f64::max),
        );
    }
    let rule = model.rules.iter().find(|r| r.id == name)?;
    let axis_cap = match rule.axis {
        Axis::Fit => model.fit_cap,
        Axis::Engagement => model.engagement_cap,
    };
    let once = matches!(rule.frequency, Frequency::Once) || rule.when.holds_over_time();
    Some(if once {
        rule.points.abs()
    } else {
        rule.cap.or(axis_cap).unwrap_or(f64::MAX)
    })
}
