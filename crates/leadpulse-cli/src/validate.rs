//! `leadpulse validate MODEL [--against HISTORY]`: every problem of the model with its JSON
//! path (exit 1 if any); with a history, a warning for each trait, event, event property or
//! source the model tests that the history never has (learn/coverage.rs) — warnings only.
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::learn::{coverage, history};

pub fn run(path: &Path, against: Option<&Path>) -> ExitCode {
    let model = match crate::model_file::load(Some(path)) {
        Ok(model) => model,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let frameworks: Vec<&str> = model.frameworks.iter().map(|f| f.id.as_str()).collect();
    let line = format!(
        "{}: ok — model '{}' ({}), {} rules, {} slots, frameworks: {}\n",
        path.display(),
        model.name,
        model.hash,
        model.rules.len(),
        model.slots.len(),
        frameworks.join(", ")
    );
    let Some(history) = against else {
        return crate::print(&line);
    };
    let model = Arc::new(model);
    let mut seen = coverage::Seen::default();
    let replayed = history::replay(
        &history::Input::new(history, crate::window::Window::default()),
        std::slice::from_ref(&model),
        "validate",
        None,
        &mut |_, event, _| seen.observe(event),
    );
    if let Err(message) = replayed {
        eprintln!("leadpulse validate: {message}");
        return ExitCode::from(2);
    }
    let warnings = coverage::warnings(&model, &seen);
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let count = warnings.len();
    crate::print(&format!(
        "{line}against {}: {}\n",
        history.display(),
        match count {
            0 => "every trait, event, property and source the model tests is in the history"
                .to_string(),
            1 => "1 warning".to_string(),
            n => format!("{n} warnings"),
        }
    ))
}
