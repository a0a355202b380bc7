//! Reading a model document: every problem is collected with its JSON path. One file per
//! part of the document: rules, stages (grades, status, thresholds, hand-off), slots and
//! frameworks; the top level and the small sections are here.
mod rules;
mod slots;
mod stages;
mod thresholds;

use rules::rules;
use slots::{frameworks, slots};
use stages::{grades, handoff, stages, status};

use crate::core::json::{index, Obj, ProblemKind, Problems, Value};
use crate::core::model::{Bots, Group, Model, ModelError, SessionConfig, Stage};
use crate::core::sorted_map::SortedMap;
use crate::core::text;
use crate::core::time::{HOUR, MINUTE};

const TOP: &[&str] = &[
    "$schema",
    "version",
    "name",
    "description",
    "session",
    "groups",
    "caps",
    "rules",
    "grades",
    "status",
    "stages",
    "handoff",
    "slots",
    "frameworks",
    "bots",
    "actions",
    "summary",
];

/// Rules and slots are bounded so that state stays bounded and `apply` stays cheap.
pub const MAX_RULES: usize = 128;
pub use crate::core::model::MAX_POINTS;
const POINTS_RANGE: &str = "must be between -1000 and 1000";
pub const MAX_SLOTS: usize = 32;

pub fn model(value: &Value) -> Result<Model, ModelError> {
    let mut p = Problems::default();
    let model = read(value, &mut p);
    match model {
        Some(model) if p.is_empty() => Ok(model),
        _ if p.is_empty() => Err(ModelError(vec![crate::core::json::Problem {
            path: String::new(),
            kind: ProblemKind::Type,
            message: "not a valid model".into(),
        }])),
        _ => Err(ModelError(p.0)),
    }
}

fn read(value: &Value, p: &mut Problems) -> Option<Model> {
    let top = Obj::open(value, "", Some(TOP), p)?;
    match top.req::<u32>("version", p) {
        Some(1) | None => {}
        Some(other) => p.range(
            "version",
            [
                "unsupported model version ",
                &other.to_string(),
                "; this engine reads version 1",
            ]
            .concat(),
        ),
    }
    let name: Option<String> = top.req("name", p);
    let session = session(&top, p);
    let groups = groups(&top, p);
    let (fit_cap, engagement_cap) = caps(&top, p);
    let slots = slots(&top, p);
    let frameworks = frameworks(&top, &slots, p);
    let rules = rules(&top, &groups, p);
    let (fit_grades, engagement_grades) = grades(&top, p);
    let (warm, hot) = status(&top, p);
    let (lead_traits, mql, sql) = stages(&top, &frameworks, &rules, p);
    let handoff = handoff(&top, p);
    let bots = bots(&top, p);
    let actions = actions(&top, p);
    let (summary_traits, summary_reasons) = summary(&top, p);
    let hash = crate::core::model::hex16(crate::core::model::fnv1a64(value.canonical().as_bytes()));
    Some(Model {
        name: name?,
        session: session?,
        rules: rules?,
        groups: groups?,
        fit_cap,
        engagement_cap,
        fit_grades: fit_grades?,
        engagement_grades: engagement_grades?,
        warm: warm?,
        hot: hot?,
        lead_traits: lead_traits?,
        mql: mql?,
        sql: sql?,
        handoff: handoff?,
        slots: slots?,
        frameworks: frameworks?,
        bots: bots?,
        actions: actions?,
        summary_traits: summary_traits?,
        summary_reasons: summary_reasons?,
        hash,
    })
}

/// An optional section: an empty object when absent or `null`.
fn section<'v>(top: &Obj<'v>, key: &str, allowed: &[&str], p: &mut Problems) -> Option<Obj<'v>> {
    match top.get(key) {
        None | Some(Value::Null) => Obj::open(empty_object(), &top.path_of(key), Some(allowed), p),
        Some(v) => Obj::open(v, &top.path_of(key), Some(allowed), p),
    }
}

fn empty_object() -> &'static Value {
    static EMPTY: Value = Value::Object(Vec::new());
    &EMPTY
}

