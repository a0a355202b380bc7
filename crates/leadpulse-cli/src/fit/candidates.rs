//! The rules a fit learns points for: the base model's own rules, and rules proposed from
//! the training leads (docs/learning.md, "Proposed rules"): banded steps for numeric signals
//! (sessions, engaged time, page views, numeric traits) — bands need not be monotone, since
//! each step gets its own points — and one rule per category value with enough support.
use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::bands::{number, one_digit, steps, two_digits, whole};
use super::signals::Signals;

/// The most rules a model may have (the engine's bound).
pub const MAX_RULES: usize = 128;
/// `repeat.count` is at most this (the engine's bound): page-view steps stop there.
const MAX_REPEAT: f64 = 16.0;
/// Most values of one category trait (or source field) proposed (by support).
const MAX_VALUES: usize = 32;
/// Most text values of one event property proposed (by support).
const MAX_PROPERTY_VALUES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Fit,
    Engagement,
}

#[derive(Debug, Clone)]
pub enum Origin {
    /// A rule of the base model: its points, its cap in hits (cap / |points|), and whether a
    /// stage route names it (then it is kept even at 0 points).
    Base {
        points: f64,
        cap_hits: Option<f64>,
        referenced: bool,
    },
    /// A step of a numeric signal: fires once the signal reaches `at`.
    Step { signal: String, at: f64 },
    /// A category value, or the trait being known at all.
    Category,
    /// Something done at least once (a page section, a named event).
    Flag,
    /// Two rules at once (`pairs.rs`).
    Pair,
    /// An answer to a slot (`answers.rs`): an option of the base (its index), or a new one.
    Answer {
        slot: String,
        option: Option<usize>,
        values: Vec<String>,
    },
}

impl Candidate {
    /// A rule of the model (else an answer option, learned into the slots).
    pub fn is_rule(&self) -> bool {
        !matches!(self.origin, Origin::Answer { .. })
    }
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub description: String,
    /// The rule's document without `id`, `description`, `points`, `cap` and `group`.
    pub rule: Map<String, Value>,
    pub axis: Axis,
    pub origin: Origin,
}

pub struct Settings {
    pub min_support: usize,
    pub bands: usize,
}

/// A rule id from free text: lower-case letters, digits and `_`, at most 64 bytes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_');
    let mut out: String = out.chars().take(56).collect();
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// The base model's rules as candidates; route-named rules are marked.
pub fn from_base(base: &Value) -> Vec<Candidate> {
    let referenced: HashSet<&str> = ["mql", "sql"]
        .iter()
        .filter_map(|s| base.pointer(&format!("/stages/{s}/routes"))?.as_array())
        .flatten()
        .filter_map(|route| route.get("rules")?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let Some(rules) = base.get("rules").and_then(Value::as_array) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|rule| {
            let object = rule.as_object()?;
            let id = object.get("id")?.as_str()?.to_string();
            let points = object.get("points")?.as_f64()?;
            let cap_hits = object
                .get("cap")
                .and_then(Value::as_f64)
                .map(|cap| cap / points.abs());
            let when = object.get("when")?;
            // NOTE: the engine's default (docs/model.md): fit for a trait, and for a
            // combination whose first part is a trait.
            let first = when
                .get("all")
                .and_then(|parts| parts.get(0))
                .unwrap_or(when);
            let is_trait = first.get("trait").is_some();
            let axis = match object.get("axis").and_then(Value::as_str) {
                Some("fit") => Axis::Fit,
                Some("engagement") => Axis::Engagement,
                _ if is_trait => Axis::Fit,
                _ => Axis::Engagement,
            };
            let mut rule = object.clone();
            for key in ["id", "description", "points", "cap", "group"] {
                rule.remove(key);
            }
            let description = object
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let origin = Origin::Base {
                points,
                cap_hits,
                referenced: referenced.contains(id.as_str()),
            };
            Some(Candidate {
                id,
                description,
                rule,
                axis,
                origin,
            })
        })
        .collect()
}

fn rule(when: Value, once: bool) -> Map<String, Value> {
    let mut rule = Map::new();
    rule.insert("when".into(), when);
    if once {
        rule.insert("frequency".into(), json!("once"));
    }
    rule
}

/// The values with enough support, most common first (ties by value), at most `max`.
fn by_support<'a>(
    values: &'a super::signals::Values,
    supported: &dyn Fn(usize) -> bool,
    max: usize,
) -> Vec<&'a (String, usize)> {
    let mut out: Vec<&(String, usize)> = values.values().filter(|(_, c)| supported(*c)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(max);
    out
}

