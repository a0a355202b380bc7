//! Schema check of a posted summary (`docs/contracts.md`, "Summary"): the first problem,
//! with its JSON path (`reasons[2].points`, `traits["company.name"]`).
use serde_json::{Map, Value};

#[derive(Debug, PartialEq)]
pub struct Problem {
    pub path: String,
    pub error: String,
}

type Check = fn(&Value, &str) -> Result<(), Problem>;

/// Every top-level field, in contract order; all are required.
const FIELDS: &[(&str, Check)] = &[
    ("version", |v, p| match v.as_u64() {
        Some(1) => Ok(()),
        _ => fail(p, "expected 1"),
    }),
    ("id", |v, p| {
        let ok = str_of(v, p)?.strip_prefix("lp_").is_some_and(is_hex16);
        if ok {
            Ok(())
        } else {
            fail(p, "expected lp_ followed by 16 lowercase hex digits")
        }
    }),
    ("visitor", |v, p| bounded_string(v, p, 128)),
    ("model", |v, p| {
        if is_hex16(str_of(v, p)?) {
            Ok(())
        } else {
            fail(p, "expected 16 lowercase hex digits")
        }
    }),
    ("stage", |v, p| {
        one_of(v, p, &["visitor", "lead", "mql", "sql"])
    }),
    ("score", finite_number),
    ("fit", finite_number),
    ("engagement", finite_number),
    ("grade", |v, p| bounded_string(v, p, 64)),
    ("reasons", reasons),
    ("frameworks", frameworks),
    ("slots", |v, p| scalar_map(v, p)),
    ("traits", |v, p| scalar_map(v, p)),
    ("firstSeen", iso_string),
    ("qualifiedAt", iso_string),
    ("sessions", count),
    ("engagedSeconds", count),
    ("source", source),
    ("runtime", |v, p| {
        one_of(v, p, &["browser", "edge", "native"])
    }),
];

pub fn check(summary: &Value) -> Result<(), Problem> {
    let fields = object(summary, "")?;
    for (name, check) in FIELDS {
        match fields.get(*name) {
            Some(value) => check(value, name)?,
            None => fail(name, "missing required field")?,
        }
    }
    match fields
        .keys()
        .find(|k| !FIELDS.iter().any(|(name, _)| name == k))
    {
        Some(unknown) => fail(&join("", unknown), "unknown field"),
        None => Ok(()),
    }
}

fn fail(path: &str, error: &str) -> Result<(), Problem> {
    Err(Problem {
        path: path.to_string(),
        error: error.to_string(),
    })
}

/// `parent.key`, or `parent["odd key"]` when the key is not a plain name.
fn join(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", Value::from(key)),
    }
}

fn is_hex16(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Problem> {
    v.as_object().ok_or_else(|| Problem {
        path: path.to_string(),
        error: "expected an object".into(),
    })
}

fn str_of<'a>(v: &'a Value, path: &str) -> Result<&'a str, Problem> {
    v.as_str().ok_or_else(|| Problem {
        path: path.to_string(),
        error: "expected a string".into(),
    })
}

fn bounded_string(v: &Value, path: &str, max_chars: usize) -> Result<(), Problem> {
    let s = str_of(v, path)?;
    if s.is_empty() || s.chars().count() > max_chars {
        return fail(path, &format!("expected 1 to {max_chars} characters"));
    }
    Ok(())
}

fn one_of(v: &Value, path: &str, allowed: &[&str]) -> Result<(), Problem> {
    let s = str_of(v, path)?;
    if allowed.contains(&s) {
        Ok(())
    } else {
        fail(path, &format!("expected one of {}", allowed.join(", ")))
    }
}

fn finite_number(v: &Value, path: &str) -> Result<(), Problem> {
    match v.as_f64() {
        Some(n) if n.is_finite() => Ok(()),
        _ => fail(path, "expected a finite number"),
    }
}

fn count(v: &Value, path: &str) -> Result<(), Problem> {
    match v.as_u64() {
        Some(_) => Ok(()),
        None => fail(path, "expected a non-negative integer"),
    }
}

fn iso_string(v: &Value, path: &str) -> Result<(), Problem> {
    if super::iso_time::is_iso_datetime(str_of(v, path)?) {
        Ok(())
    } else {
        fail(
            path,
            "expected an ISO-8601 date-time such as 2026-11-20T09:00:00.000Z",
        )
    }
}

fn string_array(v: &Value, path: &str) -> Result<(), Problem> {
    let items = v.as_array().ok_or_else(|| Problem {
        path: path.to_string(),
        error: "expected an array".into(),
    })?;
    for (i, item) in items.iter().enumerate() {
        str_of(item, &format!("{path}[{i}]"))?;
    }
    Ok(())
}

