//! Model files: a model document (JSON), or a compiled model (`leadpulse compile`).
use std::path::Path;

use leadpulse::core::model::{compiled, Model};

/// Loads a model file, or the built-in model; the error names the file and every problem.
pub fn load(path: Option<&Path>) -> Result<Model, String> {
    let Some(path) = path else {
        return Ok(Model::builtin());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read model {}: {e}", path.display()))?;
    if compiled::is_compiled_text(&text) {
        return compiled::decode_text(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    Model::from_json_text(&text).map_err(|e| format!("{}: {e}", path.display()))
}
