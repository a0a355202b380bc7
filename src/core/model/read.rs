//! Reading a model document: every problem is collected with its JSON path.

use super::condition::days_to_millis;
use super::{
    AnswerOption, Axis, Band, Bots, Condition, Framework, Frequency, Group, Model, ModelError,
    Rule, SessionConfig, Slot, Stage, Threshold,
};
use crate::core::json::{
    canonical, float, index, integer_text, FromJson, Obj, ProblemKind, Problems, Shared, Value,
};
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
                &integer_text(other.into()),
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
    let (lead_traits, mql, sql) = stages(&top, &frameworks, p);
    let handoff = handoff(&top, p);
    let bots = bots(&top, p);
    let actions = actions(&top, p);
    let (summary_traits, summary_reasons) = summary(&top, p);
    let hash = super::hex16(super::fnv1a64(canonical(value).as_bytes()));
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
            ["must be greater than 0, found ", &float::display(n)].concat(),
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
                ["must be greater than 0, found ", &float::display(cap)].concat(),
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

const RULE_KEYS: &[&str] = &[
    "id",
    "description",
    "group",
    "axis",
    "when",
    "points",
    "frequency",
    "cap",
    "halfLifeDays",
    "windowDays",
];

fn rules(top: &Obj, groups: &Option<Vec<Group>>, p: &mut Problems) -> Option<Vec<Rule>> {
    let Some(value) = top.get("rules") else {
        p.add("rules", ProblemKind::Missing, "required field is missing");
        return None;
    };
    let Value::Array(items) = value else {
        return Vec::<String>::from_json(value, "rules", p).and(None);
    };
    if items.len() > MAX_RULES {
        p.range(
            "rules",
            [
                "at most ",
                &integer_text(MAX_RULES as i64),
                " rules, found ",
                &integer_text(items.len() as i64),
            ]
            .concat(),
        );
    }
    let mut seen: SortedMap<String, usize> = SortedMap::new();
    let mut rules = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = index("rules", i);
        let Some(r) = Obj::open(item, &path, Some(RULE_KEYS), p) else {
            continue;
        };
        let id: Option<String> = r.req("id", p);
        if let Some(id) = &id {
            if !valid_id(id) {
                p.range(
                    &r.path_of("id"),
                    "a rule id uses letters, digits, '_', '-', '.' (at most 64)",
                );
            } else if seen.insert(id.clone(), i).is_some() {
                p.range(&r.path_of("id"), ["duplicate rule id '", id, "'"].concat());
            }
        }
        let _description: Option<String> = r.opt("description", p);
        let when: Option<Condition> = r.req("when", p);
        let points: Option<f64> = r.req("points", p);
        if points == Some(0.0) {
            p.range(
                &r.path_of("points"),
                "must not be 0 (a rule that scores nothing is a mistake)",
            );
        }
        let group = r.opt::<String>("group", p).and_then(|name| {
            let found = groups.as_ref()?.iter().position(|g| g.id == name);
            if found.is_none() {
                p.range(
                    &r.path_of("group"),
                    ["unknown group '", &name, "'; declare it under `groups`"].concat(),
                );
            }
            found
        });
        let is_trait = when.as_ref().is_some_and(Condition::is_trait);
        let axis = axis(&r, "axis", p).unwrap_or(if is_trait {
            Axis::Fit
        } else {
            Axis::Engagement
        });
        let frequency = frequency(&r, p);
        let cap = positive(&r, "cap", p);
        let half_life = positive(&r, "halfLifeDays", p).map(days_to_millis);
        let window = positive(&r, "windowDays", p).map(days_to_millis);
        if is_trait {
            for key in ["frequency", "halfLifeDays", "windowDays"] {
                if r.get(key).is_some() {
                    p.range(
                        &r.path_of(key),
                        "trait rules hold while the trait holds: no frequency, decay or window",
                    );
                }
            }
        }
        if let (Some(id), Some(when), Some(points)) = (id, when, points) {
            rules.push(Rule {
                id,
                group,
                axis,
                when,
                points,
                frequency,
                cap,
                half_life,
                window,
            });
        }
    }
    Some(rules)
}

fn axis(obj: &Obj, key: &str, p: &mut Problems) -> Option<Axis> {
    match obj.opt::<String>(key, p)?.as_str() {
        "fit" => Some(Axis::Fit),
        "engagement" => Some(Axis::Engagement),
        other => {
            p.range(
                &obj.path_of(key),
                ["expected 'fit' or 'engagement', found '", other, "'"].concat(),
            );
            None
        }
    }
}

