//! `leadpulse serve`: the dev server and summary collector.
//!
//! A small `std::net` server bound to 127.0.0.1, one thread per connection (capped), one
//! request per connection (`Connection: close`). It serves the demo site (`www/`) and the
//! built package (`pkg/`), and collects qualified-lead summaries into SQLite
//! (`POST /collect`, `GET /api/leads`). See `docs/contracts.md`, "Delivery to the collector".
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// `eprintln!` that cannot panic: stderr may be a closed pipe, and release builds abort on
/// panic, which would take the whole server down over one log line.
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod collect;
mod config;
mod connection;
mod http;
mod iso_time;
mod rate_limit;
mod routes;
mod signature;
mod static_files;
mod store;
mod summary_check;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use config::{Config, Parsed};
use rate_limit::RateLimiter;
use static_files::StaticSite;
use store::Store;

/// Everything a request handler needs, shared by all connection threads.
pub struct App {
    pub site: StaticSite,
    pub model: Option<PathBuf>,
    pub store: Store,
    pub limiter: Option<RateLimiter>,
    pub secret: Option<Vec<u8>>,
    pub require_signature: bool,
}

pub fn run(args: &[String]) -> ExitCode {
    let env_secret = std::env::var("LEADPULSE_SECRET").ok();
    let config = match config::parse(args, env_secret) {
        Ok(Parsed::Run(config)) => config,
        Ok(Parsed::Help) => {
            // NOTE: not println!, which panics when stdout is closed (`serve --help | head -1`).
            let _ = writeln!(std::io::stdout(), "{}", config::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            log!("leadpulse serve: {message}\n{}", config::USAGE);
            return ExitCode::from(2);
        }
    };
    match start(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            log!("leadpulse serve: {message}");
            ExitCode::FAILURE
        }
    }
}

fn start(config: Config) -> Result<(), String> {
    let root = config
        .root
        .canonicalize()
        .map_err(|e| format!("--root {}: {e}", config.root.display()))?;
    if !root.join("www").is_dir() {
        log!(
            "leadpulse serve: warning: {} has no www/ folder; only /pkg/ and the API will answer",
            root.display()
        );
    }
    if let Some(model) = &config.model {
        crate::model_file::load(Some(std::path::Path::new(model)))?;
    }
    let store =
        Store::open(&config.db).map_err(|e| format!("--db {}: {e}", config.db.display()))?;
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", config.port))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?
        .port();

    let app = Arc::new(App {
        site: StaticSite::new(root, config.csp),
        model: config.model.map(PathBuf::from),
        store,
        limiter: config.rate.map(RateLimiter::new),
        secret: config.secret,
        require_signature: config.require_signature,
    });

    // NOTE: tests and scripts wait for exactly this line; everything else goes to stderr.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "leadpulse serve: http://127.0.0.1:{port}/")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);

    connection::accept_loop(&listener, &app);
    Ok(())
}
