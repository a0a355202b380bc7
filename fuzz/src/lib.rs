//! Shared checks for the fuzz targets (`fuzz_targets/*.rs`, docs/fuzzing.md).
//!
//! Every check panics with a message naming the broken invariant, so that libFuzzer records
//! the input as a crash: reasons that do not add up to the score, a stage that moved back, a
//! summary the engine built but the collector's contract refuses, saved state that does not
//! restore to what was saved.
use std::collections::BTreeMap;
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::{Defaults, Event};
use leadpulse::core::model::{Condition, Model, PropertyTest, SourceField, Stage, TraitTest};
use leadpulse::core::state::{self, MAX_STATE_CHARS};
use leadpulse::core::summary::{Runtime, Shadow, Summary, SummaryOptions};
use leadpulse::core::time::{Millis, DAY, HOUR, MINUTE};
use serde_json::{json, Value};

/// 2026-11-10T09:00:00Z: where scripted timelines start.
pub const START: Millis = 1_794_387_600_000;

/// The summary options tried in turn (e-mail or not, each runtime, with and without shadow).
fn options(session: &Session, now: Millis, variant: usize) -> SummaryOptions {
    let snap = session.snapshot(now);
    let runtime = [Runtime::Browser, Runtime::Edge, Runtime::Native][variant % 3];
    SummaryOptions {
        runtime,
        include_email: variant.is_multiple_of(2),
        shadow: (variant % 4 == 3).then(|| Shadow {
            model: session.model().hash.clone(),
            score: snap.score.clamp(-100_000, 100_000),
            stage: snap.stage.to_string(),
        }),
    }
}

/// The snapshot at `now`: every reason listed, so they add up to the score exactly; the
/// score is fit + engagement.
pub fn check_snapshot(session: &Session, now: Millis) {
    let snap = session.snapshot(now);
    let sum: i128 = snap.reasons.iter().map(|r| i128::from(r.points)).sum();
    assert_eq!(
        sum,
        i128::from(snap.score),
        "snapshot reasons {:?} do not sum to the score {}",
        snap.reasons,
        snap.score
    );
    assert_eq!(
        i128::from(snap.score),
        (i128::from(snap.fit) + i128::from(snap.engagement))
            .clamp(i128::from(i64::MIN), i128::from(i64::MAX)),
        "score is not fit + engagement"
    );
    // Snapshots are what a page reads: they always serialise.
    serde_json::to_string(&snap).expect("a snapshot serialises");
}

/// A summary the engine built: within [`leadpulse::core::summary::MAX_BYTES`], passing the
/// one summary contract at `now`, and, when it lists every reason, adding up to its score.
pub fn check_summary(session: &Session, summary: &Summary, now: Millis) {
    let text = summary.to_json();
    assert!(
        text.len() <= leadpulse::core::summary::MAX_BYTES,
        "summary of {} bytes, over the cap: {text}",
        text.len()
    );
    let received = Summary::from_json(text.as_bytes())
        .unwrap_or_else(|p| panic!("the engine's summary does not read back: {p:?}\n{text}"));
    if let Err(problem) = received.check(now) {
        panic!("the engine's summary fails the contract: {problem:?}\n{text}");
    }
    assert!(
        matches!(summary.stage.as_str(), "mql" | "sql"),
        "summary at stage {}",
        summary.stage
    );
    let all = session.snapshot(now).reasons;
    if summary.reasons.len() == all.len() {
        let sum: i128 = summary.reasons.iter().map(|r| i128::from(r.points)).sum();
        assert_eq!(
            sum,
            i128::from(summary.score),
            "summary lists every reason but they do not sum to the score: {text}"
        );
    }
    assert!(summary.reasons.len() <= session.model().summary_reasons);
}

/// Whether `restored` lost anything [`state::save`] may shed to stay under its cap.
fn shed(original: &Session, restored: &Session) -> bool {
    let (a, b) = (original.state(), restored.state());
    a.message_ids != b.message_ids
        || a.traits != b.traits
        || a.slots != b.slots
        || a.questions != b.questions
        || a.evidence
            .iter()
            .zip(&b.evidence)
            .any(|(x, y)| x.matches != y.matches)
}

