//! The column entries of a map: the outcome, traits, engagement and events, each read with
//! the paths of its problems.
use leadpulse::core::json::{index, Obj, ProblemKind, Problems, Value};

use super::{
    cell, plain_cell, same, words, Emit, Engagement, EngagementColumn, EventColumn, OutcomeMap,
    TraitColumn, TraitKind,
};

pub(super) fn outcome(value: &Value, p: &mut Problems) -> Option<OutcomeMap> {
    let own = [
        "column",
        "missing",
        "converted",
        "notConverted",
        "amount",
        "closedAt",
    ];
    let (cell, obj) = cell(value, "outcome", &own, p)?;
    let converted: Vec<String> = obj
        .opt("converted", p)
        .unwrap_or_else(|| words(&["1", "true", "yes", "won"]));
    let not_converted: Vec<String> = obj
        .opt("notConverted", p)
        .unwrap_or_else(|| words(&["0", "false", "no", "lost"]));
    if let Some(both) = converted
        .iter()
        .find(|c| not_converted.iter().any(|n| same(c, n)))
    {
        p.range(
            &obj.path_of("notConverted"),
            format!("'{both}' is listed as converted too"),
        );
    }
    let column = |key: &str, p: &mut Problems| {
        obj.opt::<String>(key, p)
            .map(|c| plain_cell(&c, &obj.path_of(key), p))
    };
    let amount = column("amount", p);
    let closed_at = column("closedAt", p);
    Some(OutcomeMap {
        cell,
        converted,
        not_converted,
        amount,
        closed_at,
    })
}

pub(super) fn trait_column(value: &Value, path: &str, p: &mut Problems) -> Option<TraitColumn> {
    let own = [
        "column",
        "missing",
        "trait",
        "type",
        "categories",
        "min",
        "max",
        "notGiven",
        "notGivenAs",
    ];
    let (cell, obj) = cell(value, path, &own, p)?;
    let name: String = obj.req("trait", p)?;
    if name.is_empty() || name.len() > 128 || leadpulse::core::text::printable(&name) != name {
        p.range(
            &obj.path_of("trait"),
            "a trait name is 1 to 128 printable bytes",
        );
    }
    let kind_name: String = obj.opt("type", p).unwrap_or_else(|| "category".into());
    let categories: Option<Vec<String>> = obj.opt("categories", p);
    let (min, max): (Option<f64>, Option<f64>) = (obj.opt("min", p), obj.opt("max", p));
    let kind = match kind_name.as_str() {
        "category" => TraitKind::Category(categories.clone()),
        "text" => TraitKind::Text,
        "number" => TraitKind::Number { min, max },
        other => {
            p.range(
                &obj.path_of("type"),
                format!("expected 'category', 'text' or 'number', found '{other}'"),
            );
            return None;
        }
    };
    if categories.is_some() && !matches!(kind, TraitKind::Category(_)) {
        p.range(
            &obj.path_of("categories"),
            "only a category trait has categories",
        );
    }
    if (min.is_some() || max.is_some()) && !matches!(kind, TraitKind::Number { .. }) {
        p.range(&obj.path, "only a number trait has `min` and `max`");
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            p.range(&obj.path_of("max"), format!("is below min ({lo})"));
        }
    }
    let not_given: Vec<String> = obj.opt("notGiven", p).unwrap_or_default();
    let not_given_as: String = obj
        .opt("notGivenAs", p)
        .unwrap_or_else(|| "not given".into());
    if not_given_as.trim().is_empty() {
        p.range(&obj.path_of("notGivenAs"), "must not be empty");
    }
    if let Some(both) = not_given
        .iter()
        .find(|n| cell.missing.iter().any(|m| same(m, n)))
    {
        p.range(
            &obj.path_of("notGiven"),
            format!("'{both}' is listed under `missing` too: a value means one or the other"),
        );
    }
    Some(TraitColumn {
        cell,
        name,
        kind,
        not_given,
        not_given_as,
    })
}

