//! Events in the contract format (Segment-spec shaped), parsed with JSON paths in errors.
use crate::core::glob;
use crate::core::json::{
    float, integer_text, join, sorted_members, FromJson, Obj, Problem, ProblemKind, Problems, Value,
};
use crate::core::text;
use crate::core::time::{self, Millis};

/// Longest accepted identifier (visitor key, event name, slot, message id).
pub const MAX_ID_LEN: usize = 128;
/// Longest accepted free text (path, trait value, answer value).
pub const MAX_TEXT_LEN: usize = 2048;

/// A trait or answer value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Scalar {
    /// The text form used for matching and summaries (`true`, `250`, `VP Sales`).
    pub fn as_text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => format_number(*n),
            Scalar::Bool(b) => String::from(if *b { "true" } else { "false" }),
        }
    }
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Scalar::Number(n) => Some(*n),
            Scalar::Text(s) => float::parse_finite(s.trim()),
            Scalar::Bool(_) => None,
        }
    }
}

/// `250` rather than `250.0`; other numbers as Rust's `Display` prints them (`0.5`).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        let mut text = String::new();
        crate::core::json::write_i64(&mut text, n as i64);
        text
    } else {
        float::display(n)
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Page {
        path: String,
        referrer: Option<String>,
        search: Option<String>,
    },
    Track {
        name: String,
        properties: Vec<(String, Value)>,
    },
    /// Traits flattened to dotted names (`company.employee_count`).
    Identify {
        traits: Vec<(String, Scalar)>,
    },
    Engagement {
        path: Option<String>,
        seconds: f64,
        scroll: Option<f64>,
    },
    Answer {
        slot: String,
        value: Scalar,
    },
}

/// One parsed event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The visitor key: `anonymousId`, else `userId`.
    pub visitor: String,
    pub user_id: Option<String>,
    pub time: Millis,
    pub message_id: Option<String>,
    pub user_agent: Option<String>,
    /// `context.webdriver: true`, set by the browser tracker from `navigator.webdriver`.
    pub webdriver: bool,
    pub kind: EventKind,
}

/// Why an event was rejected: the first problem, with its JSON path.
pub type EventError = Problem;

const KINDS: &str = "page, track, identify, engagement, answer";

impl Event {
    /// Parses one event. `default_time` stamps events without `timestamp` (the JS API passes
    /// "now"); without it a missing timestamp is an error.
    pub fn parse(value: &Value, default_time: Option<Millis>) -> Result<Event, EventError> {
        let mut problems = Problems::default();
        let event = read(value, default_time, &mut problems);
        match (event, problems.0.into_iter().next()) {
            (Some(event), None) => Ok(event),
            (_, Some(problem)) => Err(problem),
            (None, None) => Err(Problem {
                path: String::new(),
                kind: ProblemKind::Type,
                message: "not a valid event".into(),
            }),
        }
    }
}