fn reasons(v: &Value, path: &str) -> Result<(), Problem> {
    let items = v.as_array().ok_or_else(|| Problem {
        path: path.to_string(),
        error: "expected an array".into(),
    })?;
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let reason = object(item, &at)?;
        let rule = join(&at, "rule");
        bounded_string(reason.get("rule").unwrap_or(&Value::Null), &rule, 128)?;
        finite_number(
            reason.get("points").unwrap_or(&Value::Null),
            &join(&at, "points"),
        )?;
    }
    Ok(())
}

/// `{ "BANT": { "coverage": 0..=100, "filled": [..], "missing": [..] } }`.
fn frameworks(v: &Value, path: &str) -> Result<(), Problem> {
    for (name, framework) in object(v, path)? {
        let at = join(path, name);
        let framework = object(framework, &at)?;
        let coverage = join(&at, "coverage");
        match framework.get("coverage").and_then(Value::as_u64) {
            Some(0..=100) => {}
            _ => fail(&coverage, "expected an integer percentage 0 to 100")?,
        }
        for list in ["filled", "missing"] {
            string_array(
                framework.get(list).unwrap_or(&Value::Null),
                &join(&at, list),
            )?;
        }
    }
    Ok(())
}

/// Slots and traits: names to strings, numbers or booleans.
fn scalar_map(v: &Value, path: &str) -> Result<(), Problem> {
    for (key, value) in object(v, path)? {
        if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
            fail(&join(path, key), "expected a string, number or boolean")?;
        }
    }
    Ok(())
}

/// `{ "first": touch | null, "last": touch | null }`, touch = `{ referrer, utm }`.
fn source(v: &Value, path: &str) -> Result<(), Problem> {
    let source = object(v, path)?;
    for key in ["first", "last"] {
        let at = join(path, key);
        let touch = match source.get(key) {
            Some(Value::Null) => continue,
            Some(touch) => object(touch, &at)?,
            None => return fail(&at, "missing required field"),
        };
        match touch.get("referrer") {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(_) => fail(&join(&at, "referrer"), "expected a string or null")?,
        }
        if let Some(utm) = touch.get("utm") {
            let at = join(&at, "utm");
            for (name, value) in object(utm, &at)? {
                str_of(value, &join(&at, name))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        let text = include_str!("../../../../tests/fixtures/summary/valid.json");
        serde_json::from_str(text).unwrap()
    }

    fn path_of(edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut summary = valid();
        edit(summary.as_object_mut().unwrap());
        match check(&summary) {
            Err(problem) => problem.path,
            Ok(()) => panic!("edited summary was accepted"),
        }
    }

    #[test]
    fn fixture_is_valid() {
        assert_eq!(check(&valid()), Ok(()));
    }

    #[test]
    fn names_the_path_of_the_first_problem() {
        assert_eq!(check(&json!([])).unwrap_err().path, "");
        assert_eq!(path_of(|s| drop(s.remove("visitor"))), "visitor");
        assert_eq!(
            path_of(|s| drop(s.insert("version".into(), json!(2)))),
            "version"
        );
        assert_eq!(
            path_of(|s| drop(s.insert("id".into(), json!("lp_0123")))),
            "id"
        );
        assert_eq!(
            path_of(|s| drop(s.insert("extra".into(), json!(1)))),
            "extra"
        );
        assert_eq!(
            path_of(|s| drop(s.insert("a b".into(), json!(1)))),
            "[\"a b\"]"
        );
        assert_eq!(
            path_of(|s| drop(s.insert(
                "reasons".into(),
                json!([{"rule": "x", "points": 1}, {"rule": "y"}])
            ))),
            "reasons[1].points"
        );
        assert_eq!(
            path_of(|s| drop(s.insert("traits".into(), json!({"company.name": ["Acme"]})))),
            "traits[\"company.name\"]"
        );
        assert_eq!(
            path_of(|s| drop(s.insert(
                "frameworks".into(),
                json!({"BANT": {"coverage": 101, "filled": [], "missing": []}})
            ))),
            "frameworks.BANT.coverage"
        );
        assert_eq!(
            path_of(|s| drop(s.insert(
                "source".into(),
                json!({"first": null, "last": {"utm": {"source": 1}}})
            ))),
            "source.last.utm.source"
        );
    }

    #[test]
    fn join_quotes_odd_keys() {
        assert_eq!(join("traits", "title"), "traits.title");
        assert_eq!(join("traits", "a\"b"), "traits[\"a\\\"b\"]");
        assert_eq!(join("", ""), "[\"\"]");
    }
}
