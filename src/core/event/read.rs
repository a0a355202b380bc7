//! The one reader of events: what is valid, and the JSON path of the first problem.
use super::scalar::format_number;
use super::{truncate, Event, EventError, EventKind, RawEvent, Scalar, MAX_ID_LEN, MAX_TEXT_LEN};
use crate::core::glob;
use crate::core::json::{join, sorted_members, Obj, ProblemKind, Problems, Value};
use crate::core::text;
use crate::core::time::{self, Millis};

const KINDS: &str = "page, track, identify, engagement, answer";

/// What an event without a visitor key or a timestamp gets.
#[derive(Debug, Clone, Copy, Default)]
pub struct Defaults<'a> {
    /// The session's visitor ("" for none: then the event must name one).
    pub visitor: &'a str,
    /// "Now" for events without `timestamp` (none: then it is required).
    pub time: Option<Millis>,
}

impl RawEvent {
    /// Checks the event; the first problem is the error.
    pub fn check(&self, defaults: Defaults) -> Result<Event, EventError> {
        let mut problems = Problems::default();
        let event = read(self, defaults, &mut problems);
        match (event, problems.0.into_iter().next()) {
            (Some(event), None) => Ok(event),
            (_, Some(problem)) => Err(problem),
            (None, None) => Err(EventError {
                path: String::new(),
                kind: ProblemKind::Type,
                message: "not a valid event".into(),
            }),
        }
    }
}

/// A required string field of the event itself.
fn string(value: &Option<Value>, key: &str, problems: &mut Problems) -> Option<String> {
    match value {
        None => {
            problems.add(key, ProblemKind::Missing, "required field is missing");
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.add(
                key,
                ProblemKind::Type,
                format!("expected a string, found {}", other.type_name()),
            );
            None
        }
    }
}

fn read(raw: &RawEvent, defaults: Defaults, problems: &mut Problems) -> Option<Event> {
    let kind_name = string(&raw.kind, "type", problems)?;
    let anonymous_id = id_field(&raw.anonymous_id, "anonymousId", problems);
    let user_id = id_field(&raw.user_id, "userId", problems);
    if !problems.is_empty() {
        return None;
    }
    let session_visitor = (!defaults.visitor.is_empty()).then(|| defaults.visitor.to_string());
    let Some(visitor) = anonymous_id.or_else(|| user_id.clone()).or(session_visitor) else {
        problems.add(
            "anonymousId",
            ProblemKind::Missing,
            "an event needs anonymousId or userId",
        );
        return None;
    };
    let time = timestamp(&raw.timestamp, defaults.time, problems)?;
    let message_id = id_field(&raw.message_id, "messageId", problems);
    let (user_agent, webdriver) = context(&raw.context, problems);
    let kind = match kind_name.as_str() {
        "page" => page(raw, problems),
        "track" => track(raw, problems),
        "identify" => identify(raw, problems),
        "engagement" => engagement(raw, problems),
        "answer" => answer(raw, problems),
        other => {
            problems.range(
                "type",
                format!("unknown event type '{other}'; expected one of: {KINDS}"),
            );
            None
        }
    }?;
    problems.is_empty().then_some(Event {
        visitor,
        user_id,
        time,
        message_id,
        user_agent,
        webdriver,
        kind,
    })
}

fn id_field(value: &Option<Value>, key: &str, problems: &mut Problems) -> Option<String> {
    match value.as_ref()? {
        Value::String(id) => match super::check_id(id, key) {
            Ok(()) => return Some(id.clone()),
            Err(problem) => problems.0.push(problem),
        },
        other => problems.add(
            key,
            ProblemKind::Type,
            format!("expected a string, found {}", other.type_name()),
        ),
    }
    None
}

fn timestamp(
    value: &Option<Value>,
    default_time: Option<Millis>,
    problems: &mut Problems,
) -> Option<Millis> {
    let parsed = match value {
        None => {
            if default_time.is_none() {
                problems.add(
                    "timestamp",
                    ProblemKind::Missing,
                    "required field is missing",
                );
            }
            return default_time;
        }
        Some(Value::String(text)) => time::parse_iso(text),
        Some(Value::Number(ms)) => (ms.fract() == 0.0).then_some(*ms as Millis),
        Some(other) => {
            problems.add(
                "timestamp",
                ProblemKind::Type,
                format!(
                    "expected an ISO-8601 string or epoch milliseconds, found {}",
                    other.type_name()
                ),
            );
            return None;
        }
    };
    match parsed.filter(|ms| (time::FIRST_EVENT..=time::MAX_TIME).contains(ms)) {
        Some(ms) => Some(ms),
        None => {
            problems.range(
                "timestamp",
                "not a valid ISO-8601 time or whole epoch milliseconds (years 2000–9999)",
            );
            None
        }
    }
}

fn context(value: &Option<Value>, problems: &mut Problems) -> (Option<String>, bool) {
    let Some(value) = value else {
        return (None, false);
    };
    let Some(ctx) = Obj::open(value, "context", None, problems) else {
        return (None, false);
    };
    let user_agent: Option<String> = ctx.opt("userAgent", problems);
    let webdriver = ctx.get("webdriver") == Some(&Value::Bool(true));
    (user_agent.map(|ua| truncate(ua, MAX_TEXT_LEN)), webdriver)
}

fn properties<'v>(raw: &'v RawEvent, problems: &mut Problems) -> Option<Obj<'v>> {
    Obj::open(raw.properties.as_ref()?, "properties", None, problems)
}

