//! The native `leadpulse` command.
mod backup;
mod compare;
mod fit;
mod import;
mod input;
mod learn;
mod model_file;
mod output;
mod progress;
mod replay;
mod report;
mod serve;
mod users;
mod validate;
#[cfg(feature = "warehouse")]
mod warehouse;
mod window;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use leadpulse::core::model::{compiled, BUILTIN_JSON};

/// Live lead-intent scoring: check and compile models, replay history, run the collector.
#[derive(Parser)]
#[command(name = "leadpulse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a model; print every problem with its JSON path (exit 1 if any).
    Validate {
        /// The model document (JSON).
        model: PathBuf,
        /// A history (JSONL events, or Parquet: a file or a directory): also warn about each
        /// trait, event, event property or source the model tests that the history never has.
        #[arg(long, value_name = "E.jsonl|E.parquet|DIR")]
        against: Option<PathBuf>,
    },
    /// Compile a model for the browser build: validated once, shipped compact.
    ///
    /// Prints base64url text (or writes it to --out); pass it as `data-model` (a URL
    /// serving it) or to `new Scorer(text)`.
    Compile {
        /// The model document (JSON); the built-in model if omitted.
        model: Option<PathBuf>,
        /// Write the compiled model here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Replay a history (JSONL or Parquet) through a model: one snapshot line per visitor.
    Replay(replay::Options),
    /// Print the built-in model (a complete, annotated-by-example model document).
    Model,
    /// The collector and sales backend: stores qualified leads, pushes new SQLs to webhooks,
    /// takes sales feedback, serves the dashboard and the demo site.
    Serve(Box<serve::Options>),
    /// Turn a CRM or marketing-automation export (CSV) into events and outcomes, as a mapping
    /// file says (docs/import.md).
    Import(import::Options),
    /// Learn integer points for a model's rules from outcomes, with a held-out report
    /// (docs/learning.md).
    Fit(Box<fit::Options>),
    /// Champion and challenger on the same history: both models' metrics against outcomes,
    /// and the leads whose stage differs.
    Compare(compare::Options),
    /// Write a JSONL history as Parquet, one column per contract field (docs/warehouse.md):
    /// the warehouse form `replay`, `fit` and `compare` read as well.
    #[cfg(feature = "warehouse")]
    Export(warehouse::export::Options),
    /// Sales figures from the collector's store: MQLs, SQLs, conversion rates, velocity,
    /// rejection reasons, by source, model or owner (docs/metrics.md).
    Report(report::Options),
    /// The people who use the collector's API, each with their own token: add (prints the
    /// token once), list, revoke (docs/collector.md, "Users and roles").
    Users(users::Options),
    /// Copy the collector's SQLite file while `serve` runs (a consistent, checked copy;
    /// docs/collector.md, "Upgrades and backups").
    Backup(backup::Options),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { model, against } => validate::run(&model, against.as_deref()),
        Command::Compile { model, out } => compile(model.as_deref(), out.as_deref()),
        Command::Replay(options) => replay::run(options),
        Command::Model => print(BUILTIN_JSON),
        Command::Serve(options) => serve::run(*options),
        Command::Import(options) => import::run(options),
        Command::Fit(options) => fit::run(*options),
        Command::Compare(options) => compare::run(options),
        #[cfg(feature = "warehouse")]
        Command::Export(options) => warehouse::export::run(options),
        Command::Report(options) => report::run(options),
        Command::Users(options) => users::run(options),
        Command::Backup(options) => backup::run(options),
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn print(text: &str) -> ExitCode {
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn compile(path: Option<&std::path::Path>, out: Option<&std::path::Path>) -> ExitCode {
    let model = match model_file::load(path) {
        Ok(model) => model,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let text = compiled::encode_text(&model) + "\n";
    match out {
        None => print(&text),
        Some(out) => match std::fs::write(out, text) {
            Ok(()) => {
                eprintln!(
                    "leadpulse compile: model '{}' ({}) → {}",
                    model.name,
                    model.hash,
                    out.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("leadpulse compile: cannot write {}: {e}", out.display());
                ExitCode::FAILURE
            }
        },
    }
}
