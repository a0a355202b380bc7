//! Rules: ids, conditions, points, frequency, caps, decay and windows.
use super::{positive, valid_id, MAX_RULES};
use crate::core::json::{index, FromJson, Obj, ProblemKind, Problems, Value};
use crate::core::model::condition::days_to_millis;
use crate::core::model::{Axis, Condition, Frequency, Group, Rule};
use crate::core::sorted_map::SortedMap;

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
    "disqualifies",
];

pub(super) fn rules(top: &Obj, groups: &Option<Vec<Group>>, p: &mut Problems) -> Option<Vec<Rule>> {
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
                &MAX_RULES.to_string(),
                " rules, found ",
                &items.len().to_string(),
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
        if points.is_some_and(|n| n.abs() > super::MAX_POINTS) {
            p.range(&r.path_of("points"), super::POINTS_RANGE);
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
        let holds = when.as_ref().is_some_and(Condition::holds_over_time);
        let axis = axis(&r, "axis", p).unwrap_or(
            if when.as_ref().is_some_and(Condition::default_is_fit) {
                Axis::Fit
            } else {
                Axis::Engagement
            },
        );
        let frequency = frequency(&r, p);
        let cap = positive(&r, "cap", p);
        let half_life = positive(&r, "halfLifeDays", p).map(days_to_millis);
        let window = positive(&r, "windowDays", p).map(days_to_millis);
        let disqualifies: bool = r.opt("disqualifies", p).unwrap_or(false);
        if disqualifies && !is_trait {
            p.range(
                &r.path_of("disqualifies"),
                "only a trait rule can disqualify (it holds while the trait does)",
            );
        }
        if holds {
            for key in ["frequency", "halfLifeDays", "windowDays"] {
                if r.get(key).is_some() {
                    p.range(
                        &r.path_of(key),
                        "trait, source and combination rules hold while their condition does: no frequency, decay or window",
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
                disqualifies,
            });
        }
    }
    Some(rules)
}

pub(super) fn axis(obj: &Obj, key: &str, p: &mut Problems) -> Option<Axis> {
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