fn frequency(rule: &Obj, p: &mut Problems) -> Frequency {
    let path = rule.path_of("frequency");
    match rule.get("frequency") {
        None => Frequency::Every,
        Some(Value::String(s)) if s == "every" => Frequency::Every,
        Some(Value::String(s)) if s == "once" => Frequency::Once,
        Some(Value::String(other)) => {
            p.range(&path, ["expected 'every', 'once' or {\"max\": N, \"per\": \"session\" | \"perDays\": D}, found '", other, "'"].concat());
            Frequency::Every
        }
        Some(value) => {
            let Some(f) = Obj::open(value, &path, Some(&["max", "per", "perDays"]), p) else {
                return Frequency::Every;
            };
            let max: u32 = f.req("max", p).unwrap_or(1);
            if max == 0 {
                p.range(&f.path_of("max"), "must be at least 1");
            }
            let per: Option<String> = f.opt("per", p);
            let per_days: Option<f64> = f.opt("perDays", p);
            match (per.as_deref(), per_days) {
                (Some("session"), None) => Frequency::PerSession(max.max(1)),
                (None, Some(days)) if days > 0.0 => Frequency::PerPeriod {
                    max: max.max(1),
                    period: days_to_millis(days),
                },
                (None, Some(_)) => {
                    p.range(&f.path_of("perDays"), "must be greater than 0");
                    Frequency::Every
                }
                (Some(other), None) => {
                    p.range(
                        &f.path_of("per"),
                        [
                            "expected 'session', found '",
                            other,
                            "' (use perDays for periods)",
                        ]
                        .concat(),
                    );
                    Frequency::Every
                }
                _ => {
                    p.range(
                        &path,
                        "give exactly one of `per: \"session\"` and `perDays`",
                    );
                    Frequency::Every
                }
            }
        }
    }
}

fn bands(obj: &Obj, key: &str, p: &mut Problems) -> Option<Vec<Band>> {
    let value = obj.get(key);
    let Some(Value::Array(items)) = value else {
        match value {
            None => p.add(
                &obj.path_of(key),
                ProblemKind::Missing,
                "required field is missing",
            ),
            Some(v) => p.add(
                &obj.path_of(key),
                ProblemKind::Type,
                ["expected an array, found ", crate::core::json::type_name(v)].concat(),
            ),
        }
        return None;
    };
    let mut out = Vec::new();
    let mut last_min = f64::INFINITY;
    for (i, item) in items.iter().enumerate() {
        let path = index(&obj.path_of(key), i);
        let Some(b) = Obj::open(item, &path, Some(&["min", "grade"]), p) else {
            continue;
        };
        let min: Option<f64> = b.opt("min", p);
        let label: Option<String> = b.req("grade", p);
        let is_last = i + 1 == items.len();
        match min {
            Some(m) if m >= last_min => p.range(
                &b.path_of("min"),
                "bands are listed from the highest min down",
            ),
            Some(m) => last_min = m,
            None if !is_last => p.range(&path, "only the last band may omit `min`"),
            None => {}
        }
        if is_last && min.is_some() {
            p.range(
                &b.path_of("min"),
                "the last band has no `min`: it catches every other score",
            );
        }
        out.extend(label.map(|label| Band { min, label }));
    }
    if items.is_empty() {
        p.range(&obj.path_of(key), "needs at least one band");
    }
    Some(out)
}

fn grades(top: &Obj, p: &mut Problems) -> (Option<Vec<Band>>, Option<Vec<Band>>) {
    let Some(g) = Obj::open(
        top.get("grades").unwrap_or(&Value::Null),
        "grades",
        Some(&["fit", "engagement"]),
        p,
    ) else {
        return (None, None);
    };
    (bands(&g, "fit", p), bands(&g, "engagement", p))
}

fn status(top: &Obj, p: &mut Problems) -> (Option<f64>, Option<f64>) {
    let Some(s) = Obj::open(
        top.get("status").unwrap_or(&Value::Null),
        "status",
        Some(&["warm", "hot"]),
        p,
    ) else {
        return (None, None);
    };
    let (warm, hot): (Option<f64>, Option<f64>) = (s.req("warm", p), s.req("hot", p));
    if let (Some(w), Some(h)) = (warm, hot) {
        if w >= h {
            p.range(
                "status.hot",
                [
                    "must be above status.warm (",
                    &float::display(w),
                    "), found ",
                    &float::display(h),
                ]
                .concat(),
            );
        }
    }
    (warm, hot)
}