fn positive(obj: &Obj, key: &str, p: &mut Problems) -> Option<f64> {
    let n: f64 = obj.opt(key, p)?;
    if n > 0.0 {
        Some(n)
    } else {
        p.range(
            &obj.path_of(key),
            ["must be greater than 0, found ", &n.to_string()].concat(),
        );
        None
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn session(top: &Obj, p: &mut Problems) -> Option<SessionConfig> {
    let s = section(top, "session", &["inactivityMinutes", "maxHours"], p)?;
    let inactivity = positive(&s, "inactivityMinutes", p).unwrap_or(30.0);
    let max_hours = positive(&s, "maxHours", p).unwrap_or(24.0);
    if inactivity > max_hours * 60.0 {
        p.range(
            &s.path_of("inactivityMinutes"),
            "is longer than session.maxHours",
        );
    }
    Some(SessionConfig {
        inactivity: (inactivity * MINUTE as f64).min(1e15) as i64,
        max_length: (max_hours * HOUR as f64).min(1e15) as i64,
    })
}

fn groups(top: &Obj, p: &mut Problems) -> Option<Vec<Group>> {
    let Some(value) = top.get("groups") else {
        return Some(Vec::new());
    };
    let map = Obj::open(value, "groups", None, p)?;
    let mut groups = Vec::new();
    for (id, def) in map.sorted() {
        let path = map.path_of(id);
        if !valid_id(id) {
            p.range(
                &path,
                "a group id uses letters, digits, '_', '-', '.' (at most 64)",
            );
        }
        let Some(obj) = Obj::open(def, &path, Some(&["cap"]), p) else {
            continue;
        };
        match obj.req::<f64>("cap", p) {
            Some(cap) if cap > 0.0 => groups.push(Group {
                id: id.clone(),
                cap,
            }),
            Some(cap) => p.range(
                &obj.path_of("cap"),
                ["must be greater than 0, found ", &cap.to_string()].concat(),
            ),
            None => {}
        }
    }
    Some(groups)
}

fn caps(top: &Obj, p: &mut Problems) -> (Option<f64>, Option<f64>) {
    match section(top, "caps", &["fit", "engagement"], p) {
        Some(c) => (positive(&c, "fit", p), positive(&c, "engagement", p)),
        None => (None, None),
    }
}

fn bots(top: &Obj, p: &mut Problems) -> Option<Bots> {
    let b = section(top, "bots", &["userAgents", "maxPagesPerMinute"], p)?;
    let user_agents: Vec<String> = b.opt("userAgents", p).unwrap_or_default();
    for (i, ua) in user_agents.iter().enumerate() {
        if ua.is_empty() || *ua != text::lower(ua) {
            p.range(
                &index(&b.path_of("userAgents"), i),
                "user-agent patterns are non-empty lower-case substrings",
            );
        }
    }
    let max_pages_per_minute: Option<u32> = b.opt("maxPagesPerMinute", p);
    if max_pages_per_minute == Some(0) {
        p.range(&b.path_of("maxPagesPerMinute"), "must be at least 1");
    }
    Some(Bots {
        user_agents,
        max_pages_per_minute,
    })
}

type Actions = SortedMap<Stage, std::sync::Arc<SortedMap<String, String>>>;

fn actions(top: &Obj, p: &mut Problems) -> Option<Actions> {
    let a = section(top, "actions", &["visitor", "lead", "mql", "sql"], p)?;
    let mut out = SortedMap::new();
    for stage in Stage::ALL {
        let Some(value) = a.get(stage.name()) else {
            continue;
        };
        let Some(entries) = Obj::open(value, &a.path_of(stage.name()), None, p) else {
            continue;
        };
        let mut map = SortedMap::new();
        for (key, _) in entries.sorted() {
            if let Some(text) = entries.req::<String>(key, p) {
                map.insert(key.clone(), text);
            }
        }
        out.insert(stage, std::sync::Arc::new(map));
    }
    Some(out)
}

fn summary(top: &Obj, p: &mut Problems) -> (Option<Vec<String>>, Option<usize>) {
    let Some(s) = section(top, "summary", &["traits", "reasons"], p) else {
        return (None, None);
    };
    let traits: Vec<String> = s.opt("traits", p).unwrap_or_default();
    if traits.len() > 32 {
        p.range(&s.path_of("traits"), "at most 32 traits");
    }
    for (i, name) in traits.iter().enumerate() {
        if name.is_empty() || name.len() > 128 || crate::core::text::printable(name) != *name {
            p.range(
                &index(&s.path_of("traits"), i),
                "a trait name is 1 to 128 printable bytes",
            );
        }
    }
    let reasons: u32 = s.opt("reasons", p).unwrap_or(5);
    if !(1..=20).contains(&reasons) {
        p.range(&s.path_of("reasons"), "must be between 1 and 20");
    }
    (Some(traits), Some(reasons.clamp(1, 20) as usize))
}