fn read(value: &Value, default_time: Option<Millis>, problems: &mut Problems) -> Option<Event> {
    let obj = Obj::open(value, "", None, problems)?;
    let kind_name: String = obj.req("type", problems)?;
    let anonymous_id = id_field(&obj, "anonymousId", problems);
    let user_id = id_field(&obj, "userId", problems);
    if !problems.is_empty() {
        return None;
    }
    let Some(visitor) = anonymous_id.clone().or_else(|| user_id.clone()) else {
        problems.add(
            "anonymousId",
            ProblemKind::Missing,
            "an event needs anonymousId or userId",
        );
        return None;
    };
    let time = timestamp(&obj, default_time, problems)?;
    let message_id = id_field(&obj, "messageId", problems);
    let (user_agent, webdriver) = context(&obj, problems);
    let kind = match kind_name.as_str() {
        "page" => page(&obj, problems),
        "track" => track(&obj, problems),
        "identify" => identify(&obj, problems),
        "engagement" => engagement(&obj, problems),
        "answer" => answer(&obj, problems),
        other => {
            problems.range(
                "type",
                ["unknown event type '", other, "'; expected one of: ", KINDS].concat(),
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

fn id_field(obj: &Obj, key: &str, problems: &mut Problems) -> Option<String> {
    let id: String = obj.opt(key, problems)?;
    let path = obj.path_of(key);
    if id.is_empty() {
        problems.range(&path, "must not be empty");
        None
    } else if id.len() > MAX_ID_LEN {
        let max = integer_text(MAX_ID_LEN as i64);
        problems.range(&path, ["longer than ", &max, " bytes"].concat());
        None
    } else {
        Some(id)
    }
}

fn timestamp(obj: &Obj, default_time: Option<Millis>, problems: &mut Problems) -> Option<Millis> {
    let parsed = match obj.get("timestamp") {
        None | Some(Value::Null) => {
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
            let found = crate::core::json::type_name(other);
            problems.add(
                "timestamp",
                ProblemKind::Type,
                [
                    "expected an ISO-8601 string or epoch milliseconds, found ",
                    found,
                ]
                .concat(),
            );
            return None;
        }
    };
    match parsed.filter(|ms| (time::MIN_TIME..=time::MAX_TIME).contains(ms)) {
        Some(ms) => Some(ms),
        None => {
            problems.range(
                "timestamp",
                "not a valid ISO-8601 time or whole epoch milliseconds (years 1970–9999)",
            );
            None
        }
    }
}

fn context(obj: &Obj, problems: &mut Problems) -> (Option<String>, bool) {
    let Some(value) = obj.get("context").filter(|v| !v.is_null()) else {
        return (None, false);
    };
    let Some(ctx) = Obj::open(value, "context", None, problems) else {
        return (None, false);
    };
    let user_agent: Option<String> = ctx.opt("userAgent", problems);
    let webdriver = ctx.get("webdriver") == Some(&Value::Bool(true));
    (user_agent.map(|ua| truncate(ua, MAX_TEXT_LEN)), webdriver)
}

fn properties<'v>(obj: &Obj<'v>, problems: &mut Problems) -> Option<Obj<'v>> {
    match obj.get("properties") {
        None | Some(Value::Null) => None,
        Some(value) => Obj::open(value, "properties", None, problems),
    }
}

fn page(obj: &Obj, problems: &mut Problems) -> Option<EventKind> {
    let props = properties(obj, problems);
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

fn track(obj: &Obj, problems: &mut Problems) -> Option<EventKind> {
    let name: String = obj.req("event", problems)?;
    if name.is_empty() || name.len() > MAX_ID_LEN {
        let max = integer_text(MAX_ID_LEN as i64);
        problems.range("event", ["must be 1 to ", &max, " bytes"].concat());
        return None;
    }
    let properties = properties(obj, problems)
        .map(|p| p.map.to_vec())
        .unwrap_or_default();
    Some(EventKind::Track { name, properties })
}

fn identify(obj: &Obj, problems: &mut Problems) -> Option<EventKind> {
    let Some(value) = obj.get("traits") else {
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

fn engagement(obj: &Obj, problems: &mut Problems) -> Option<EventKind> {
    let Some(props) = properties(obj, problems) else {
        problems.add(
            "properties.seconds",
            ProblemKind::Missing,
            "an engagement event needs properties.seconds",
        );
        return None;
    };
    let seconds: f64 = props.req("seconds", problems)?;
    if !(0.0..=86_400.0).contains(&seconds) {
        problems.range(
            "properties.seconds",
            [
                "must be between 0 and 86400, found ",
                &float::display(seconds),
            ]
            .concat(),
        );
        return None;
    }
    let scroll: Option<f64> = props.opt("scroll", problems);
    if let Some(scroll) = scroll.filter(|s| !(0.0..=100.0).contains(s)) {
        problems.range(
            "properties.scroll",
            ["must be between 0 and 100, found ", &float::display(scroll)].concat(),
        );
        return None;
    }
    let path: Option<String> = props.opt("path", problems);
    Some(EventKind::Engagement {
        path: path.map(|p| glob::normalize(&p).to_string()),
        seconds,
        scroll,
    })
}

fn answer(obj: &Obj, problems: &mut Problems) -> Option<EventKind> {
    let Some(props) = properties(obj, problems) else {
        problems.add(
            "properties.slot",
            ProblemKind::Missing,
            "an answer event needs properties.slot and properties.value",
        );
        return None;
    };
    let slot: String = props.req("slot", problems)?;
    let value = match props.get("value") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            Scalar::Text(truncate(s.trim().to_string(), MAX_ID_LEN))
        }
        Some(Value::Number(n)) => Scalar::Number(*n),
        Some(Value::Bool(b)) => Scalar::Bool(*b),
        Some(Value::String(_)) => {
            problems.range("properties.value", "must not be empty");
            return None;
        }
        Some(other) => {
            let found = crate::core::json::type_name(other);
            problems.add(
                "properties.value",
                ProblemKind::Type,
                ["expected a string, number or boolean, found ", found].concat(),
            );
            return None;
        }
        None => {
            problems.add(
                "properties.value",
                ProblemKind::Missing,
                "required field is missing",
            );
            return None;
        }
    };
    Some(EventKind::Answer { slot, value })
}

/// Cuts `text` to at most `max` bytes on a character boundary.
pub fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let cut = (0..=max)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
    }
    text
}

impl FromJson for Scalar {
    fn quick(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            Value::Number(n) => Some(Scalar::Number(*n)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => None,
        }
    }
    fn from_json(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        match value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            Value::Number(n) => Some(Scalar::Number(*n)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            other => {
                let found = crate::core::json::type_name(other);
                problems.add(
                    path,
                    ProblemKind::Type,
                    ["expected a string, number or boolean, found ", found].concat(),
                );
                None
            }
        }
    }
}
