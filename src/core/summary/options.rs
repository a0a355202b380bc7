//! How a summary is produced: by which runtime, whether the e-mail may go with it, and what a
//! shadow (challenger) model scored the same visitor.
use serde::{Deserialize, Serialize};

use crate::core::json::{Obj, Problem, Problems, Value};
use crate::core::model::Stage;

/// Where the summary was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runtime {
    #[default]
    Browser,
    Edge,
    Native,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Browser => "browser",
            Runtime::Edge => "edge",
            Runtime::Native => "native",
        }
    }
    pub fn from_name(name: &str) -> Option<Runtime> {
        [Runtime::Browser, Runtime::Edge, Runtime::Native]
            .into_iter()
            .find(|r| r.name() == name)
    }
}

/// What a second model, scored silently on the same events, made of the visitor: carried in
/// the summary so champion and challenger can be compared on real outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shadow {
    /// The shadow model's hash.
    pub model: String,
    pub score: i64,
    pub stage: String,
}

/// The largest |score| a shadow may report (as for any summary score).
const MAX_SHADOW_SCORE: i64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SummaryOptions {
    pub runtime: Runtime,
    /// E-mail leaves the device only with consent.
    pub include_email: bool,
    pub shadow: Option<Shadow>,
}

fn read_shadow(obj: &Obj, problems: &mut Problems) -> Option<Shadow> {
    let value = obj.get("shadow").filter(|v| !matches!(v, Value::Null))?;
    let path = obj.path_of("shadow");
    let shadow = Obj::open(value, &path, Some(&["model", "score", "stage"]), problems)?;
    let model: String = shadow.req("model", problems)?;
    let score: f64 = shadow.req("score", problems)?;
    let stage: String = shadow.req("stage", problems)?;
    let hex = model.len() == 16
        && model
            .bytes()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    if !hex {
        problems.range(
            &shadow.path_of("model"),
            "expected a model hash (16 lowercase hex digits)",
        );
    }
    if score.fract() != 0.0 || score.abs() > MAX_SHADOW_SCORE as f64 {
        problems.range(
            &shadow.path_of("score"),
            "expected an integer score within ±100000",
        );
    }
    let Some(stage) = Stage::from_name(&stage) else {
        problems.range(
            &shadow.path_of("stage"),
            "expected visitor, lead, mql or sql",
        );
        return None;
    };
    // NOTE: checked above; the cast cannot truncate a value that passed.
    (hex && score.fract() == 0.0 && score.abs() <= MAX_SHADOW_SCORE as f64).then(|| Shadow {
        model,
        score: score as i64,
        stage: stage.name().to_string(),
    })
}

impl SummaryOptions {
    /// Reads `{ runtime?, includeEmail?, shadow? }` (other keys are ignored).
    pub fn from_value(value: &Value) -> Result<SummaryOptions, Problem> {
        let mut problems = Problems::default();
        let mut options = SummaryOptions::default();
        if let Some(obj) = Obj::open(value, "options", None, &mut problems) {
            if let Some(name) = obj.opt::<String>("runtime", &mut problems) {
                match Runtime::from_name(&name) {
                    Some(runtime) => options.runtime = runtime,
                    None => {
                        problems.range("options.runtime", "expected 'browser', 'edge' or 'native'")
                    }
                }
            }
            if let Some(include) = obj.opt::<bool>("includeEmail", &mut problems) {
                options.include_email = include;
            }
            options.shadow = read_shadow(&obj, &mut problems);
        }
        match problems.0.into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(options),
        }
    }
}
