//! Applying one event: sessions, bot signals, traits, answers and rule evidence.
//!
//! Cost depends on the rules the model has for the event's kind, never on history length.
use crate::core::event::{truncate, Event, EventError, EventKind, Scalar, MAX_ID_LEN};
use crate::core::glob;
use crate::core::json::{member, Problem, ProblemKind, Value};
use crate::core::model::{fnv1a64, property_matches, Condition, Frequency, Model, Rule};
use crate::core::text;
use crate::core::time::{Millis, MINUTE};

use super::state::{
    Evidence, SlotFill, VisitorState, MAX_HITS, MAX_MATCHES, MAX_MESSAGE_IDS, MAX_QUESTIONS,
    MAX_QUESTION_LEN, MAX_TRAITS,
};
use super::touch;

/// Engaged time stops counting at ten years (what a summary may report).
pub const MAX_ENGAGED_MS: u64 = 10 * 365 * 86_400_000;

/// How far ahead of "now" an event's timestamp may be (clock skew between devices).
pub const MAX_FUTURE: Millis = 10 * MINUTE;

/// What a session remembers between events to skip repeated work (never saved).
#[derive(Debug, Clone, Default)]
pub struct Memo {
    /// The hash of the last user agent found not to be a bot's: the same visitor sends the
    /// same one with every event, and matching it against every pattern is most of an
    /// event's cost in a replay.
    clean_agent: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// `progress`: a slot or a trait changed (coverage and the next question may differ).
    Scored { progress: bool },
    /// The `messageId` was seen before: nothing changed.
    Duplicate,
}

fn reject(path: &str, kind: ProblemKind, message: String) -> EventError {
    Problem {
        path: path.to_string(),
        kind,
        message,
    }
}

/// Checks everything that could reject the event, before anything changes.
pub fn check(
    model: &Model,
    state: &VisitorState,
    event: &Event,
    now: Millis,
) -> Result<(), EventError> {
    if event.time > now.saturating_add(MAX_FUTURE) {
        return Err(reject(
            "timestamp",
            ProblemKind::Range,
            "is more than 10 minutes after now".into(),
        ));
    }
    if !state.visitor.is_empty()
        && event.visitor != state.visitor
        && event.user_id.as_deref() != Some(&state.visitor)
    {
        let message = [
            "belongs to visitor '",
            &event.visitor,
            "', but this session scores '",
            &state.visitor,
            "'",
        ]
        .concat();
        return Err(reject("anonymousId", ProblemKind::Range, message));
    }
    if let EventKind::Answer { slot, .. } = &event.kind {
        if model.slot_index(slot).is_none() {
            let known: Vec<&str> = model.slots.iter().map(|s| s.id.as_str()).collect();
            let message = [
                "unknown slot '",
                slot,
                "'; the model has: ",
                &known.join(", "),
            ]
            .concat();
            return Err(reject("properties.slot", ProblemKind::Range, message));
        }
    }
    Ok(())
}

fn message_key(id: &str) -> u32 {
    fnv1a64(id.as_bytes()) as u32
}

/// Whether the event's `messageId` was seen before (then it must change nothing).
pub fn is_duplicate(state: &VisitorState, event: &Event) -> bool {
    event
        .message_id
        .as_deref()
        .is_some_and(|id| state.message_ids.contains(&message_key(id)))
}

pub fn apply(
    model: &Model,
    state: &mut VisitorState,
    memo: &mut Memo,
    event: &Event,
    now: Millis,
) -> Result<Applied, EventError> {
    check(model, state, event, now)?;
    if is_duplicate(state, event) {
        return Ok(Applied::Duplicate);
    }
    if let Some(id) = &event.message_id {
        push_bounded(&mut state.message_ids, message_key(id), MAX_MESSAGE_IDS);
    }
    if state.visitor.is_empty() {
        state.visitor = event.visitor.clone();
    }
    if let Some(user_id) = &event.user_id {
        state.user_id = Some(user_id.clone());
    }
    let t = event.time;
    let new_session = advance_session(model, state, t);
    detect_bot(model, state, memo, event);
    if new_session {
        if let EventKind::Page {
            referrer, search, ..
        } = &event.kind
        {
            let touch = touch::from_page(referrer.as_deref(), search.as_deref());
            state.first_touch.get_or_insert_with(|| touch.clone());
            state.last_touch = Some(touch);
        }
    }
    let mut progress = match &event.kind {
        EventKind::Identify { traits } => merge_traits(state, traits),
        EventKind::Answer { slot, value } => fill_slot(state, slot, value.clone(), t, true),
        EventKind::Engagement { seconds, .. } => {
            let engaged = state.engaged_ms.saturating_add((seconds * 1000.0) as u64);
            state.engaged_ms = engaged.min(MAX_ENGAGED_MS);
            false
        }
        EventKind::Track { name, properties } if text::eq_ignore_case(name, QUESTION_EVENT) => {
            record_question(state, properties)
        }
        EventKind::Page { .. } | EventKind::Track { .. } => false,
    };
    for (index, rule) in model.rules.iter().enumerate() {
        if let Some(evidence) = state.evidence.get_mut(index) {
            observe(rule, evidence, event, new_session, state.sessions);
        }
    }
    progress |= fill_slots_from_behaviour(model, state, event);
    Ok(Applied::Scored { progress })
}

