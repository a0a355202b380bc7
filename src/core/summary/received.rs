//! A summary as a collector receives it: the engine's own [`Summary`] type, read strictly
//! (unknown fields are errors) and held to the same limits the engine keeps when it builds one
//! (`tests/core/summary_contract.rs` checks that every summary the engine builds passes). The
//! one definition of what a valid summary is, for the collector and for `leadpulse validate`.

use crate::core::contract::{is_hex, join, problem, read_object, text, when};
use crate::core::event::Scalar;
use crate::core::json::Problem;
use crate::core::time;

use super::{Summary, MAX_BYTES};

/// Bounds of every field (the engine's own limits, with room for other models).
pub mod limits {
    /// `visitor`, in bytes (an event's visitor key).
    pub const VISITOR: usize = crate::core::event::MAX_ID_LEN;
    /// Rule, slot, framework, route ids and trait names, in bytes.
    pub const ID: usize = 128;
    /// A grade (fit letter + engagement digit), in characters.
    pub const GRADE: usize = 16;
    /// A slot, trait or question text, in bytes.
    pub const TEXT: usize = 240;
    /// A referrer host or a UTM value, in bytes.
    pub const SOURCE: usize = 64;
    /// Reasons, frameworks, slots, traits, disqualifiers in one summary (a model has at most
    /// 128 rules and 32 slots).
    pub const ITEMS: usize = 160;
    /// |score|, |fit|, |engagement|, |points|: far above what any model's caps allow.
    pub const POINTS: i64 = 100_000;
    /// Summaries are about visitors from 2000 on, and not from the future.
    pub const FIRST_YEAR_MS: i64 = 946_684_800_000;
}

fn id(value: &str, path: &str) -> Result<(), Problem> {
    text(value, path, limits::ID, false)
}

fn points(value: i64, path: &str) -> Result<(), Problem> {
    // NOTE: `unsigned_abs`: `i64::MIN.abs()` overflows (a panic in debug builds, and in
    // release it stays negative, so the bound let i64::MIN through; found by fuzzing).
    if value.unsigned_abs() > limits::POINTS.unsigned_abs() {
        return Err(problem(
            path,
            format!("out of range (at most ±{})", limits::POINTS),
        ));
    }
    Ok(())
}

fn count(items: usize, path: &str) -> Result<(), Problem> {
    if items > limits::ITEMS {
        return Err(problem(
            path,
            format!("more than {} entries", limits::ITEMS),
        ));
    }
    Ok(())
}

fn scalar(value: &Scalar, path: &str) -> Result<(), Problem> {
    match value {
        Scalar::Text(s) => text(s, path, limits::TEXT, true),
        Scalar::Number(n) if !n.is_finite() => Err(problem(path, "not a finite number")),
        _ => Ok(()),
    }
}

impl Summary {
    /// Reads a summary from its JSON text: the first problem with its path (`reasons[2].points`).
    pub fn from_json(bytes: &[u8]) -> Result<Summary, Problem> {
        read_object(bytes, MAX_BYTES, "a lead summary")
    }

