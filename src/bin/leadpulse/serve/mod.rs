//! `leadpulse serve`: dev server and summary collector (placeholder until implemented).
use std::process::ExitCode;

pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("leadpulse serve: not implemented yet");
    ExitCode::FAILURE
}