fn threshold(
    stages: &Obj,
    key: &str,
    frameworks: &Option<Vec<Framework>>,
    p: &mut Problems,
) -> Option<Threshold> {
    const KEYS: &[&str] = &[
        "enter",
        "exit",
        "minFit",
        "minEngagement",
        "minCoverage",
        "known",
        "cooldownHours",
    ];
    let t = Obj::open(
        stages.get(key).unwrap_or(&Value::Null),
        &stages.path_of(key),
        Some(KEYS),
        p,
    )?;
    let enter: Option<f64> = t.req("enter", p);
    let exit: Option<f64> = t.opt("exit", p);
    if let (Some(enter), Some(exit)) = (enter, exit) {
        if exit > enter {
            p.range(
                &t.path_of("exit"),
                [
                    "must not be above enter (",
                    &float::display(enter),
                    "): hysteresis exits lower than it enters",
                ]
                .concat(),
            );
        }
    }
    let cooldown_hours: f64 = t.opt("cooldownHours", p).unwrap_or(0.0);
    if cooldown_hours < 0.0 {
        p.range(&t.path_of("cooldownHours"), "must not be negative");
    }
    let min_coverage = match t.get("minCoverage") {
        None => None,
        Some(v) => {
            let c = Obj::open(
                v,
                &t.path_of("minCoverage"),
                Some(&["framework", "percent"]),
                p,
            )?;
            let name: Option<String> = c.req("framework", p);
            let percent: Option<f64> = c.req("percent", p);
            if percent.is_some_and(|pc| !(0.0..=100.0).contains(&pc)) {
                p.range(&c.path_of("percent"), "must be between 0 and 100");
            }
            let found = name
                .as_ref()
                .and_then(|n| frameworks.as_ref()?.iter().position(|f| &f.id == n));
            if let (Some(n), None, Some(_)) = (&name, found, frameworks) {
                p.range(
                    &c.path_of("framework"),
                    ["unknown framework '", n, "'"].concat(),
                );
            }
            Some((found?, percent?))
        }
    };
    let enter = enter?;
    Some(Threshold {
        enter,
        exit: exit.unwrap_or(enter),
        min_fit: t.opt("minFit", p),
        min_engagement: t.opt("minEngagement", p),
        min_coverage,
        known: t.opt("known", p).unwrap_or(false),
        cooldown: (cooldown_hours.max(0.0) * HOUR as f64).min(1e15) as i64,
    })
}

type StageConfig = (Option<Vec<String>>, Option<Threshold>, Option<Threshold>);

fn stages(top: &Obj, frameworks: &Option<Vec<Framework>>, p: &mut Problems) -> StageConfig {
    let Some(s) = Obj::open(
        top.get("stages").unwrap_or(&Value::Null),
        "stages",
        Some(&["lead", "mql", "sql"]),
        p,
    ) else {
        return (None, None, None);
    };
    let lead = section(&s, "lead", &["traits"], p).and_then(|l| l.opt::<Vec<String>>("traits", p));
    let mql = threshold(&s, "mql", frameworks, p);
    let sql = threshold(&s, "sql", frameworks, p);
    if let (Some(m), Some(q)) = (&mql, &sql) {
        if q.enter < m.enter {
            p.range(
                "stages.sql.enter",
                [
                    "must not be below stages.mql.enter (",
                    &float::display(m.enter),
                    ")",
                ]
                .concat(),
            );
        }
    }
    (
        Some(lead.unwrap_or_else(|| vec!["email".to_string()])),
        mql,
        sql,
    )
}

fn handoff(top: &Obj, p: &mut Problems) -> Option<Vec<Stage>> {
    let names: Vec<String> = match top.get("handoff") {
        None => return Some(vec![Stage::Sql]),
        Some(v) => Vec::<String>::from_json(v, "handoff", p)?,
    };
    let mut stages = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match Stage::from_name(name) {
            Some(s @ (Stage::Mql | Stage::Sql)) => stages.push(s),
            _ => p.range(
                &index("handoff", i),
                ["expected 'mql' or 'sql', found '", name, "'"].concat(),
            ),
        }
    }
    Some(stages)
}

const SLOT_KEYS: &[&str] = &[
    "id",
    "question",
    "weight",
    "axis",
    "shareable",
    "answers",
    "filledBy",
];