/// Proposed rules from the training leads, after the base rules (a proposal whose condition
/// a base rule has already is left out). Over [`MAX_RULES`] in all, the last are dropped
/// (and a warning says how many).
pub fn propose(
    signals: &Signals,
    base: &[Candidate],
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Vec<Candidate> {
    let mut p = Proposals {
        signals,
        settings,
        out: Vec::new(),
    };
    p.traits(warnings);
    p.visits();
    p.pages_and_events();
    p.event_properties();
    p.sources();
    let mut out = p.out;
    let known: Vec<&Value> = base.iter().filter_map(|c| c.rule.get("when")).collect();
    out.retain(|c| c.rule.get("when").is_none_or(|w| !known.contains(&w)));
    let mut ids: HashSet<String> = base.iter().map(|c| c.id.clone()).collect();
    for c in &mut out {
        let stem = c.id.clone();
        let mut k = 2;
        while !ids.insert(c.id.clone()) {
            c.id = format!("{stem}_{k}");
            k += 1;
        }
    }
    let room = MAX_RULES.saturating_sub(base.len());
    if out.len() > room {
        warnings.push(format!(
            "{} proposed rules left out: a model has at most {MAX_RULES} rules",
            out.len() - room
        ));
        out.truncate(room);
    }
    out
}

/// Enough training leads have it, and enough have not.
fn supported(signals: &Signals, settings: &Settings, count: usize) -> bool {
    let n = signals.leads;
    count >= settings.min_support && n - count.min(n) >= settings.min_support
}

/// The proposals so far, one family of signals at a time.
struct Proposals<'a> {
    signals: &'a Signals,
    settings: &'a Settings,
    out: Vec<Candidate>,
}

