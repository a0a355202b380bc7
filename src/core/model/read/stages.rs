//! Grades, status, stages (their thresholds: `thresholds.rs`) and hand-off.
use super::section;
use super::thresholds::{threshold, Known};
use crate::core::json::{index, FromJson, Obj, ProblemKind, Problems, Value};
use crate::core::model::{Band, Framework, Rule, Stage, Threshold};

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
        // NOTE: a grade is a fit label and an engagement label side by side, and summaries
        // carry at most 16 characters of it (docs/contracts.md, "Summary").
        if label
            .as_ref()
            .is_some_and(|l| l.is_empty() || l.len() > 8 || crate::core::text::printable(l) != *l)
        {
            p.range(
                &b.path_of("grade"),
                "a grade label is 1 to 8 printable characters",
            );
        }
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

pub(super) fn grades(top: &Obj, p: &mut Problems) -> (Option<Vec<Band>>, Option<Vec<Band>>) {
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

pub(super) fn status(top: &Obj, p: &mut Problems) -> (Option<f64>, Option<f64>) {
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
                    &w.to_string(),
                    "), found ",
                    &h.to_string(),
                ]
                .concat(),
            );
        }
    }
    (warm, hot)
}

type StageConfig = (Option<Vec<String>>, Option<Threshold>, Option<Threshold>);

pub(super) fn stages(
    top: &Obj,
    frameworks: &Option<Vec<Framework>>,
    rules: &Option<Vec<Rule>>,
    p: &mut Problems,
) -> StageConfig {
    let Some(s) = Obj::open(
        top.get("stages").unwrap_or(&Value::Null),
        "stages",
        Some(&["lead", "mql", "sql"]),
        p,
    ) else {
        return (None, None, None);
    };
    let lead = section(&s, "lead", &["traits"], p).and_then(|l| l.opt::<Vec<String>>("traits", p));
    let known = Known { frameworks, rules };
    let mql = threshold(&s, "mql", &known, p);
    let sql = threshold(&s, "sql", &known, p);
    if let (Some(m), Some(q)) = (&mql, &sql) {
        if q.enter < m.enter {
            p.range(
                "stages.sql.enter",
                [
                    "must not be below stages.mql.enter (",
                    &m.enter.to_string(),
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

pub(super) fn handoff(top: &Obj, p: &mut Problems) -> Option<Vec<Stage>> {
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