/// Saving: within the cap; the text restores (for its own visitor), to the same state unless
/// detail was shed to fit, and saving the restored session gives the same text.
pub fn check_save(session: &Session, now: Millis) {
    let text = state::save(session);
    assert!(
        text.len() <= MAX_STATE_CHARS,
        "saved state of {} chars",
        text.len()
    );
    let model = session.model_arc().clone();
    let restored = state::restore_for(model.clone(), &text, session.visitor())
        .unwrap_or_else(|e| panic!("saved state does not restore: {e}\n{text}"));
    if !shed(session, &restored) {
        assert_eq!(
            restored.state(),
            session.state(),
            "state changed by save + restore"
        );
        assert_eq!(restored.snapshot(now), session.snapshot(now));
    }
    let again = state::save(&restored);
    assert_eq!(again, text, "save(restore(save(s))) differs from save(s)");
}

/// A session fed event by event, checked after each: what every event target runs.
pub struct Run {
    pub session: Session,
    pub now: Millis,
    stage: Stage,
    variant: usize,
    pub applied: usize,
}

impl Run {
    pub fn new(model: Arc<Model>, visitor: &str) -> Run {
        Run {
            session: Session::new(model, visitor),
            now: 0,
            stage: Stage::Visitor,
            variant: 0,
            applied: 0,
        }
    }

    /// Applies `event` at now = the latest time seen so far; checks the step against the
    /// snapshot, the stage against the one before, and any summary due or held.
    pub fn feed(&mut self, event: &Event) {
        let now = self.now.max(event.time);
        let before = self.session.state().clone();
        let Ok((_, totals, at)) = self.session.apply(event, now) else {
            assert_eq!(
                self.session.state(),
                &before,
                "a rejected event changed the state"
            );
            return;
        };
        self.now = now;
        self.applied += 1;
        let snap = self.session.snapshot(at);
        assert_eq!(
            snap.score,
            totals.total(),
            "step and snapshot disagree on the score"
        );
        let stage = self.session.state().stage;
        assert!(
            stage >= self.stage,
            "stage went back from {:?} to {stage:?}",
            self.stage
        );
        self.stage = stage;
        self.check_at(now);
    }

    /// The snapshot, the summary held and a hand-off at `now` (with the options in turn).
    pub fn check_at(&mut self, now: Millis) {
        check_snapshot(&self.session, now);
        self.variant += 1;
        let options = options(&self.session, now, self.variant);
        if let Some(summary) = self.session.summary(now, options.clone()) {
            check_summary(&self.session, &summary, now);
        }
        if self.session.summary_due(now) {
            let summary = self
                .session
                .handoff(now, options)
                .expect("a summary is due, but hand-off gave none");
            check_summary(&self.session, &summary, now);
            assert!(
                !self.session.summary_due(now),
                "still due right after a hand-off"
            );
        }
    }

    /// After the last event: later reads (decay, cool-downs) and the save round trip.
    pub fn finish(&mut self) {
        if self.applied == 0 {
            return;
        }
        check_save(&self.session, self.now);
        for later in [HOUR, 3 * DAY, 400 * DAY] {
            let now = self.now.saturating_add(later);
            check_snapshot(&self.session, now);
            if let Some(summary) = self.session.summary(now, SummaryOptions::default()) {
                check_summary(&self.session, &summary, now);
            }
        }
    }
}

/// Reads the events of an input: a fixture document (`{"model"?, "events": [...]}`), an array
/// of events, one event, or JSON lines. The model is the document's when it has a valid one.
pub fn events_of(text: &str) -> (Option<Value>, Vec<String>) {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut doc)) if doc.contains_key("events") => {
            let model = doc.remove("model").filter(|m| m.is_object());
            let events = match doc.remove("events") {
                Some(Value::Array(events)) => events.iter().map(Value::to_string).collect(),
                _ => Vec::new(),
            };
            (model, events)
        }
        Ok(Value::Array(events)) => (None, events.iter().map(Value::to_string).collect()),
        Ok(_) => (None, vec![text.to_string()]),
        Err(_) => (None, text.lines().map(str::to_string).collect()),
    }
}

