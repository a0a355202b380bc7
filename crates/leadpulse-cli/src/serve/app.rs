//! What every handler shares: the state of one running collector. Which handler answers
//! which path is routes.rs (handlers take `App` from here, so nothing imports in a circle).
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::HeaderValue;
use governor::{Quota, RateLimiter};
use leadpulse::core::model::Model;
use leadpulse::core::summary::trust::Models;

use super::client::Limiter;
use super::crm::Crms;
use super::events::Events;
use super::options::{Options, RateLimit};
use super::outbox::{Receivers, Waker};
use super::owners::Owners;
use super::store::Store;

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
