//! `leadpulse serve`: the collector and the small backend a sales team runs (docs/collector.md).
//!
//! axum on hyper and tokio. `/collect` takes summaries (open to the site's origins); `/api/`
//! (leads, feedback, the outbox, users) needs the API token or a user's token; everything
//! else is the demo site and the package, from files. Background tasks deliver the outbox and
//! watch response times (SLA).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app;
mod auth;
mod client;
mod clock;
mod collect;
mod crm;
mod deliveries;
mod duration;
mod event_stream;
mod events;
mod headers;
mod leads;
mod listen;
mod long_answer;
mod options;
mod origin;
mod outbox;
mod owners;
pub(crate) mod people;
mod report;
mod request;
mod routes;
mod sales_status;
mod signature;
mod site;
mod sla;
mod status;
pub(crate) mod store;
mod unavailable;
mod users;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use leadpulse::core::model::Model;
use rand::Rng;

pub use options::Options;

/// Milliseconds since the Unix epoch, now.
pub use clock::now_ms;

pub fn run(options: Options) -> ExitCode {
    // NOTE: logs go to stderr; stdout carries only the URL line that scripts wait for.
    let filter = tracing_subscriber::EnvFilter::try_from_env("LEADPULSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    if let Err(message) = options.check() {
        eprintln!("leadpulse serve: {message}");
        return ExitCode::from(2);
    }
    let crms = match load_crms(&options) {
        Ok(crms) => crms,
        Err(message) => {
            eprintln!("leadpulse serve: {message}");
            return ExitCode::from(2);
        }
    };
    let files = open_files();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("leadpulse serve: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(start(options, files, crms)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("leadpulse serve: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The model files (`--model`), or `www/model.json` if there is one, then the built-in model;
/// the first is the one the site is served, and its file is returned too.
fn load_models(
    options: &Options,
    root: &Path,
) -> Result<(Vec<Arc<Model>>, Option<PathBuf>), String> {
    let mut paths = options.model.clone();
    let www = root.join("www/model.json");
    if paths.is_empty() && www.is_file() {
        paths.push(www);
    }
    let mut models: Vec<Arc<Model>> = paths
        .iter()
        .map(|p| crate::model_file::load(Some(p)).map(Arc::new))
        .collect::<Result<_, _>>()?;
    models.push(Arc::new(Model::builtin()));
    Ok((models, paths.into_iter().next()))
}

/// The model files a lead's reasons are described from: `--model`, else `www/model.json`.
fn model_paths(options: &Options, root: &Path) -> Vec<PathBuf> {
    let www = root.join("www/model.json");
    if options.model.is_empty() && www.is_file() {
        return vec![www];
    }
    options.model.clone()
}

/// The CRMs `--crm` names, with their credentials from the environment.
fn load_crms(options: &Options) -> Result<crm::Crms, String> {
    let env = |name: &str| std::env::var(name).ok();
    let wanted = crm::Wanted {
        kinds: &options.crms,
        map: options.crm_map.as_ref(),
        public_url: options.public_url.as_ref(),
        models: &model_paths(options, &options.root),
        poll_every: std::time::Duration::from_secs(options.salesforce_poll as u64),
    };
    crm::Crms::load(&wanted, &env)
}

/// Descriptors not for connections: the store, its WAL, files being served, webhooks.
const RESERVED_FILES: u64 = 128;

/// Raises the open-files limit to the hard limit (every connection is a descriptor; a
/// default soft limit of 1,024 is a few hundred idle clients away); the limit then in force.
fn open_files() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::debug!("open files: up to {limit}");
            Some(limit)
        }
        Err(e) => {
            tracing::warn!("cannot raise the open-files limit: {e}");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft)
        }
    }
}