fn slots(top: &Obj, p: &mut Problems) -> Option<Vec<Slot>> {
    let Some(value) = top.get("slots") else {
        return Some(Vec::new());
    };
    let Value::Array(items) = value else {
        return Vec::<String>::from_json(value, "slots", p).and(None);
    };
    if items.len() > MAX_SLOTS {
        p.range(
            "slots",
            [
                "at most ",
                &integer_text(MAX_SLOTS as i64),
                " slots, found ",
                &integer_text(items.len() as i64),
            ]
            .concat(),
        );
    }
    let mut seen: SortedMap<String, usize> = SortedMap::new();
    let mut slots = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(s) = Obj::open(item, &index("slots", i), Some(SLOT_KEYS), p) else {
            continue;
        };
        let id: Option<String> = s.req("id", p);
        if let Some(id) = &id {
            if !valid_id(id) {
                p.range(
                    &s.path_of("id"),
                    "a slot id uses letters, digits, '_', '-', '.' (at most 64)",
                );
            } else if seen.insert(id.clone(), i).is_some() {
                p.range(&s.path_of("id"), ["duplicate slot id '", id, "'"].concat());
            }
        }
        let question: Option<String> = s.req("question", p);
        let weight = positive(&s, "weight", p).unwrap_or(1.0);
        let axis = axis(&s, "axis", p).unwrap_or(Axis::Fit);
        let shareable: bool = s.opt("shareable", p).unwrap_or(false);
        let options = answers(&s, p);
        let filled_by: Vec<Condition> = s.opt("filledBy", p).unwrap_or_default();
        for (j, c) in filled_by.iter().enumerate() {
            if !matches!(
                c,
                Condition::Trait { .. } | Condition::Event { .. } | Condition::Page { .. }
            ) {
                p.range(
                    &index(&s.path_of("filledBy"), j),
                    "a slot is filled by a trait, an event or a page",
                );
            }
        }
        if let (Some(id), Some(question)) = (id, question) {
            slots.push(Slot {
                id,
                question,
                weight,
                axis,
                shareable,
                options,
                filled_by,
            });
        }
    }
    Some(slots)
}

fn answers(slot: &Obj, p: &mut Problems) -> Vec<AnswerOption> {
    let Some(value) = slot.get("answers") else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        let _ = Vec::<String>::from_json(value, &slot.path_of("answers"), p);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(a) = Obj::open(
            item,
            &index(&slot.path_of("answers"), i),
            Some(&["values", "points"]),
            p,
        ) else {
            continue;
        };
        let values: Option<Vec<String>> = a.req("values", p);
        if values
            .as_ref()
            .is_some_and(|v| v.is_empty() || v.iter().any(|s| s.trim().is_empty()))
        {
            p.range(
                &a.path_of("values"),
                "must list at least one non-empty value",
            );
        }
        let points: Option<f64> = a.req("points", p);
        if let (Some(values), Some(points)) = (values, points) {
            out.push(AnswerOption { values, points });
        }
    }
    out
}

fn frameworks(top: &Obj, slots: &Option<Vec<Slot>>, p: &mut Problems) -> Option<Vec<Framework>> {
    let Some(value) = top.get("frameworks") else {
        return Some(Vec::new());
    };
    let f = Obj::open(value, "frameworks", None, p)?;
    let mut out = Vec::new();
    for (id, list) in f.sorted() {
        let path = f.path_of(id);
        if !valid_id(id) {
            p.range(
                &path,
                "a framework id uses letters, digits, '_', '-', '.' (at most 64)",
            );
        }
        let Some(names) = Vec::<String>::from_json(list, &path, p) else {
            continue;
        };
        if names.is_empty() {
            p.range(&path, "a framework needs at least one slot");
        }
        let mut indices = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match slots
                .as_ref()
                .and_then(|s| s.iter().position(|slot| &slot.id == name))
            {
                Some(found) => indices.push(found),
                None if slots.is_some() => p.range(
                    &index(&path, i),
                    ["unknown slot '", name, "'; declare it under `slots`"].concat(),
                ),
                None => {}
            }
        }
        out.push(Framework {
            id: id.clone(),
            slots: indices,
        });
    }
    Some(out)
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

type Actions = SortedMap<Stage, Shared<SortedMap<String, String>>>;

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
        out.insert(stage, Shared::new(map));
    }
    Some(out)
}

fn summary(top: &Obj, p: &mut Problems) -> (Option<Vec<String>>, Option<usize>) {
    let Some(s) = section(top, "summary", &["traits", "reasons"], p) else {
        return (None, None);
    };
    let traits: Vec<String> = s.opt("traits", p).unwrap_or_default();
    let reasons: u32 = s.opt("reasons", p).unwrap_or(5);
    if !(1..=20).contains(&reasons) {
        p.range(&s.path_of("reasons"), "must be between 1 and 20");
    }
    (Some(traits), Some(reasons.clamp(1, 20) as usize))
}
