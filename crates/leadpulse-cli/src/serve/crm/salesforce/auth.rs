//! Salesforce credentials: a token as given, or the OAuth 2.0 client-credentials flow (a
//! connected app's consumer key and secret, exchanged at the instance's
//! `/services/oauth2/token` for a token, again whenever one expires).
use tokio::sync::Mutex;

use super::api::Token;
use crate::serve::crm::call::call;
use crate::serve::crm::secret::Secret;
use crate::serve::crm::Kind;
use crate::serve::outbox::Failure;

pub enum Credentials {
    Token(Secret),
    Client { id: Secret, secret: Secret },
}

pub struct Auth {
    credentials: Credentials,
    /// The client-credentials flow's current token.
    current: Mutex<Option<Secret>>,
}

impl Auth {
    pub fn new(credentials: Credentials) -> Auth {
        Auth {
            credentials,
            current: Mutex::new(None),
        }
    }

    /// A token to call with: the given one, or the flow's (fetched when there is none).
    pub async fn token(&self, client: &reqwest::Client, instance: &str) -> Result<String, Failure> {
        let (id, secret) = match &self.credentials {
            Credentials::Token(token) => return Ok(token.expose().to_string()),
            Credentials::Client { id, secret } => (id, secret),
        };
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref() {
            return Ok(token.expose().to_string());
        }
        let what = "POST /services/oauth2/token";
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", id.expose()),
            ("client_secret", secret.expose()),
        ];
        let token: Token = call(
            Kind::Salesforce,
            what,
            client
                .post(format!("{instance}/services/oauth2/token"))
                .form(&form),
        )
        .await?
        .read(Kind::Salesforce, what)?;
        let token = token.access_token;
        *current = Some(Secret::new(token.clone()));
        Ok(token)
    }

    /// The token was refused (expired): whether a new one can be had.
    pub async fn expired(&self) -> bool {
        match self.credentials {
            Credentials::Token(_) => false,
            Credentials::Client { .. } => {
                *self.current.lock().await = None;
                true
            }
        }
    }
}
