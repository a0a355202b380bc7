//! Stage thresholds: the scored route (enter, exit, cooldown), the other routes into the
//! stage (a hand-raise …) and what each requires (fit, engagement, coverage, a known visitor,
//! no disqualifier).
use crate::core::json::{index, Obj, Problems, Value};
use crate::core::model::condition::days_to_millis;
use crate::core::model::{Framework, Requirements, Route, Rule, Threshold, DEFAULT_REARM_POINTS};
use crate::core::time::HOUR;

use super::{positive, valid_id};

/// What a threshold may refer to by name.
pub(super) struct Known<'m> {
    pub frameworks: &'m Option<Vec<Framework>>,
    pub rules: &'m Option<Vec<Rule>>,
}

const NEEDS: &[&str] = &[
    "minFit",
    "minEngagement",
    "minCoverage",
    "known",
    "noDisqualifier",
];

fn keys(own: &[&'static str]) -> Vec<&'static str> {
    own.iter().chain(NEEDS).copied().collect()
}

pub(super) fn threshold(
    stages: &Obj,
    key: &str,
    known: &Known,
    p: &mut Problems,
) -> Option<Threshold> {
    // NOTE: only an SQL is sent back by sales, so only it re-arms.
    let own: &[&'static str] = if key == "sql" {
        &["enter", "exit", "cooldownHours", "routes", "rearmPoints"]
    } else {
        &["enter", "exit", "cooldownHours", "routes"]
    };
    let allowed = keys(own);
    let t = Obj::open(
        stages.get(key).unwrap_or(&Value::Null),
        &stages.path_of(key),
        Some(&allowed),
        p,
    )?;
    let enter: Option<f64> = t.req("enter", p);
    let exit: Option<f64> = t.opt("exit", p);
    if let (Some(enter), Some(exit)) = (enter, exit) {
        if exit > enter {
            p.range(
                &t.path_of("exit"),
                format!("must not be above enter ({enter}): hysteresis exits lower than it enters"),
            );
        }
    }
    let cooldown_hours: f64 = t.opt("cooldownHours", p).unwrap_or(0.0);
    if cooldown_hours < 0.0 {
        p.range(&t.path_of("cooldownHours"), "must not be negative");
    }
    let rearm: f64 = t.opt("rearmPoints", p).unwrap_or(DEFAULT_REARM_POINTS);
    if !(0.0..=MAX_REARM_POINTS).contains(&rearm) {
        p.range(
            &t.path_of("rearmPoints"),
            format!("must be between 0 and {MAX_REARM_POINTS}"),
        );
    }
    let needs = requirements(&t, known, p);
    let routes = routes(&t, known, p);
    let enter = enter?;
    Some(Threshold {
        enter,
        exit: exit.unwrap_or(enter),
        needs: needs?,
        routes: routes?,
        cooldown: (cooldown_hours.max(0.0) * HOUR as f64).min(1e15) as i64,
        rearm: rearm.clamp(0.0, MAX_REARM_POINTS),
    })
}

/// A re-arm above this would never re-arm: scores are bounded far below it.
const MAX_REARM_POINTS: f64 = 10_000.0;

fn requirements(obj: &Obj, known: &Known, p: &mut Problems) -> Option<Requirements> {
    let min_coverage = match obj.get("minCoverage") {
        None => None,
        Some(v) => {
            let c = Obj::open(
                v,
                &obj.path_of("minCoverage"),
                Some(&["framework", "percent"]),
                p,
            )?;
            let name: Option<String> = c.req("framework", p);
            let percent: Option<f64> = c.req("percent", p);
            if percent.is_some_and(|pc| !(0.0..=100.0).contains(&pc)) {
                p.range(&c.path_of("percent"), "must be between 0 and 100");
            }
            let frameworks = known.frameworks;
            let found = name
                .as_ref()
                .and_then(|n| frameworks.as_ref()?.iter().position(|f| &f.id == n));
            if let (Some(n), None, Some(_)) = (&name, found, frameworks) {
                p.range(&c.path_of("framework"), format!("unknown framework '{n}'"));
            }
            Some((found?, percent?))
        }
    };
    Some(Requirements {
        min_fit: obj.opt("minFit", p),
        min_engagement: obj.opt("minEngagement", p),
        min_coverage,
        known: obj.opt("known", p).unwrap_or(false),
        no_disqualifier: obj.opt("noDisqualifier", p).unwrap_or(false),
    })
}

fn routes(t: &Obj, known: &Known, p: &mut Problems) -> Option<Vec<Route>> {
    let Some(value) = t.get("routes") else {
        return Some(Vec::new());
    };
    let Value::Array(items) = value else {
        p.add(
            &t.path_of("routes"),
            crate::core::json::ProblemKind::Type,
            format!("expected an array, found {}", value.type_name()),
        );
        return None;
    };
    let allowed = keys(&["id", "rules", "withinDays", "enter"]);
    let mut out: Vec<Route> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = index(&t.path_of("routes"), i);
        let Some(r) = Obj::open(item, &path, Some(&allowed), p) else {
            continue;
        };
        let id: Option<String> = r.req("id", p);
        if let Some(id) = &id {
            if !valid_id(id) || id == crate::core::model::SCORE_ROUTE {
                p.range(
                    &r.path_of("id"),
                    "a route id uses letters, digits, '_', '-', '.' (at most 64), and is not 'score'",
                );
            } else if out.iter().any(|route| &route.id == id) {
                p.range(&r.path_of("id"), format!("duplicate route id '{id}'"));
            }
        }
        let names: Vec<String> = r.opt("rules", p).unwrap_or_default();
        let mut rules = Vec::new();
        for (j, name) in names.iter().enumerate() {
            match known
                .rules
                .as_ref()
                .map(|all| all.iter().position(|rule| &rule.id == name))
            {
                Some(Some(found)) => rules.push(found),
                Some(None) => p.range(
                    &index(&r.path_of("rules"), j),
                    format!("unknown rule '{name}'"),
                ),
                None => {}
            }
        }
        let enter: Option<f64> = r.opt("enter", p);
        if names.is_empty() && enter.is_none() {
            p.range(&path, "a route needs `rules`, `enter` or both");
        }
        let within = positive(&r, "withinDays", p).map(days_to_millis);
        let needs = requirements(&r, known, p);
        if let (Some(id), Some(needs)) = (id, needs) {
            out.push(Route {
                id,
                rules,
                within,
                enter,
                needs,
            });
        }
    }
    if out.len() > 8 {
        p.range(&t.path_of("routes"), "at most 8 routes");
    }
    Some(out)
}
