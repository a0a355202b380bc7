//! Salesforce (REST API, a token or the client-credentials flow): each lead is a Lead,
//! upserted by an external-id field (the mapping's `externalId`, holding the LeadPulse lead
//! id) or, without one, found by e-mail and created if there is none; updated by its id
//! after. Its Lead Status follows the lead's status, its owner is the owner's Salesforce user
//! (found by e-mail), custom fields come from the mapping. Changed Leads are polled (poll.rs).
mod api;
mod auth;
pub mod poll;
mod soql;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use reqwest::Url;
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::call::{call, Reply};
use super::map::CrmMap;
use super::secret::{secret, url, Env};
use super::values::Values;
use super::{linked, unlinked, Context, Kind};
use crate::serve::outbox::Failure;
use crate::serve::status::Status;
use crate::serve::store::{CrmLead, Store};
use api::{Id, Query, Saved, VERSION};
use auth::{Auth, Credentials};

pub const URL: &str = "LEADPULSE_SALESFORCE_URL";
pub const TOKEN: &str = "LEADPULSE_SALESFORCE_TOKEN";
pub const CLIENT_ID: &str = "LEADPULSE_SALESFORCE_CLIENT_ID";
pub const CLIENT_SECRET: &str = "LEADPULSE_SALESFORCE_CLIENT_SECRET";

/// What a required Lead field gets when the lead does not say (Salesforce's own web-to-lead
/// placeholder); only when a Lead is created, never over what a rep typed.
const NOT_PROVIDED: &str = "[not provided]";

pub struct Salesforce {
    /// The instance (My Domain) URL, without a trailing slash.
    instance: String,
    auth: Auth,
    external_id: Option<String>,
    pub poll_every: Duration,
    /// Owner e-mail → Salesforce user id, as found.
    users: Mutex<HashMap<String, String>>,
}

impl Salesforce {
    pub fn from_env(env: Env, map: &CrmMap, poll_every: Duration) -> Result<Salesforce, String> {
        let instance: Url = url(env, URL, None)?.ok_or_else(|| {
            format!("--crm salesforce needs {URL} (the instance URL, e.g. https://example.my.salesforce.com)")
        })?;
        let credentials = match (secret(env, TOKEN)?, secret(env, CLIENT_ID)?, secret(env, CLIENT_SECRET)?) {
            (Some(token), None, None) => Credentials::Token(token),
            (None, Some(id), Some(secret)) => Credentials::Client { id, secret },
            (None, None, None) => {
                return Err(format!(
                    "--crm salesforce needs {TOKEN}, or {CLIENT_ID} and {CLIENT_SECRET} (client credentials), in the environment"
                ))
            }
            _ => {
                return Err(format!(
                    "Salesforce: set {TOKEN} alone, or {CLIENT_ID} with {CLIENT_SECRET}"
                ))
            }
        };
        Ok(Salesforce {
            instance: instance.as_str().trim_end_matches('/').to_string(),
            auth: Auth::new(credentials),
            external_id: map.salesforce_external_id.clone(),
            poll_every,
            users: Mutex::new(HashMap::new()),
        })
    }

    /// Without an external-id field a Lead is found by its e-mail address.
    pub fn needs_email(&self) -> bool {
        self.external_id.is_none()
    }

    /// `method` on `path` under `/services/data/vXX.X`, with the token; a refused token is
    /// renewed once (client credentials) and the request made again.
    async fn request(
        &self,
        context: &Context,
        method: Method,
        path: &str,
        body: Option<&Map<String, Value>>,
        query: Option<&str>,
    ) -> Result<Reply, Failure> {
        let what = format!(
            "{method} /services/data/{VERSION}{}",
            path.split('?').next().unwrap_or(path)
        );
        let at = format!("{}/services/data/{VERSION}{path}", self.instance);
        for _ in 0..2 {
            let token = self.auth.token(&context.client, &self.instance).await?;
            let mut request = context
                .client
                .request(method.clone(), &at)
                .bearer_auth(token);
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(q) = query {
                request = request.query(&[("q", q)]);
            }
            let reply = call(Kind::Salesforce, &what, request).await?;
            if reply.status.as_u16() == 401 && self.auth.expired().await {
                continue;
            }
            return Ok(reply);
        }
        Err(Failure::transient(format!(
            "Salesforce: {what}: a new token was refused too"
        )))
    }

    /// The records a SOQL query finds.
    async fn query<T: serde::de::DeserializeOwned>(
        &self,
        context: &Context,
        soql: &str,
    ) -> Result<Vec<T>, Failure> {
        let reply = self
            .request(context, Method::GET, "/query", None, Some(soql))
            .await?;
        let found: Query<T> = reply.read(
            Kind::Salesforce,
            &format!("GET /services/data/{VERSION}/query"),
        )?;
        Ok(found.records)
    }

