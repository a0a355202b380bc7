//! The subset of Salesforce's REST API the collector uses, as serde types (the fixtures in
//! tests/fixtures/crm/salesforce/ are the API reference's examples of each).
use serde::Deserialize;

/// The REST API version every path names.
pub const VERSION: &str = "v60.0";

/// `POST /services/oauth2/token` (the client-credentials flow): the token is all we use.
#[derive(Debug, Deserialize)]
pub struct Token {
    pub access_token: String,
}

/// `GET /services/data/vXX.X/query?q=…`.
#[derive(Debug, Deserialize)]
pub struct Query<T> {
    pub records: Vec<T>,
}

/// A record of which only the id was asked for.
#[derive(Debug, Deserialize)]
pub struct Id {
    #[serde(rename = "Id")]
    pub id: String,
}

/// A Lead as the poll asks for it.
#[derive(Debug, Deserialize)]
pub struct LeadChange {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Status")]
    pub status: Option<String>,
    /// `2026-11-20T11:40:02.000+0000`.
    #[serde(rename = "LastModifiedDate")]
    pub last_modified: String,
}

/// The answer to a create (`POST /sobjects/Lead`) or an upsert by external id.
#[derive(Debug, Deserialize)]
pub struct Saved {
    pub id: String,
}