/// Plays `events` (JSON texts) through one session per visitor, as a tracker or `replay`
/// would, with every check; at most `max_visitors` sessions.
pub fn play(model: Arc<Model>, events: &[String], max_visitors: usize) {
    let mut runs: BTreeMap<String, Run> = BTreeMap::new();
    for (i, text) in events.iter().enumerate() {
        // Every third event without a timestamp gets "now" from the defaults, as the
        // tracker's do.
        let defaults = Defaults {
            visitor: "",
            time: (i % 3 == 2).then_some(START),
        };
        let Ok(event) = Event::from_json(text, defaults) else {
            continue;
        };
        if !runs.contains_key(&event.visitor) && runs.len() >= max_visitors {
            continue;
        }
        runs.entry(event.visitor.clone())
            .or_insert_with(|| Run::new(model.clone(), &event.visitor))
            .feed(&event);
    }
    for run in runs.values_mut() {
        run.finish();
    }
}

/// A path the glob matches: every wildcard replaced by one plain segment character.
fn path_for(glob: &str) -> String {
    let path = glob.replace("**", "x").replace('*', "x");
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

/// A trait value the test accepts.
fn trait_value(test: &TraitTest) -> Value {
    let first = |list: &[String]| list.first().cloned().unwrap_or_default();
    match test {
        TraitTest::Exists => json!("yes"),
        TraitTest::Equals(value) => serde_json::to_value(value).unwrap_or(Value::Null),
        TraitTest::OneOf(list) | TraitTest::Contains(list) => json!(first(list)),
        TraitTest::EndsWith(list) => json!(format!("x{}", first(list))),
        TraitTest::Range { min, max } => json!(min.or(*max).unwrap_or(1.0)),
    }
}

/// A property value the test accepts.
fn property_value(test: &PropertyTest) -> Option<Value> {
    match test {
        PropertyTest::Values(values) => serde_json::to_value(values.first()?).ok(),
        PropertyTest::Test(test) => Some(trait_value(test)),
    }
}

/// The events (and traits) that make `condition` fire or hold; `raises`: traits are set
/// only for conditions of rules that raise the fit (the first one's value for a trait).
fn events_for(
    condition: &Condition,
    raises: bool,
    traits: &mut serde_json::Map<String, Value>,
    behaviour: &mut Vec<Value>,
) {
    match condition {
        Condition::Page { glob, .. } => {
            behaviour.push(json!({"type": "page", "properties": {"path": path_for(glob)}}));
        }
        Condition::Event { name, properties } => {
            let props: serde_json::Map<String, Value> = properties
                .iter()
                .filter_map(|(key, test)| Some((key.clone(), property_value(test)?)))
                .collect();
            behaviour.push(json!({"type": "track", "event": name, "properties": props}));
        }
        Condition::Engaged { min, glob, .. } => {
            let path = glob.as_deref().map_or_else(|| "/".to_string(), path_for);
            behaviour.push(json!({"type": "engagement",
                "properties": {"path": path, "seconds": (min + 1.0).min(3600.0)}}));
        }
        Condition::Scroll { min, glob } => {
            let path = glob.as_deref().map_or_else(|| "/".to_string(), path_for);
            behaviour.push(json!({"type": "page", "properties": {"path": path}}));
            behaviour.push(json!({"type": "engagement",
                "properties": {"path": path, "seconds": 5, "scroll": min}}));
        }
        Condition::Session { .. } => {}
        Condition::Source { field, test, .. } => {
            let value = trait_value(test);
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            let properties = match field {
                SourceField::Referrer => {
                    json!({"path": "/", "referrer": format!("https://{text}/")})
                }
                SourceField::Utm(key) => {
                    json!({"path": "/", "search": format!("?utm_{key}={text}")})
                }
            };
            behaviour.push(json!({"type": "page", "properties": properties}));
        }
        Condition::All { parts } => {
            for part in parts {
                events_for(part, raises, traits, behaviour);
            }
        }
        Condition::Trait { name, test } if raises => {
            if !traits.contains_key(name) || name == "email" {
                traits.insert(name.clone(), trait_value(test));
            }
        }
        Condition::Trait { .. } => {}
    }
}

/// Events that set off every rule and fill every slot of `model`, twice over two sessions,
/// for one known visitor: a model that validates gets as far as its stages allow, and the
/// summaries it then makes are checked against the contract.
pub fn script(model: &Model) -> Vec<Value> {
    let visitor = "fuzz-visitor";
    let mut traits = serde_json::Map::new();
    traits.insert("email".into(), json!("dana@acme.io"));
    for name in model.lead_traits.iter().chain(&model.summary_traits) {
        traits.insert(name.clone(), json!("value"));
    }
    let mut behaviour = Vec::new();
    for rule in &model.rules {
        let raises = rule.points > 0.0 && !rule.disqualifies;
        events_for(&rule.when, raises, &mut traits, &mut behaviour);
    }
    for slot in &model.slots {
        let answer = slot
            .options
            .iter()
            .find(|o| !o.disqualifies && o.points >= 0.0)
            .or(slot.options.first())
            .and_then(|o| o.values.first().cloned())
            .unwrap_or_else(|| "some answer".into());
        behaviour.push(json!({"type": "answer", "properties": {"slot": slot.id, "value": answer}}));
    }
    let mut events = vec![json!({"type": "identify", "traits": Value::Object(traits)})];
    let gap = model.session.inactivity.max(MINUTE) + MINUTE;
    let mut at = START;
    for round in 0..2 {
        if round == 1 {
            at += gap;
        }
        for event in &behaviour {
            let mut event = event.clone();
            at += 2 * 1000;
            if let Value::Object(e) = &mut event {
                e.insert("anonymousId".into(), json!(visitor));
                e.insert("timestamp".into(), json!(at));
            }
            events.push(event);
        }
    }
    if let Some(Value::Object(first)) = events.first_mut() {
        first.insert("anonymousId".into(), json!(visitor));
        first.insert("timestamp".into(), json!(START));
    }
    events
}

/// Plays [`script`] through a session of `model`, with every check.
pub fn drive(model: Arc<Model>) {
    let events: Vec<String> = script(&model).iter().map(Value::to_string).collect();
    play(model, &events, 1);
}

/// The glob definition, by backtracking: `**` any bytes, `*` any bytes but `/`, other bytes
/// equal ignoring ASCII case; after the same normalisation as `glob::matches` (no query or
/// fragment, no trailing slash but the root). Positions already known not to match are
/// remembered, so that `**/**/**` on a short path stays fast; it is still the definition,
/// tried branch by branch, not an automaton.
pub fn glob_reference(pattern: &str, path: &str) -> bool {
    use leadpulse::core::glob::{normalize, MAX_PATTERN};
    use std::collections::HashSet;
    let (pattern, path) = (normalize(pattern), normalize(path));
    if pattern.len() > MAX_PATTERN {
        return false;
    }
    fn go(p: &[u8], t: &[u8], at: (usize, usize), failed: &mut HashSet<(usize, usize)>) -> bool {
        let (i, j) = at;
        if failed.contains(&at) {
            return false;
        }
        let (pattern, text) = (&p[i..], &t[j..]);
        let found = match pattern {
            [] => text.is_empty(),
            [b'*', b'*', ..] => (0..=text.len()).any(|skip| go(p, t, (i + 2, j + skip), failed)),
            [b'*', ..] => {
                let end = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
                (0..=end).any(|skip| go(p, t, (i + 1, j + skip), failed))
            }
            [c, ..] => match text {
                [d, ..] if c.eq_ignore_ascii_case(d) => go(p, t, (i + 1, j + 1), failed),
                _ => false,
            },
        };
        if !found {
            failed.insert(at);
        }
        found
    }
    go(
        pattern.as_bytes(),
        path.as_bytes(),
        (0, 0),
        &mut HashSet::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script takes the built-in model as far as a hand-off, so that the summary checks
    /// of `model_read` run on the models the fuzzer derives from it.
    #[test]
    fn the_script_reaches_a_hand_off_on_the_builtin_model() {
        let model = Arc::new(Model::builtin());
        let mut run = Run::new(model.clone(), "fuzz-visitor");
        for text in script(&model).iter().map(Value::to_string) {
            let event = Event::from_json(&text, Defaults::default()).expect("script event");
            run.feed(&event);
        }
        let stage = run.session.state().stage;
        assert_eq!(stage, Stage::Sql, "{:?}", run.session.snapshot(run.now));
        assert!(run.session.state().handoff.is_some());
        run.finish();
    }
}