pub(super) fn engagement_column(
    value: &Value,
    path: &str,
    p: &mut Problems,
) -> Option<EngagementColumn> {
    let (cell, obj) = cell(value, path, &["column", "missing", "as", "event"], p)?;
    let kind: String = obj.req("as", p)?;
    let event: Option<String> = obj.opt("event", p);
    let kind = match (kind.as_str(), event) {
        ("visits", None) => Engagement::Visits,
        ("pages", None) => Engagement::Pages,
        ("pagesPerVisit", None) => Engagement::PagesPerVisit,
        ("seconds", None) => Engagement::Seconds,
        ("minutes", None) => Engagement::Minutes,
        ("count", Some(name)) => {
            event_name(&name, &obj.path_of("event"), p);
            Engagement::Count(name)
        }
        ("count", None) => {
            p.add(
                &obj.path_of("event"),
                ProblemKind::Missing,
                "a count names its event",
            );
            return None;
        }
        (_, Some(_))
            if ["visits", "pages", "pagesPerVisit", "seconds", "minutes"]
                .contains(&kind.as_str()) =>
        {
            p.range(
                &obj.path_of("event"),
                "only `\"as\": \"count\"` names an event",
            );
            return None;
        }
        (other, _) => {
            p.range(
                &obj.path_of("as"),
                format!("expected visits, pages, pagesPerVisit, seconds, minutes or count, found '{other}'"),
            );
            return None;
        }
    };
    Some(EngagementColumn { cell, kind })
}

pub(super) fn event_column(value: &Value, path: &str, p: &mut Problems) -> Option<EventColumn> {
    let own = [
        "column",
        "missing",
        "event",
        "when",
        "eventFromValue",
        "properties",
    ];
    let (cell, obj) = cell(value, path, &own, p)?;
    let name: Option<String> = obj.opt("event", p);
    let from_value: bool = obj.opt("eventFromValue", p).unwrap_or(false);
    let when: Option<Vec<String>> = obj.opt("when", p);
    let emit = match (name, from_value) {
        (Some(name), false) => {
            event_name(&name, &obj.path_of("event"), p);
            let when = when.unwrap_or_else(|| words(&["1", "true", "yes"]));
            Emit::Named { name, when }
        }
        (None, true) => {
            if when.is_some() {
                p.range(
                    &obj.path_of("when"),
                    "an event named by the value has no `when`",
                );
            }
            Emit::FromValue
        }
        _ => {
            p.range(
                path,
                "give exactly one of `event` and `\"eventFromValue\": true`",
            );
            return None;
        }
    };
    let mut properties = serde_json::Map::new();
    if let Some(value) = obj.get("properties") {
        if let Some(props) = Obj::open(value, &obj.path_of("properties"), None, p) {
            for (key, v) in props.map {
                let json = match v {
                    Value::String(s) => serde_json::Value::from(s.as_str()),
                    Value::Number(n) => serde_json::Value::from(*n),
                    Value::Bool(b) => serde_json::Value::from(*b),
                    other => {
                        p.add(
                            &props.path_of(key),
                            ProblemKind::Type,
                            format!(
                                "expected a string, number or boolean, found {}",
                                other.type_name()
                            ),
                        );
                        continue;
                    }
                };
                properties.insert(key.clone(), json);
            }
        }
    }
    Some(EventColumn {
        cell,
        emit,
        properties,
    })
}

fn event_name(name: &str, path: &str, p: &mut Problems) {
    if name.is_empty() || name.len() > leadpulse::core::event::MAX_ID_LEN {
        p.range(path, "an event name is 1 to 128 bytes");
    }
}

/// Two traits of the same name would overwrite each other.
pub(super) fn check_names(traits: &[TraitColumn], p: &mut Problems) {
    for (i, t) in traits.iter().enumerate() {
        if let Some(first) = traits.iter().position(|other| other.name == t.name) {
            if first < i {
                p.range(
                    &index("traits", i),
                    format!("trait '{}' is also written by traits[{first}]", t.name),
                );
            }
        }
    }
}
