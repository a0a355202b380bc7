//! CRMs (`--crm hubspot`, `--crm salesforce`; docs/collector.md "CRM"): every lead sales hears
//! of, and every status sales gives it, is written to the CRM's own record of the person,
//! through the durable outbox (a queue per CRM: the webhooks' retries, backoff, dead letters
//! and `kill -9` guarantees). A delivery brings the CRM's record up to date with the lead as
//! it is when sent; the object it wrote is remembered per lead, so a retry or a restart
//! updates it instead of making another. Status changes made in the CRM come back (HubSpot's
//! signed webhooks, Salesforce polled) as the feedback the API takes, by `crm`.
//!
//! No CRM SDK crate is kept up for Rust: reqwest and serde types of the documented subset.
mod call;
pub mod hubspot;
pub mod inbound;
mod map;
pub mod salesforce;
mod secret;
mod values;
mod words;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

pub use map::CrmMap;
pub use secret::Env;
pub use words::Words;

use super::outbox::{CrmTarget, Failure, Receivers};
use super::store::{CrmLead, Pending, Store};

/// A CRM the collector can keep in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Hubspot,
    Salesforce,
}

impl Kind {
    /// Its receiver's name in the outbox (and the `kind` of its deliveries).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Hubspot => "hubspot",
            Kind::Salesforce => "salesforce",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Hubspot => "HubSpot",
            Kind::Salesforce => "Salesforce",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        [Kind::Hubspot, Kind::Salesforce]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// A CRM call gets this long to answer.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What every CRM's requests share.
pub struct Context {
    pub client: reqwest::Client,
    pub map: CrmMap,
    pub words: Words,
    /// For the links in CRM records (`--public-url`).
    pub receivers: Receivers,
}

impl Context {
    /// The e-mail address by which a CRM finds `lead`'s owner among its users, if it has one.
    pub fn owner_email(&self, lead: &CrmLead) -> Option<String> {
        lead.lead
            .owner
            .as_deref()
            .and_then(|o| self.map.owner_email(o))
    }
}

/// The configured CRMs.
pub struct Crms {
    pub hubspot: Option<hubspot::HubSpot>,
    pub salesforce: Option<salesforce::Salesforce>,
    pub context: Context,
}

/// What `--crm …` needs from the command line.
pub struct Wanted<'a> {
    pub kinds: &'a [Kind],
    pub map: Option<&'a PathBuf>,
    pub public_url: Option<&'a Url>,
    pub models: &'a [PathBuf],
    pub poll_every: Duration,
}

impl Crms {
    /// The CRMs `wanted` names, their credentials and addresses from `env`; an error names
    /// what is missing or wrong (never a secret's value).
    pub fn load(wanted: &Wanted, env: Env) -> Result<Crms, String> {
        let map = match wanted.map {
            Some(path) => CrmMap::load(path)?,
            None => CrmMap::defaults(),
        };
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("leadpulse/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        let hubspot = wanted
            .kinds
            .contains(&Kind::Hubspot)
            .then(|| hubspot::HubSpot::from_env(env))
            .transpose()?;
        let salesforce = wanted
            .kinds
            .contains(&Kind::Salesforce)
            .then(|| salesforce::Salesforce::from_env(env, &map, wanted.poll_every))
            .transpose()?;
        Ok(Crms {
            hubspot,
            salesforce,
            context: Context {
                client,
                map,
                words: Words::load(wanted.models),
                receivers: Receivers {
                    public_url: wanted.public_url.cloned(),
                    ..Receivers::default()
                },
            },
        })
    }

    pub fn has(&self, kind: Kind) -> bool {
        match kind {
            Kind::Hubspot => self.hubspot.is_some(),
            Kind::Salesforce => self.salesforce.is_some(),
        }
    }

    /// Where the outbox sends leads.
    pub fn targets(&self) -> Vec<CrmTarget> {
        let hubspot = self.hubspot.as_ref().map(|_| CrmTarget {
            kind: Kind::Hubspot,
            needs_email: true,
        });
        let salesforce = self.salesforce.as_ref().map(|s| CrmTarget {
            kind: Kind::Salesforce,
            needs_email: s.needs_email(),
        });
        hubspot.into_iter().chain(salesforce).collect()
    }

    /// Owners that have no e-mail address a CRM could know them by: their leads reach it
    /// without an owner.
    pub fn owners_without_email<'a>(&self, owners: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        if self.hubspot.is_none() && self.salesforce.is_none() {
            return Vec::new();
        }
        owners
            .filter(|o| self.context.map.owner_email(o).is_none())
            .collect()
    }

    /// One delivery to `kind`: the lead it names brought up to date there.
    pub async fn send(
        &self,
        kind: Kind,
        store: &Arc<Store>,
        pending: &Pending,
    ) -> Result<(), Failure> {
        let lead = serde_json::from_str::<serde_json::Value>(&pending.payload)
            .ok()
            .and_then(|p| p["lead"].as_i64())
            .ok_or_else(|| Failure {
                error: "not a CRM delivery (no lead in its payload)".into(),
                permanent: true,
                retry_after: None,
            })?;
        let Some(crm_lead) = read(store, kind, lead).await? else {
            // NOTE: nothing to bring up to date (the lead was removed by hand).
            return Ok(());
        };
        match kind {
            Kind::Hubspot => match &self.hubspot {
                Some(hubspot) => hubspot.sync(&self.context, store, crm_lead).await,
                None => Err(Failure::transient(
                    "HubSpot is not configured (--crm hubspot)",
                )),
            },
            Kind::Salesforce => match &self.salesforce {
                Some(salesforce) => salesforce.sync(&self.context, store, crm_lead).await,
                None => Err(Failure::transient(
                    "Salesforce is not configured (--crm salesforce)",
                )),
            },
        }
    }
}

/// Lead `id` with its object in `kind`, read off the async threads.
async fn read(store: &Arc<Store>, kind: Kind, id: i64) -> Result<Option<CrmLead>, Failure> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.crm_lead(kind.name(), id))
        .await
        .map_err(|e| Failure::transient(format!("reading lead {id}: {e}")))?
        .map_err(|e| Failure::transient(format!("reading lead {id}: {e}")))
}

/// Records lead `id`'s object in `kind` and the status values just written to it.
async fn linked(
    store: &Arc<Store>,
    kind: Kind,
    id: i64,
    object_id: String,
    sent: serde_json::Map<String, serde_json::Value>,
) -> Result<(), Failure> {
    let store = store.clone();
    let now = super::now_ms();
    tokio::task::spawn_blocking(move || store.crm_linked(kind.name(), id, &object_id, &sent, now))
        .await
        .map_err(|e| {
            Failure::transient(format!(
                "recording lead {id}'s {} object: {e}",
                kind.label()
            ))
        })?
        .map_err(|e| {
            Failure::transient(format!(
                "recording lead {id}'s {} object: {e}",
                kind.label()
            ))
        })
}

/// Forgets lead `id`'s object in `kind` (gone there: the next write finds or makes another).
async fn unlinked(store: &Arc<Store>, kind: Kind, id: i64) -> Result<(), Failure> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.crm_unlinked(kind.name(), id))
        .await
        .map_err(|e| Failure::transient(format!("{e}")))?
        .map_err(|e| Failure::transient(format!("{e}")))
}