    /// The active Salesforce user with this e-mail address, if there is one.
    async fn user(&self, context: &Context, email: &str) -> Result<Option<String>, Failure> {
        if let Some(id) = self.users.lock().await.get(email) {
            return Ok(Some(id.clone()));
        }
        let soql = format!(
            "SELECT Id FROM User WHERE Email = {} AND IsActive = true LIMIT 1",
            soql::string(email)
        );
        let found = self
            .query::<Id>(context, &soql)
            .await?
            .into_iter()
            .next()
            .map(|u| u.id);
        match &found {
            Some(id) => {
                self.users
                    .lock()
                    .await
                    .insert(email.to_string(), id.clone());
            }
            None => tracing::warn!("Salesforce has no active user with the e-mail address {email}"),
        }
        Ok(found)
    }

    /// The Lead's fields for the lead as it is now (`creating`: with the required ones filled
    /// in when the lead does not say); and the status values among them.
    async fn fields(
        &self,
        context: &Context,
        lead: &CrmLead,
        creating: bool,
    ) -> Result<(Map<String, Value>, Map<String, Value>), Failure> {
        let values = Values::of(&lead.lead, &context.words, &context.receivers);
        let mut fields = Map::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                fields.insert(name.to_string(), Value::String(value));
            }
        };
        let (first, last) = values.names();
        let placeholder = creating.then(|| NOT_PROVIDED.to_string());
        put("FirstName", first);
        put("LastName", last.or_else(|| placeholder.clone()));
        put("Company", values.trait_text("company.name").or(placeholder));
        put("Email", lead.lead.email.clone());
        put("Title", values.trait_text("title"));
        put("Phone", values.trait_text("phone"));
        for (name, source) in &context.map.salesforce_fields {
            if let Some(value) = values.json(source) {
                fields.insert(name.clone(), value);
            }
        }
        let mut sent = Map::new();
        let status =
            Status::from_name(&lead.lead.status).and_then(|s| context.map.salesforce_status(s));
        if let Some(status) = status {
            sent.insert("Status".into(), Value::String(status.to_string()));
        }
        fields.extend(sent.clone());
        if let Some(email) = context.owner_email(lead) {
            if let Some(id) = self.user(context, &email).await? {
                fields.insert("OwnerId".into(), Value::String(id));
            }
        }
        Ok((fields, sent))
    }

    /// Brings the lead's Lead up to date (creating it the first time).
    pub async fn sync(
        &self,
        context: &Context,
        store: &Arc<Store>,
        lead: CrmLead,
    ) -> Result<(), Failure> {
        let id = lead.lead.id;
        if let Some(object) = &lead.object_id {
            let (fields, sent) = self.fields(context, &lead, false).await?;
            let path = format!("/sobjects/Lead/{object}");
            let reply = self
                .request(context, Method::PATCH, &path, Some(&fields), None)
                .await?;
            if reply.status.as_u16() != 404 {
                reply.ok(
                    Kind::Salesforce,
                    &format!("PATCH /services/data/{VERSION}/sobjects/Lead/{{id}}"),
                )?;
                return linked(store, Kind::Salesforce, id, object.clone(), sent).await;
            }
            tracing::info!("Salesforce: Lead {object} of lead {id} is gone; writing it anew");
            unlinked(store, Kind::Salesforce, id).await?;
        }
        let (fields, sent) = self.fields(context, &lead, true).await?;
        let object = match &self.external_id {
            Some(field) => {
                // NOTE: an upsert by external id: the same lead id never makes two Leads.
                let path = format!("/sobjects/Lead/{field}/{id}");
                let what = format!("PATCH /services/data/{VERSION}/sobjects/Lead/{field}/{{lead}}");
                let saved: Saved = self
                    .request(context, Method::PATCH, &path, Some(&fields), None)
                    .await?
                    .read(Kind::Salesforce, &what)?;
                saved.id
            }
            None => {
                let Some(email) = lead.lead.email.as_deref() else {
                    // NOTE: only leads with an e-mail address are queued without an external id.
                    return Ok(());
                };
                // NOTE: found by e-mail first, so a Lead created just before a crash (its id
                // never recorded) is updated, not made again.
                let soql = format!(
                    "SELECT Id FROM Lead WHERE Email = {} ORDER BY CreatedDate ASC LIMIT 1",
                    soql::string(email)
                );
                match self.query::<Id>(context, &soql).await?.into_iter().next() {
                    Some(found) => {
                        let path = format!("/sobjects/Lead/{}", found.id);
                        let mut update = fields.clone();
                        update.retain(|_, v| v.as_str() != Some(NOT_PROVIDED));
                        self.request(context, Method::PATCH, &path, Some(&update), None)
                            .await?
                            .ok(
                                Kind::Salesforce,
                                &format!("PATCH /services/data/{VERSION}/sobjects/Lead/{{id}}"),
                            )?;
                        found.id
                    }
                    None => {
                        let what = format!("POST /services/data/{VERSION}/sobjects/Lead");
                        let saved: Saved = self
                            .request(context, Method::POST, "/sobjects/Lead", Some(&fields), None)
                            .await?
                            .read(Kind::Salesforce, &what)?;
                        saved.id
                    }
                }
            }
        };
        linked(store, Kind::Salesforce, id, object, sent).await
    }
}