fn page(raw: &RawEvent, problems: &mut Problems) -> Option<EventKind> {
    let props = properties(raw, problems);
    let text = |key: &str, problems: &mut Problems| -> Option<String> {
        props
            .as_ref()
            .and_then(|p| p.opt::<String>(key, problems))
            .map(|s| truncate(s, MAX_TEXT_LEN))
    };
    let (path, url, referrer, search) = (
        text("path", problems),
        text("url", problems),
        text("referrer", problems),
        text("search", problems),
    );
    let (url_path, url_search) = url.as_deref().map(split_url).unwrap_or_default();
    let Some(path) = path.or(url_path) else {
        problems.add(
            "properties.path",
            ProblemKind::Missing,
            "a page event needs properties.path or properties.url",
        );
        return None;
    };
    if !path.starts_with('/') {
        problems.range("properties.path", "must start with '/'");
        return None;
    }
    let search = search.or(url_search).filter(|s| !s.is_empty());
    Some(EventKind::Page {
        path: glob::normalize(&path).to_string(),
        referrer: referrer.filter(|r| !r.is_empty()),
        search,
    })
}

/// `https://host/a/b?x=1#f` → (`/a/b`, `?x=1`).
fn split_url(url: &str) -> (Option<String>, Option<String>) {
    let after_scheme = text::split_once(url, "://").map_or(url, |(_, rest)| rest);
    let path_and_more = after_scheme
        .find('/')
        .and_then(|i| after_scheme.get(i..))
        .unwrap_or("/");
    let without_fragment = path_and_more.split('#').next().unwrap_or(path_and_more);
    match without_fragment.split_once('?') {
        Some((path, query)) => (Some(path.to_string()), Some(["?", query].concat())),
        None => (Some(without_fragment.to_string()), None),
    }
}

fn track(raw: &RawEvent, problems: &mut Problems) -> Option<EventKind> {
    let name = string(&raw.event, "event", problems)?;
    if name.is_empty() || name.len() > MAX_ID_LEN {
        problems.range("event", format!("must be 1 to {MAX_ID_LEN} bytes"));
        return None;
    }
    let properties = properties(raw, problems)
        .map(|p| p.map.to_vec())
        .unwrap_or_default();
    Some(EventKind::Track { name, properties })
}

fn identify(raw: &RawEvent, problems: &mut Problems) -> Option<EventKind> {
    let Some(value) = &raw.traits else {
        problems.add(
            "traits",
            ProblemKind::Missing,
            "an identify event needs traits",
        );
        return None;
    };
    let traits = Obj::open(value, "traits", None, problems)?;
    let mut flat = Vec::new();
    flatten(traits.map, "", &mut flat);
    Some(EventKind::Identify { traits: flat })
}

/// Nested objects become dotted names; arrays and nulls are not traits the model can match.
/// NOTE: in key order, whatever the sender's order: the saved state lists traits in this
/// order, and the `MAX_TRAITS` cut must not depend on how a producer ordered its keys.
fn flatten(map: &[(String, Value)], prefix: &str, out: &mut Vec<(String, Scalar)>) {
    for (key, value) in sorted_members(map) {
        let name = join(prefix, key);
        match value {
            Value::Object(inner) => flatten(inner, &name, out),
            Value::String(s) => out.push((name, Scalar::Text(truncate(s.clone(), MAX_TEXT_LEN)))),
            Value::Number(n) => out.push((name, Scalar::Number(*n))),
            Value::Bool(b) => out.push((name, Scalar::Bool(*b))),
            Value::Null | Value::Array(_) => {}
        }
    }
}

fn engagement(raw: &RawEvent, problems: &mut Problems) -> Option<EventKind> {
    let Some(props) = properties(raw, problems) else {
        if problems.is_empty() {
            problems.add(
                "properties.seconds",
                ProblemKind::Missing,
                "an engagement event needs properties.seconds",
            );
        }
        return None;
    };
    let seconds: f64 = props.req("seconds", problems)?;
    if !(0.0..=86_400.0).contains(&seconds) {
        problems.range(
            "properties.seconds",
            format!(
                "must be between 0 and 86400, found {}",
                format_number(seconds)
            ),
        );
        return None;
    }
    let scroll: Option<f64> = props.opt("scroll", problems);
    if let Some(scroll) = scroll.filter(|s| !(0.0..=100.0).contains(s)) {
        problems.range(
            "properties.scroll",
            format!("must be between 0 and 100, found {}", format_number(scroll)),
        );
        return None;
    }
    let path: Option<String> = props.opt("path", problems);
    Some(EventKind::Engagement {
        path: path.map(|p| glob::normalize(&truncate(p, MAX_TEXT_LEN)).to_string()),
        seconds,
        scroll,
    })
}

fn answer(raw: &RawEvent, problems: &mut Problems) -> Option<EventKind> {
    let Some(props) = properties(raw, problems) else {
        if problems.is_empty() {
            problems.add(
                "properties.slot",
                ProblemKind::Missing,
                "an answer event needs properties.slot and properties.value",
            );
        }
        return None;
    };
    let slot: String = props.req("slot", problems)?;
    let value = props.get("value").unwrap_or(&Value::Null);
    match Scalar::answer(value, "properties.value") {
        Ok(value) => Some(EventKind::Answer { slot, value }),
        Err(problem) => {
            problems.0.push(problem);
            None
        }
    }
}
