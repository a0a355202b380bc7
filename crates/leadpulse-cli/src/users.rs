//! `leadpulse users`: the people who use the collector's API, each with their own token
//! (docs/collector.md, "Users and roles"). A new token is printed once, on stdout, and only
//! its hash is stored; `list` never shows tokens; `revoke` makes one fail at once, also for
//! a collector that is running.
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use crate::serve::people;
use crate::serve::store::{Location, Role, Store, User};

#[derive(Args)]
pub struct Options {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Db {
    /// The collector's store (`leadpulse serve --db`): its SQLite file or postgres:// URL.
    #[arg(
        long,
        env = "LEADPULSE_DB",
        hide_env_values = true,
        default_value = "leadpulse.db",
        value_name = "FILE|URL",
        value_parser = Location::parse
    )]
    db: Location,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    /// Works leads: reads them, answers them, retries deliveries.
    Rep,
    /// Also manages users through /api/users.
    Admin,
}

#[derive(Subcommand)]
enum Command {
    /// Add a user: prints their new token on stdout, once (only its hash is kept). A revoked
    /// user added again gets a new token.
    Add {
        /// Their name: what the history records as `by`, and the owner name (--owner, owner
        /// rules) of the leads that are theirs. Letters, digits, single spaces, . _ - @ + '.
        name: String,
        #[arg(long, value_enum, default_value = "rep")]
        role: RoleArg,
        #[command(flatten)]
        db: Db,
    },
    /// List users: name, role, created, last used (to the minute), revoked. Never tokens.
    List {
        #[command(flatten)]
        db: Db,
        /// Print JSON (the same as GET /api/users).
        #[arg(long)]
        json: bool,
    },
    /// Revoke a user's token: requests with it get 401 from then on.
    Revoke {
        name: String,
        #[command(flatten)]
        db: Db,
    },
}

fn open(db: &Location, create: bool) -> Result<Store, String> {
    // NOTE: only `add` may create a store: a mistyped --db for list or revoke would
    // otherwise leave an empty database behind and say nothing is there.
    if let Location::Sqlite(path) = db {
        if !create && !path.exists() {
            return Err(format!("--db {db}: no such file"));
        }
    }
    Store::open(db).map_err(|e| format!("--db {db}: {e}"))
}

fn table(users: &[User]) -> String {
    let mut out = format!(
        "{:<24} {:<6} {:<25} {:<25} {}\n",
        "name", "role", "created", "last used", "revoked"
    );
    for u in users {
        out.push_str(&format!(
            "{:<24} {:<6} {:<25} {:<25} {}\n",
            u.name,
            u.role.name(),
            u.created_at,
            u.last_used_at.as_deref().unwrap_or("never"),
            u.revoked_at.as_deref().unwrap_or("-")
        ));
    }
    out
}

fn run_command(command: Command) -> Result<Option<String>, String> {
    let now = crate::serve::now_ms();
    match command {
        Command::Add { name, role, db } => {
            let store = open(&db.db, true)?;
            let role = match role {
                RoleArg::Rep => Role::Rep,
                RoleArg::Admin => Role::Admin,
            };
            let token = people::add(&store, &name, role, now).map_err(|e| e.to_string())?;
            eprintln!(
                "leadpulse users: {name} added ({}); their token is below, shown this once \
                 (only its hash is stored)",
                role.name()
            );
            Ok(Some(token + "\n"))
        }
        Command::List { db, json } => {
            let store = open(&db.db, false)?;
            let users = store.users().map_err(|e| e.to_string())?;
            if json {
                let body = serde_json::json!({ "users": users });
                return serde_json::to_string_pretty(&body)
                    .map(|text| Some(text + "\n"))
                    .map_err(|e| e.to_string());
            }
            Ok(Some(table(&users)))
        }
        Command::Revoke { name, db } => {
            let store = open(&db.db, false)?;
            people::revoke(&store, &name, now).map_err(|e| e.to_string())?;
            eprintln!("leadpulse users: {name}'s token is revoked");
            Ok(None)
        }
    }
}

pub fn run(options: Options) -> ExitCode {
    match run_command(options.command) {
        Ok(Some(text)) => crate::print(&text),
        Ok(None) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("leadpulse users: {message}");
            ExitCode::from(2)
        }
    }
}
