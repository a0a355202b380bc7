//! Lifecycle stages and how a visitor enters them: a scored threshold with hysteresis, or
//! another route (a hand-raise), each with its requirements.
use serde::{Deserialize, Serialize};

use crate::core::time::Millis;

/// Lifecycle stages, in order. Forward-only: a visitor's stage is the highest reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Visitor,
    Lead,
    Mql,
    Sql,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Visitor, Stage::Lead, Stage::Mql, Stage::Sql];
    pub fn name(self) -> &'static str {
        match self {
            Stage::Visitor => "visitor",
            Stage::Lead => "lead",
            Stage::Mql => "mql",
            Stage::Sql => "sql",
        }
    }
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A grade band: the first band whose `min` the axis reaches names the grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub min: Option<f64>,
    pub label: String,
}

/// What a visitor must also be to enter a stage by a route.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Requirements {
    pub min_fit: Option<f64>,
    pub min_engagement: Option<f64>,
    /// (framework index, minimum coverage in percent).
    pub min_coverage: Option<(usize, f64)>,
    /// Only a known visitor (a lead) may enter: sales cannot follow up on an anonymous one.
    pub known: bool,
    /// No disqualifying answer or rule may hold.
    pub no_disqualifier: bool,
}

/// Another way into a stage than the score: e.g. a hand-raise (a demo request) by a known
/// visitor whose fit is not negative. It holds while its conditions do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    /// Indices into the model's rules: any of them counted (within `within`, if set).
    pub rules: Vec<usize>,
    pub within: Option<Millis>,
    /// A minimum score, if the route has one.
    pub enter: Option<f64>,
    pub needs: Requirements,
}

/// How a stage (MQL, SQL) is entered and left: the scored route (enter at `enter`, hold down
/// to `exit`), or any of `routes`; a cooldown after leaving before entering again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub enter: f64,
    pub exit: f64,
    pub needs: Requirements,
    pub routes: Vec<Route>,
    pub cooldown: Millis,
    /// SQL only: once sales sends a lead back, how many points its score must rise above the
    /// score it had then before a later summary hands it to sales again (a new request the
    /// visitor makes always does). Applied by the collector, which knows what sales did.
    pub rearm: f64,
}

/// `stages.sql.rearmPoints` when a model does not say.
pub const DEFAULT_REARM_POINTS: f64 = 20.0;

/// The name of the scored route, as snapshots and summaries show it.
pub const SCORE_ROUTE: &str = "score";

impl Threshold {
    /// A threshold no score reaches (the fallback model's).
    pub fn unreachable() -> Threshold {
        Threshold {
            enter: 1e9,
            exit: 1e9,
            needs: Requirements::default(),
            routes: Vec::new(),
            cooldown: 0,
            rearm: DEFAULT_REARM_POINTS,
        }
    }

    /// The name of route `index`: 0 is the scored route, then `routes` in order.
    pub fn route_name(&self, index: u8) -> &str {
        match index.checked_sub(1) {
            None => SCORE_ROUTE,
            Some(i) => self
                .routes
                .get(usize::from(i))
                .map_or(SCORE_ROUTE, |r| r.id.as_str()),
        }
    }
}
