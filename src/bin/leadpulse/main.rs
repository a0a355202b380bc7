//! The native `leadpulse` command.
mod args;
mod replay;
mod serve;

use std::process::ExitCode;

use leadpulse::core::model::{Model, BUILTIN_JSON};

const USAGE: &str = "usage: leadpulse <command>
  replay [--model FILE] [--at TIME] EVENTS.jsonl   score events ('-' = stdin), one JSON line per visitor
  validate FILE                                    check a model, print every problem
  model                                            print the built-in model
  serve [--port N] [--db FILE] [--root DIR] [--model FILE] [--secret S] [--require-signature]
        [--csp POLICY] [--rate-limit R[:B]|off]    dev server and summary collector on 127.0.0.1";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "replay" => replay::run(rest),
        "validate" => validate(rest),
        "model" => {
            print!("{BUILTIN_JSON}");
            ExitCode::SUCCESS
        }
        "serve" => serve::run(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("leadpulse: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Loads a model file, or the built-in model; the error names the file and every problem.
pub fn load_model(path: Option<&str>) -> Result<Model, String> {
    let Some(path) = path else {
        return Model::from_json_text(BUILTIN_JSON).map_err(|e| e.to_string());
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read model {path}: {e}"))?;
    Model::from_json_text(&text).map_err(|e| format!("{path}: {e}"))
}

fn validate(args: &[String]) -> ExitCode {
    let [path] = args else {
        eprintln!("usage: leadpulse validate FILE");
        return ExitCode::from(2);
    };
    match load_model(Some(path)) {
        Ok(model) => {
            println!(
                "{path}: ok — model '{}' ({}), {} rules, {} slots, frameworks: {}",
                model.name,
                model.hash,
                model.rules.len(),
                model.slots.len(),
                model
                    .frameworks
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
