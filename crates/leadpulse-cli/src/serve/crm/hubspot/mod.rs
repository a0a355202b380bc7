//! HubSpot (CRM v3, a private app's token): each lead is a contact, upserted by e-mail the
//! first time and updated by its id after; its lifecycle stage and lead status follow the
//! lead's status, its owner is the owner's HubSpot user (found by e-mail), and the LeadPulse
//! values sit in their own property group (setup.rs). Status changes come back through
//! HubSpot's webhooks (webhook.rs).
mod api;
mod setup;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::Url;
use serde_json::{Map, Value};
use tokio::sync::{Mutex, OnceCell};

use super::call::call;
use super::secret::{secret, url, Env, Secret};
use super::values::Values;
use super::{linked, unlinked, Context, Kind};
use crate::serve::outbox::Failure;
use crate::serve::status::Status;
use crate::serve::store::{CrmLead, Store};
use api::{Contact, Inputs, Owner, Results, Update, Upsert};

pub const TOKEN: &str = "LEADPULSE_HUBSPOT_TOKEN";
pub const URL: &str = "LEADPULSE_HUBSPOT_URL";
pub const APP_SECRET: &str = "LEADPULSE_HUBSPOT_APP_SECRET";
const PUBLIC_API: &str = "https://api.hubapi.com";

pub struct HubSpot {
    base: Url,
    token: Secret,
    /// The app's client secret: webhooks signed with it are taken (none: no webhooks).
    pub app_secret: Option<Secret>,
    set_up: OnceCell<()>,
    /// Owner e-mail → HubSpot owner id, as found.
    owners: Mutex<HashMap<String, String>>,
}

impl HubSpot {
    pub fn from_env(env: Env) -> Result<HubSpot, String> {
        let token = secret(env, TOKEN)?.ok_or_else(|| {
            format!("--crm hubspot needs {TOKEN} (a private app's access token) in the environment")
        })?;
        Ok(HubSpot {
            base: url(env, URL, Some(PUBLIC_API))?.ok_or("no HubSpot URL")?,
            token,
            app_secret: secret(env, APP_SECRET)?,
            set_up: OnceCell::new(),
            owners: Mutex::new(HashMap::new()),
        })
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::RequestBuilder {
        client.get(self.at(path)).bearer_auth(self.token.expose())
    }

    fn post(&self, client: &reqwest::Client, path: &str) -> reqwest::RequestBuilder {
        client.post(self.at(path)).bearer_auth(self.token.expose())
    }

    fn patch(&self, client: &reqwest::Client, path: &str) -> reqwest::RequestBuilder {
        client.patch(self.at(path)).bearer_auth(self.token.expose())
    }

    /// The HubSpot owner id of the rep with this e-mail address, if HubSpot has one.
    async fn owner(&self, context: &Context, email: &str) -> Result<Option<String>, Failure> {
        if let Some(id) = self.owners.lock().await.get(email) {
            return Ok(Some(id.clone()));
        }
        let what = "GET /crm/v3/owners";
        let found: Results<Owner> = call(
            Kind::Hubspot,
            what,
            self.get(&context.client, "/crm/v3/owners")
                .query(&[("email", email), ("limit", "1")]),
        )
        .await?
        .read(Kind::Hubspot, what)?;
        let id = found.results.into_iter().next().map(|o| o.id);
        match &id {
            Some(id) => {
                self.owners
                    .lock()
                    .await
                    .insert(email.to_string(), id.clone());
            }
            // NOTE: not remembered: the rep may get a HubSpot seat later.
            None => tracing::warn!("HubSpot has no owner with the e-mail address {email}"),
        }
        Ok(id)
    }

    /// The contact's properties for the lead as it is now; and the status values among them.
    async fn properties(
        &self,
        context: &Context,
        lead: &CrmLead,
    ) -> Result<(Map<String, Value>, Map<String, Value>), Failure> {
        let values = Values::of(&lead.lead, &context.words, &context.receivers);
        let mut properties = Map::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                properties.insert(name.to_string(), Value::String(value));
            }
        };
        let (first, last) = values.names();
        put("firstname", first);
        put("lastname", last);
        put("company", values.trait_text("company.name"));
        put("jobtitle", values.trait_text("title"));
        put("phone", values.trait_text("phone"));
        for ours in setup::ours() {
            put(ours.name, values.get(&ours.source));
        }
        for (name, source) in &context.map.hubspot_properties {
            put(name, values.get(source));
        }
        let mut sent = Map::new();
        if let Some(status) = Status::from_name(&lead.lead.status) {
            for (name, value) in context.map.hubspot_status(status) {
                sent.insert(name.clone(), Value::String(value.clone()));
            }
        }
        properties.extend(sent.clone());
        if let Some(email) = context.owner_email(lead) {
            if let Some(id) = self.owner(context, &email).await? {
                properties.insert("hubspot_owner_id".into(), Value::String(id));
            }
        }
        Ok((properties, sent))
    }

    /// Brings the lead's contact up to date (creating it the first time).
    pub async fn sync(
        &self,
        context: &Context,
        store: &Arc<Store>,
        lead: CrmLead,
    ) -> Result<(), Failure> {
        let Some(email) = lead.lead.email.clone() else {
            // NOTE: only leads with an e-mail address are queued for HubSpot (its key).
            return Ok(());
        };
        self.set_up.get_or_try_init(|| self.set_up(context)).await?;
        let (properties, sent) = self.properties(context, &lead).await?;
        let id = lead.lead.id;
        if let Some(contact) = &lead.object_id {
            let what = "PATCH /crm/v3/objects/contacts/{id}";
            let reply = call(
                Kind::Hubspot,
                what,
                self.patch(
                    &context.client,
                    &format!("/crm/v3/objects/contacts/{contact}"),
                )
                .json(&Update {
                    properties: &properties,
                }),
            )
            .await?;
            if reply.status.as_u16() != 404 {
                reply.ok(Kind::Hubspot, what)?;
                return linked(store, Kind::Hubspot, id, contact.clone(), sent).await;
            }
            // NOTE: deleted or merged away in HubSpot: upserted by e-mail below, as new.
            tracing::info!("HubSpot: contact {contact} of lead {id} is gone; upserting by e-mail");
            unlinked(store, Kind::Hubspot, id).await?;
        }
        let what = "POST /crm/v3/objects/contacts/batch/upsert";
        let body = Inputs {
            inputs: vec![Upsert {
                id_property: "email",
                id: &email,
                properties: &properties,
            }],
        };
        let answer: Results<Contact> = call(
            Kind::Hubspot,
            what,
            self.post(&context.client, "/crm/v3/objects/contacts/batch/upsert")
                .json(&body),
        )
        .await?
        .read(Kind::Hubspot, what)?;
        if let Some(error) = answer.errors.first() {
            return Err(Failure {
                error: format!("HubSpot: {what}: {}", error.message),
                permanent: true,
                retry_after: None,
            });
        }
        let contact = answer.results.into_iter().next().ok_or_else(|| {
            Failure::transient(format!("HubSpot: {what}: the answer names no contact"))
        })?;
        linked(store, Kind::Hubspot, id, contact.id, sent).await
    }
}
