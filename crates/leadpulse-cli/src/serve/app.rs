//! What every handler shares, and which handler answers which path.
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use governor::{Quota, RateLimiter};
use leadpulse::core::model::Model;
use leadpulse::core::request;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

use super::client::Limiter;
use super::crm::{hubspot, Crms};
use super::events::Events;
use super::options::{Options, RateLimit};
use super::outbox::{Receivers, Waker};
use super::owners::Owners;
use super::store::Store;
use super::{auth, collect, deliveries, event_stream, headers, leads, sales_status, site};
use leadpulse::core::summary::trust::Models;

/// What `serve` makes before the app: the CRM clients, the dashboards' event streams, and the
/// store's status key.
pub struct Wiring {
    pub crms: Arc<Crms>,
    pub events: Events,
    pub status_key: [u8; 32],
}

pub struct App {
    pub store: Arc<Store>,
    pub root: PathBuf,
    pub csp: Option<String>,
    /// The model the site is served (`/model.lpm`), and its file if any (`/model.json`).
    pub model: Arc<Model>,
    pub model_file: Option<PathBuf>,
    pub models: Models,
    pub api_token: String,
    /// The edge's signing secret, then the previous one while a rotation drains.
    pub signing_secrets: Vec<Vec<u8>>,
    pub require_signature: bool,
    pub push_unknown_models: bool,
    pub webhook_secret: Option<Arc<Vec<u8>>>,
    pub receivers: Receivers,
    /// `--crm`: the CRMs kept in step.
    pub crms: Arc<Crms>,
    pub owners: Owners,
    pub limiter: Option<Limiter>,
    pub behind_proxy: bool,
    pub waker: Waker,
    /// Signs the tokens with which a visitor's browser asks what sales did (sales_status.rs).
    pub status_key: [u8; 32],
    /// `--allow-origin`: the sites whose pages may post to `/collect`.
    pub allow_origins: Vec<HeaderValue>,
    /// Changes pushed to open dashboards (`GET /api/events`).
    pub events: Events,
    /// This run's name among collectors sharing a database (who holds a job, jobs.rs).
    pub instance: String,
}

impl App {
    pub fn new(
        options: &Options,
        root: PathBuf,
        models: (Vec<Arc<Model>>, Option<PathBuf>),
        store: Store,
        owners: Owners,
        api_token: String,
        wiring: Wiring,
    ) -> Result<App, String> {
        let Wiring {
            crms,
            events,
            status_key,
        } = wiring;
        let (models, model_file) = models;
        let model = models
            .first()
            .cloned()
            .unwrap_or_else(|| Arc::new(Model::builtin()));
        let limiter = match options.rate_limit {
            RateLimit::Off => None,
            RateLimit::PerMinute { rate, burst } => NonZeroU32::new(rate)
                .zip(NonZeroU32::new(burst))
                .map(|(rate, burst)| {
                    RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
                }),
        };
        let allow_origins = options
            .allow_origins
            .iter()
            .map(|o| HeaderValue::from_str(o.trim_end_matches('/')))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("--allow-origin: {e}"))?;
        Ok(App {
            store: Arc::new(store),
            root,
            csp: options.csp.clone(),
            model,
            model_file,
            models: Models::new(models),
            api_token,
            signing_secrets: [&options.signing_secret, &options.previous_signing_secret]
                .into_iter()
                .flatten()
                .map(|s| s.clone().into_bytes())
                .collect(),
            require_signature: options.require_signature,
            push_unknown_models: options.push_unknown_models,
            webhook_secret: options
                .webhook_secret
                .clone()
                .map(|s| Arc::new(s.into_bytes())),
            receivers: Receivers {
                webhooks: options.webhooks.clone(),
                slack: options.slack.clone(),
                crms: crms.targets(),
                public_url: options.public_url.clone(),
                bookings: owners.bookings().clone(),
            },
            crms,
            owners,
            limiter,
            behind_proxy: options.behind_proxy,
            waker: Waker::default(),
            status_key,
            allow_origins,
            events,
            instance: super::random_token(),
        })
    }
}

/// The largest API request body (feedback is a few hundred bytes).
const API_BODY: usize = 4096;

/// How long a request may take in all, and how long its body may trickle in.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router(app: Arc<App>) -> Router {
    // NOTE: CORS only for the configured site origins; without a match the browser gets no
    // Access-Control-Allow-Origin and refuses to send. Same-origin pages need none.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(app.allow_origins.clone()))
        .allow_methods([Method::POST, Method::GET])
        .allow_headers([
            header::CONTENT_TYPE,
            "x-leadpulse-signature"
                .parse()
                .unwrap_or(header::CONTENT_TYPE),
        ])
        .max_age(Duration::from_secs(3600));
    let api = Router::new()
        .route("/leads", get(leads::list))
        .route("/leads/{id}", get(leads::one))
        .route("/leads/{id}/feedback", post(leads::feedback))
        .route("/outbox", get(deliveries::list))
        .route("/outbox/{id}/retry", post(deliveries::retry))
        .route("/report", get(super::report::report))
        .route("/me", get(super::users::me))
        .route("/users", get(super::users::list).post(super::users::add))
        .route("/users/{name}/revoke", post(super::users::revoke))
        .route("/events", get(event_stream::stream))
        .fallback(leads::no_such_api)
        .layer(RequestBodyLimitLayer::new(API_BODY))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::require_token,
        ));
    let collect = Router::new()
        .route("/collect", post(collect::collect))
        .route("/status/{token}", get(sales_status::by_token))
        .route("/status", get(sales_status::by_visitor))
        // NOTE: a request (with a message) may be larger than a summary; collect.rs holds a
        // summary to its own limit.
        .layer(DefaultBodyLimit::max(request::MAX_BYTES))
        // NOTE: answers 413 from Content-Length alone, before any of the body is awaited.
        .layer(RequestBodyLimitLayer::new(request::MAX_BYTES))
        .layer(cors);
    // NOTE: HubSpot's webhooks carry no API token: their signature is checked (webhook.rs).
    let crm = Router::new()
        .route(hubspot::webhook::PATH, post(hubspot::webhook::receive))
        .layer(DefaultBodyLimit::max(hubspot::webhook::MAX_BYTES))
        .layer(RequestBodyLimitLayer::new(hubspot::webhook::MAX_BYTES));
    Router::new()
        .merge(collect)
        .merge(crm)
        .nest("/api", api)
        .route("/model.json", get(site::model_document))
        .route("/model.lpm", get(site::model_compiled))
        .fallback(site::files)
        // NOTE: gzip or brotli as the client asks: the package's wasm is 209 KB, 94 KB gzipped
        // (compressed per response; small answers and images are left as they are).
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn(headers::security))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}
