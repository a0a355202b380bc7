//! The native `leadpulse` command.
mod serve;

use std::process::ExitCode;

const USAGE: &str = "usage: leadpulse <command>
  replay [--model FILE] [--at TIME] EVENTS.jsonl   score events ('-' = stdin), one JSON line per visitor
  validate FILE                                    check a model, print every problem
  model                                            print the built-in model
  serve [--port N] [--db FILE] [--model FILE] [--secret S] [--require-signature]
                                                   dev server and summary collector on 127.0.0.1";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
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