/// Starts a new session after inactivity or at the length cap; returns whether it did.
fn advance_session(model: &Model, state: &mut VisitorState, t: Millis) -> bool {
    let first = state.first_seen.is_none();
    let expired = t.saturating_sub(state.last_seen) > model.session.inactivity
        || t.saturating_sub(state.session_start) > model.session.max_length;
    // NOTE: a late (out-of-order) event belongs to the current session; it never opens one.
    let new_session = first || (t >= state.last_seen && expired);
    if new_session {
        state.sessions = state.sessions.saturating_add(1);
        state.session_start = t;
    }
    if first {
        state.first_seen = Some(t);
    }
    state.first_seen = state.first_seen.map(|f| f.min(t));
    state.last_seen = state.last_seen.max(t);
    new_session
}

fn detect_bot(model: &Model, state: &mut VisitorState, memo: &mut Memo, event: &Event) {
    if state.bot.is_some() {
        return;
    }
    if event.webdriver {
        state.bot = Some("navigator.webdriver is set".into());
    } else if let Some(ua) = &event.user_agent {
        let key = fnv1a64(ua.as_bytes());
        if memo.clean_agent != Some(key) {
            let ua = text::lower(ua);
            match model
                .bots
                .user_agents
                .iter()
                .find(|p| text::contains(&ua, p))
            {
                Some(pattern) => state.bot = Some(format!("user agent matches '{pattern}'")),
                None => memo.clean_agent = Some(key),
            }
        }
    }
    if let (EventKind::Page { .. }, Some(limit)) = (&event.kind, model.bots.max_pages_per_minute) {
        if event.time.saturating_sub(state.burst_start) >= MINUTE || event.time < state.burst_start
        {
            state.burst_start = event.time;
            state.burst_pages = 0;
        }
        state.burst_pages = state.burst_pages.saturating_add(1);
        if state.burst_pages > limit && state.bot.is_none() {
            state.bot = Some(format!("more than {limit} page views in a minute"));
        }
    }
}

/// A question the visitor typed (in a chat widget) for sales: `track` with this name and
/// `properties.question` (docs/contracts.md). Kept, the latest few, for the summary.
pub const QUESTION_EVENT: &str = "Question Asked";

/// Keeps `properties.question` (printable, trimmed, cut to `MAX_QUESTION_LEN` bytes) as the
/// latest question; returns whether there was one.
fn record_question(state: &mut VisitorState, properties: &[(String, Value)]) -> bool {
    let Some(Value::String(question)) = member(properties, "question") else {
        return false;
    };
    let question = truncate(
        text::printable(question).trim().to_string(),
        MAX_QUESTION_LEN,
    );
    if question.is_empty() {
        return false;
    }
    push_bounded(&mut state.questions, question, MAX_QUESTIONS);
    true
}

/// Merges traits; returns whether any changed.
fn merge_traits(state: &mut VisitorState, traits: &[(String, Scalar)]) -> bool {
    let mut changed = false;
    for (name, value) in traits {
        if let Some(existing) = state.traits.iter_mut().find(|(n, _)| n == name) {
            changed |= existing.1 != *value;
            existing.1 = value.clone();
        } else if state.traits.len() < MAX_TRAITS && name.len() <= MAX_ID_LEN {
            state.traits.push((name.clone(), value.clone()));
            changed = true;
        }
    }
    changed
}

/// Records a slot value. A chat answer replaces an earlier value; a behaviour signal only
/// fills an empty slot. Returns whether the slot's value changed.
fn fill_slot(
    state: &mut VisitorState,
    slot: &str,
    value: Scalar,
    at: Millis,
    replace: bool,
) -> bool {
    match state.slots.iter_mut().find(|f| f.slot == slot) {
        Some(fill) if replace => {
            let changed = fill.value != value;
            *fill = SlotFill {
                slot: slot.to_string(),
                value,
                at,
            };
            changed
        }
        Some(_) => false,
        None => {
            state.slots.push(SlotFill {
                slot: slot.to_string(),
                value,
                at,
            });
            true
        }
    }
}

fn fill_slots_from_behaviour(model: &Model, state: &mut VisitorState, event: &Event) -> bool {
    let mut changed = false;
    for slot in &model.slots {
        let signal = slot.filled_by.iter().find_map(|c| match (c, &event.kind) {
            (Condition::Event { .. }, EventKind::Track { name, .. }) if event_matches(c, event) => {
                Some(name.clone())
            }
            (Condition::Page { glob: g, .. }, EventKind::Page { path, .. })
                if glob::matches_normalized(g, path) =>
            {
                Some(path.clone())
            }
            _ => None,
        });
        if let Some(value) = signal {
            changed |= fill_slot(state, &slot.id, Scalar::Text(value), event.time, false);
        }
    }
    changed
}