impl Proposals<'_> {
    fn push(
        &mut self,
        id: String,
        description: String,
        rule: Map<String, Value>,
        axis: Axis,
        origin: Origin,
    ) {
        self.out.push(Candidate {
            id,
            description,
            rule,
            axis,
            origin,
        })
    }

    /// Enough training leads have it, and enough have not.
    fn supported(&self, count: usize) -> bool {
        supported(self.signals, self.settings, count)
    }

    /// Traits: a category's common values (and "known"), a number's steps.
    fn traits(&mut self, warnings: &mut Vec<String>) {
        let (signals, n) = (self.signals, self.signals.leads);
        for (name, values) in &signals.categories {
            let present = signals.present.get(name).copied().unwrap_or(0);
            let mut by_support = by_support(values, &|c| self.supported(c), MAX_VALUES);
            let covered: usize = by_support.iter().map(|(_, c)| c).sum();
            // NOTE: "known" only where some leads have a value without a rule of its own (else
            // it is the sum of the value rules); when the values cover every lead, the most
            // common one is the reference at 0 points (else they are the intercept again).
            if self.supported(present) && covered < present {
                let when = json!({"trait": name, "exists": true});
                let id = format!("{}_known", slug(name));
                let description = format!("{name} is known");
                self.push(
                    id,
                    description,
                    rule(when, false),
                    Axis::Fit,
                    Origin::Category,
                );
            }
            if covered >= n && !by_support.is_empty() {
                let (reference, _) = by_support.remove(0);
                warnings.push(format!(
                    "{name} '{reference}' is the reference value: 0 points, the others relative to it"
                ));
            }
            for (value, _) in by_support {
                let when = json!({"trait": name, "oneOf": [value]});
                let id = format!("{}_{}", slug(name), slug(value));
                let description = format!("{name} is '{value}'");
                self.push(
                    id,
                    description,
                    rule(when, false),
                    Axis::Fit,
                    Origin::Category,
                );
            }
        }
        for (name, values) in &signals.numbers {
            for at in steps(values, self.settings, two_digits) {
                let when = json!({"trait": name, "range": {"min": number(at)}});
                let origin = Origin::Step {
                    signal: name.clone(),
                    at,
                };
                let id = format!("{}_{}_plus", slug(name), slug(&at.to_string()));
                self.push(
                    id,
                    format!("{name} ≥ {at}"),
                    rule(when, false),
                    Axis::Fit,
                    origin,
                );
            }
        }
    }

    /// Steps in sessions, engaged time and page views.
    fn visits(&mut self) {
        let (signals, settings) = (self.signals, self.settings);
        let step = |signal: &str, at: f64| Origin::Step {
            signal: signal.into(),
            at,
        };
        for at in steps(&signals.sessions, settings, whole) {
            let when = json!({"session": number(at)});
            let description = format!("{at} or more sessions (visits)");
            let id = format!("sessions_{at}_plus");
            let origin = step("sessions", at);
            self.push(id, description, rule(when, true), Axis::Engagement, origin);
        }
        for at in steps(&signals.engaged, settings, two_digits) {
            let when = json!({"engagedSeconds": number(at), "per": "visitor"});
            let id = format!("engaged_{}s_plus", slug(&at.to_string()));
            let description = format!("{at} s or more of engaged time in all");
            let origin = step("engaged seconds", at);
            self.push(id, description, rule(when, false), Axis::Engagement, origin);
        }
        for at in steps(&signals.pages, settings, whole)
            .into_iter()
            .filter(|&t| t <= MAX_REPEAT)
        {
            let when = if at <= 1.0 {
                json!({"page": "/**"})
            } else {
                json!({"page": "/**", "repeat": {"count": number(at), "withinDays": 3650}})
            };
            let description = format!("{at} or more page views");
            let origin = step("page views", at);
            self.push(
                format!("pages_{at}_plus"),
                description,
                rule(when, true),
                Axis::Engagement,
                origin,
            );
        }
    }

    /// A section of the site viewed (when there is more than one), an event done.
    fn pages_and_events(&mut self) {
        let (signals, settings) = (self.signals, self.settings);
        let supported = |count: &usize| supported(signals, settings, *count);
        if signals.sections.len() > 1 {
            for (section, _) in signals.sections.iter().filter(|(_, c)| supported(c)) {
                let glob = if section == "/" {
                    "/".to_string()
                } else {
                    format!("{section}**")
                };
                let id = format!(
                    "page_{}",
                    slug(if section == "/" { "home" } else { section })
                );
                let when = json!({"page": glob});
                self.push(
                    id,
                    format!("Viewed {glob}"),
                    rule(when, true),
                    Axis::Engagement,
                    Origin::Flag,
                );
            }
        }
        for (name, _) in signals.events.iter().filter(|(_, c)| supported(c)) {
            let id = format!("event_{}", slug(name));
            let when = json!({"event": name});
            self.push(
                id,
                format!("Did '{name}'"),
                rule(when, true),
                Axis::Engagement,
                Origin::Flag,
            );
        }
    }

    /// An event's numeric property in steps, its text property's common values.
    fn event_properties(&mut self) {
        let (signals, settings) = (self.signals, self.settings);
        for ((event, key), present) in &signals.properties.numbers {
            // NOTE: the steps are quantiles of the leads that have the property (most leads
            // never send a given event: over all of them, the quantiles would be 0); leads
            // without it are the band at zero, the event's own rule the step into the lowest.
            for at in steps(present, settings, one_digit) {
                let test = json!({"range": {"min": number(at)}});
                let when = json!({"event": event, "properties": {key: test}});
                let origin = Origin::Step {
                    signal: format!("{event} {key}"),
                    at,
                };
                let id = format!(
                    "{}_{}_{}_plus",
                    slug(event),
                    slug(key),
                    slug(&at.to_string())
                );
                let description = format!("'{event}' with {key} ≥ {at}");
                self.push(id, description, rule(when, true), Axis::Engagement, origin);
            }
        }
        for ((event, key), values) in &signals.properties.texts {
            for (value, _) in by_support(values, &|c| self.supported(c), MAX_PROPERTY_VALUES) {
                let when = json!({"event": event, "properties": {key: {"oneOf": [value]}}});
                let id = format!("{}_{}_{}", slug(event), slug(key), slug(value));
                let description = format!("'{event}' with {key} '{value}'");
                self.push(
                    id,
                    description,
                    rule(when, true),
                    Axis::Engagement,
                    Origin::Flag,
                );
            }
        }
    }

    /// The first visit's source (UTM fields, referrer): its common values.
    fn sources(&mut self) {
        let (signals, n) = (self.signals, self.signals.leads);
        for (field, values) in &signals.sources {
            let mut values = by_support(values, &|c| self.supported(c), MAX_VALUES);
            // NOTE: as for traits, a value every lead has is the reference (the intercept).
            if values.iter().map(|(_, c)| c).sum::<usize>() >= n && !values.is_empty() {
                values.remove(0);
            }
            for (value, _) in values {
                let when = json!({"source": field, "oneOf": [value]});
                let id = format!("source_{}_{}", slug(field), slug(value));
                let description = format!("first visit's {field} is '{value}'");
                self.push(
                    id,
                    description,
                    rule(when, false),
                    Axis::Engagement,
                    Origin::Category,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_ids() {
        assert_eq!(slug("Lead Add Form"), "lead_add_form");
        assert_eq!(
            slug("Banking, Investment And Insurance"),
            "banking_investment_and_insurance"
        );
    }
}