    /// Checks every bound of the contract at `now`; the first problem, with its path.
    pub fn check(&self, now: time::Millis) -> Result<(), Problem> {
        if self.version != 1 {
            return Err(problem("version", "expected 1"));
        }
        if !self.id.strip_prefix("lp_").is_some_and(|h| is_hex(h, 16)) {
            return Err(problem(
                "id",
                "expected lp_ followed by 16 lowercase hex digits",
            ));
        }
        if self.revision == 0 {
            return Err(problem("revision", "revisions count from 1"));
        }
        text(&self.visitor, "visitor", limits::VISITOR, false)?;
        if !is_hex(&self.model, 16) {
            return Err(problem("model", "expected 16 lowercase hex digits"));
        }
        if !matches!(self.stage.as_str(), "mql" | "sql") {
            return Err(problem(
                "stage",
                "expected 'mql' or 'sql' (hand-off stages)",
            ));
        }
        id(&self.route, "route")?;
        points(self.score, "score")?;
        points(self.fit, "fit")?;
        points(self.engagement, "engagement")?;
        text(&self.grade, "grade", limits::GRADE, false)?;
        count(self.reasons.len(), "reasons")?;
        for (i, reason) in self.reasons.iter().enumerate() {
            id(&reason.rule, &format!("reasons[{i}].rule"))?;
            points(reason.points, &format!("reasons[{i}].points"))?;
        }
        count(self.frameworks.len(), "frameworks")?;
        for (name, coverage) in self.frameworks.iter() {
            let at = join("frameworks", name);
            id(name, &at)?;
            if coverage.coverage > 100 {
                return Err(problem(
                    join(&at, "coverage"),
                    "expected an integer percentage 0 to 100",
                ));
            }
            for (list, items) in [("filled", &coverage.filled), ("missing", &coverage.missing)] {
                count(items.len(), &join(&at, list))?;
                for (i, slot) in items.iter().enumerate() {
                    id(slot, &format!("{}[{i}]", join(&at, list)))?;
                }
            }
        }
        count(self.disqualifiers.len(), "disqualifiers")?;
        for (i, d) in self.disqualifiers.iter().enumerate() {
            let at = format!("disqualifiers[{i}]");
            match (&d.slot, &d.value, &d.rule) {
                (Some(slot), value, None) => {
                    id(slot, &join(&at, "slot"))?;
                    if let Some(value) = value {
                        scalar(value, &join(&at, "value"))?;
                    }
                }
                (None, None, Some(rule)) => id(rule, &join(&at, "rule"))?,
                _ => return Err(problem(at, "expected {slot, value} or {rule}")),
            }
        }
        for (field, map) in [("slots", &self.slots), ("traits", &self.traits)] {
            count(map.len(), field)?;
            for (key, value) in map.iter() {
                id(key, &join(field, key))?;
                scalar(value, &join(field, key))?;
            }
        }
        if self.questions.len() > 3 {
            return Err(problem("questions", "more than 3 questions"));
        }
        for (i, question) in self.questions.iter().enumerate() {
            text(question, &format!("questions[{i}]"), limits::TEXT, false)?;
        }
        let first = when(&self.first_seen, "firstSeen", now, limits::FIRST_YEAR_MS)?;
        let qualified = when(
            &self.qualified_at,
            "qualifiedAt",
            now,
            limits::FIRST_YEAR_MS,
        )?;
        if qualified < first {
            return Err(problem("qualifiedAt", "before firstSeen"));
        }
        if self.engaged_seconds > 10 * 365 * 86_400 {
            return Err(problem("engagedSeconds", "more than ten years"));
        }
        for (key, touch) in [("first", &self.source.first), ("last", &self.source.last)] {
            let Some(touch) = touch else { continue };
            let at = join("source", key);
            if let Some(referrer) = &touch.referrer {
                text(referrer, &join(&at, "referrer"), limits::SOURCE, false)?;
            }
            for (name, value) in touch.utm.iter() {
                let path = join(&join(&at, "utm"), name);
                if !matches!(
                    name.as_str(),
                    "source" | "medium" | "campaign" | "term" | "content"
                ) {
                    return Err(problem(path, "not a UTM parameter"));
                }
                text(value, &path, limits::SOURCE, false)?;
            }
        }
        if !matches!(self.runtime.as_str(), "browser" | "edge" | "native") {
            return Err(problem("runtime", "expected one of browser, edge, native"));
        }
        if let Some(shadow) = &self.shadow {
            if !is_hex(&shadow.model, 16) {
                return Err(problem("shadow.model", "expected 16 lowercase hex digits"));
            }
            points(shadow.score, "shadow.score")?;
            if !matches!(shadow.stage.as_str(), "visitor" | "lead" | "mql" | "sql") {
                return Err(problem(
                    "shadow.stage",
                    "expected visitor, lead, mql or sql",
                ));
            }
        }
        Ok(())
    }
}
