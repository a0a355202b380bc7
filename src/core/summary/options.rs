//! How a summary is produced: by which runtime, and whether the e-mail may go with it.
use crate::core::json::{Obj, Problem, Problems, Value};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SummaryOptions {
    pub runtime: Runtime,
    /// E-mail leaves the device only with consent.
    pub include_email: bool,
}

impl SummaryOptions {
    /// Reads `{ runtime?, includeEmail? }` (other keys are ignored).
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
        }
        match problems.0.into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(options),
        }
    }
}