/// The connection caps: `--max-connections`, lowered to what the open-files limit allows;
/// no cap per address behind a proxy (the proxy is the only peer there).
fn limits(options: &Options, files: Option<u64>) -> listen::Limits {
    let allowed = files.map_or(usize::MAX, |files| {
        usize::try_from(files.saturating_sub(RESERVED_FILES).max(1)).unwrap_or(usize::MAX)
    });
    if options.max_connections > allowed {
        tracing::warn!(
            "--max-connections {} lowered to {allowed}: the process may open {} files (ulimit -Hn)",
            options.max_connections,
            files.unwrap_or_default()
        );
    }
    listen::Limits {
        first_byte: std::time::Duration::from_secs(options.first_byte_timeout as u64),
        stall: std::time::Duration::from_secs(options.stall_timeout as u64),
        max_connections: options.max_connections.min(allowed),
        per_address: (!options.behind_proxy).then_some(options.max_connections_per_address),
    }
}

pub(crate) fn random_token() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(b"abcdefghijkmnopqrstuvwxyz23456789"[rng.random_range(0..33)]))
        .collect()
}

async fn start(options: Options, files: Option<u64>, crms: crm::Crms) -> Result<(), String> {
    clock::follow_test_clock();
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("--root {}: {e}", options.root.display()))?;
    if !root.join("www").is_dir() {
        tracing::warn!(
            "{} has no www/ folder: only /pkg/, /collect and the API answer",
            root.display()
        );
    }
    let models = load_models(&options, &root)?;
    // NOTE: off the async threads: the PostgreSQL client blocks (as every store call does).
    let (store, status_key) = {
        let db = options.db.clone();
        tokio::task::spawn_blocking(move || {
            let store = store::Store::open(&db).map_err(|e| format!("--db {db}: {e}"))?;
            let key = store
                .key(sales_status::KEY_NAME)
                .map_err(|e| format!("--db {db}: {e}"))?;
            Ok::<_, String>((store, key))
        })
        .await
        .map_err(|e| format!("--db {}: {e}", options.db))??
    };
    if options.db.is_postgres() {
        tracing::info!("store: PostgreSQL at {}", options.db);
    }
    let mut owners = owners::Owners::new(&options.owners, options.sla)?;
    if let Some(path) = &options.owner_rules {
        owners = owners.with_rules(path)?;
    }
    for owner in crms.owners_without_email(owners.names()) {
        tracing::warn!(
            "owner {owner} has no e-mail address (--crm-map \"owners\"): their leads reach the CRM without an owner"
        );
    }
    let token = match &options.api_token {
        Some(token) => token.clone(),
        None => {
            let token = random_token();
            tracing::warn!(
                "no --api-token: the dashboard and /api/ take this one, for this run only: {token}"
            );
            token
        }
    };
    let webhook_client = outbox::client()?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let (events, inbox) = events::Events::new(options.max_event_streams);
    let wiring = app::Wiring {
        crms: Arc::new(crms),
        events,
        status_key,
    };
    let state = Arc::new(app::App::new(
        &options, root, models, store, owners, token, wiring,
    )?);
    tokio::spawn(events::publish(state.store.clone(), inbox));
    if state.limiter.is_some() {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(client::PRUNE_EVERY);
            loop {
                every.tick().await;
                if let Some(limiter) = &state.limiter {
                    client::prune(limiter);
                }
            }
        });
    }
    tokio::spawn(outbox::run(
        state.store.clone(),
        state.webhook_secret.clone(),
        state.crms.clone(),
        state.waker.clone(),
        state.events.changes.clone(),
        webhook_client,
        i64::try_from(options.outbox_claim_ms).unwrap_or(i64::MAX),
    ));
    tokio::spawn(crm::salesforce::poll::run(state.clone()));
    // NOTE: without --sla or a rule's sla no window starts, and windows started earlier wait
    // (they go on once an SLA is configured again).
    if state.owners.has_sla() {
        let every = std::time::Duration::from_millis(options.sla_check_ms as u64);
        tokio::spawn(sla::run(state.clone(), every));
    }
    // NOTE: tests and scripts wait for exactly this line; everything else goes to stderr.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "leadpulse serve: http://{address}/")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);
    tracing::info!("dashboard: http://{address}/dashboard");
    let limits = limits(&options, files);
    // NOTE: open event streams never end by themselves: stopping ends them, so the graceful
    // shutdown is not held up by dashboards.
    let router = routes::router(state.clone());
    listen::serve(listener, router, limits, || state.events.stop()).await;
    Ok(())
}