fn event_matches(condition: &Condition, event: &Event) -> bool {
    match (condition, &event.kind) {
        (
            Condition::Event { name, properties },
            EventKind::Track {
                name: actual,
                properties: props,
            },
        ) => {
            name.eq_ignore_ascii_case(actual)
                && properties
                    .iter()
                    .all(|(key, test)| property_matches(test, member(props, key)))
        }
        _ => false,
    }
}

/// Whether a condition matches this event (before `repeat` and frequency).
fn base_match(
    when: &Condition,
    evidence: &mut Evidence,
    event: &Event,
    new_session: bool,
    sessions: u32,
) -> bool {
    match (when, &event.kind) {
        (Condition::Page { glob: g, .. }, EventKind::Page { path, .. }) => {
            glob::matches_normalized(g, path)
        }
        (Condition::Event { .. }, EventKind::Track { .. }) => event_matches(when, event),
        (Condition::Session { min }, _) => new_session && sessions >= *min,
        (
            Condition::Engaged {
                min,
                per_session,
                glob: g,
            },
            kind,
        ) => {
            if *per_session && new_session {
                evidence.progress = 0.0;
            }
            let EventKind::Engagement { seconds, path, .. } = kind else {
                return false;
            };
            let on_page = g.as_ref().is_none_or(|g| {
                path.as_ref()
                    .is_some_and(|p| glob::matches_normalized(g, p))
            });
            if !on_page {
                return false;
            }
            let before = evidence.progress;
            evidence.progress += seconds;
            before < *min && evidence.progress >= *min
        }
        (
            Condition::Scroll { min, glob: g },
            EventKind::Engagement {
                scroll: Some(scroll),
                path,
                ..
            },
        ) => {
            let on_page = g.as_ref().is_none_or(|g| {
                path.as_ref()
                    .is_some_and(|p| glob::matches_normalized(g, p))
            });
            on_page && scroll >= min
        }
        _ => false,
    }
}

fn observe(rule: &Rule, evidence: &mut Evidence, event: &Event, new_session: bool, sessions: u32) {
    if let Condition::All { parts } = &rule.when {
        observe_parts(parts, evidence, event);
        return;
    }
    if rule.when.holds_over_time()
        || !base_match(&rule.when, evidence, event, new_session, sessions)
    {
        return;
    }
    let t = event.time;
    if let Condition::Page {
        repeat: Some(repeat),
        ..
    } = &rule.when
    {
        push_bounded(&mut evidence.matches, t, MAX_MATCHES);
        let recent = evidence
            .matches
            .iter()
            .filter(|&&m| t.saturating_sub(m) <= repeat.within && m <= t)
            .count();
        if recent < repeat.count as usize {
            return;
        }
    }
    if evidence.session != sessions {
        evidence.session = sessions;
        evidence.session_hits = 0;
    }
    let allowed = match rule.frequency {
        Frequency::Every => true,
        Frequency::Once => evidence.count == 0,
        Frequency::PerSession(max) => evidence.session_hits < max,
        Frequency::PerPeriod { max, period } => {
            let recent = evidence
                .hits
                .iter()
                .filter(|&&h| h <= t && t.saturating_sub(h) < period)
                .count();
            recent < max as usize
        }
    };
    if !allowed {
        return;
    }
    evidence.count = evidence.count.saturating_add(1);
    evidence.session_hits = evidence.session_hits.saturating_add(1);
    if rule.window.is_none() {
        fold(rule, evidence, t);
    }
    if evidence.hits.len() >= MAX_HITS {
        let oldest = evidence.hits.remove(0);
        if rule.window.is_some() {
            fold(rule, evidence, oldest);
        }
    }
    // Keep hits in time order even when a late event arrives.
    let at = evidence.hits.partition_point(|&h| h <= t);
    evidence.hits.insert(at, t);
}

/// Marks the event parts of a combination (page, event, scroll) this event matches; the
/// others are read from the state when the rule is scored (engine/holds.rs).
fn observe_parts(parts: &[Condition], evidence: &mut Evidence, event: &Event) {
    for (i, part) in parts.iter().enumerate() {
        let is_event_part = matches!(
            part,
            Condition::Page { .. } | Condition::Event { .. } | Condition::Scroll { .. }
        );
        if is_event_part
            && !super::holds::part_seen(evidence, i)
            && base_match(part, &mut Evidence::default(), event, false, 0)
        {
            super::holds::mark_part(evidence, i);
        }
    }
}

/// Folds a hit into the decayed aggregate (see [`Evidence::folded`]), re-based at the later
/// of the two times.
fn fold(rule: &Rule, evidence: &mut Evidence, hit: Millis) {
    let decay = |age: Millis| super::score::decay(rule.half_life, age);
    if evidence.folded == 0.0 {
        evidence.folded = 1.0;
        evidence.folded_at = hit;
    } else if hit >= evidence.folded_at {
        evidence.folded = evidence.folded * decay(hit - evidence.folded_at) + 1.0;
        evidence.folded_at = hit;
    } else {
        evidence.folded += decay(evidence.folded_at - hit);
    }
}

fn push_bounded<T>(list: &mut Vec<T>, item: T, max: usize) {
    if list.len() >= max {
        list.remove(0);
    }
    list.push(item);
}
