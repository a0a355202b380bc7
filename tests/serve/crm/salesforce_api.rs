//! A loopback Salesforce: the REST subset the collector uses (the client-credentials token,
//! SOQL queries of Users and Leads, Leads created, upserted by an external id and updated by
//! id), answering with the fixtures' shapes; a Lead's Status can be changed as a rep would.
use serde_json::{json, Map, Value};

use super::fake::{fixture, Answer, Api, Call};

pub const CLIENT_ID: &str = "3MVG9loopbackConsumerKey";
pub const CLIENT_SECRET: &str = "loopback-consumer-secret-0123456789";
/// A token an admin made for the collector (LEADPULSE_SALESFORCE_TOKEN): always taken.
pub const STATIC_TOKEN: &str = "00D5e000000LPxx!static-token-for-tests";
const BASE: &str = "/services/data/v60.0";

#[derive(Debug, Clone)]
pub struct Lead {
    pub id: String,
    pub fields: Map<String, Value>,
    /// Milliseconds since the epoch.
    pub modified: i64,
}

pub struct SalesforceApi {
    pub users: Vec<(String, String)>,
    pub leads: Vec<Lead>,
    /// Tokens handed out by the client-credentials flow; only these are taken.
    pub tokens: Vec<String>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `2026-11-20T14:05:09.000+0000`.
fn api_time(ms: i64) -> String {
    let iso = leadpulse::core::time::format_iso(ms);
    format!("{}+0000", iso.trim_end_matches('Z'))
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::json(
        status,
        &json!([{ "message": message, "errorCode": code, "fields": [] }]),
    )
}

/// The text of `field = '…'` in a SOQL query.
fn quoted(soql: &str, field: &str) -> Option<String> {
    let rest = soql.split(&format!("{field} = '")).nth(1)?;
    Some(rest.split('\'').next()?.to_string())
}

impl SalesforceApi {
    /// An org with one user, ana@example.com.
    pub fn new() -> SalesforceApi {
        SalesforceApi {
            users: vec![("0055e00000LPu01AAD".into(), "ana@example.com".into())],
            leads: Vec::new(),
            tokens: vec![STATIC_TOKEN.to_string()],
        }
    }

    /// A rep changes a Lead's Status in Salesforce.
    pub fn set_status(&mut self, id: &str, status: &str) {
        let lead = self.leads.iter_mut().find(|l| l.id == id).unwrap();
        lead.fields.insert("Status".into(), json!(status));
        lead.modified = now_ms();
    }

    fn create(&mut self, fields: Map<String, Value>) -> Result<String, Answer> {
        for required in ["LastName", "Company"] {
            if fields
                .get(required)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(error(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    &format!("Required fields are missing: [{required}]"),
                ));
            }
        }
        let id = format!("00Q5e00000LPl{:02}EAD", self.leads.len() + 1);
        self.leads.push(Lead {
            id: id.clone(),
            fields,
            modified: now_ms(),
        });
        Ok(id)
    }

    fn query(&self, soql: &str) -> Answer {
        let records: Vec<Value> = if soql.starts_with("SELECT Id FROM User WHERE Email = ") {
            let email = quoted(soql, "Email").unwrap_or_default();
            self.users.iter().filter(|(_, e)| *e == email).map(|(id, _)| json!({"attributes": {"type": "User", "url": format!("{BASE}/sobjects/User/{id}")}, "Id": id})).collect()
        } else if soql.starts_with("SELECT Id FROM Lead WHERE Email = ") {
            let email = quoted(soql, "Email").unwrap_or_default();
            self.leads.iter().filter(|l| l.fields.get("Email") == Some(&json!(email))).take(1).map(|l| json!({"attributes": {"type": "Lead", "url": format!("{BASE}/sobjects/Lead/{}", l.id)}, "Id": l.id})).collect()
        } else if let Some(rest) = soql.strip_prefix(
            "SELECT Id, Status, LastModifiedDate FROM Lead WHERE LastModifiedDate >= ",
        ) {
            let since = rest.split(' ').next().unwrap_or_default();
            let since = leadpulse::core::time::parse_iso(since).expect("a SOQL date-time literal");
            let external = rest.split(" AND ").nth(1).and_then(|c| {
                c.strip_suffix(" != null")
                    .or_else(|| c.split(" != null").next())
            });
            let mut leads: Vec<&Lead> = self
                .leads
                .iter()
                .filter(|l| l.modified / 1000 * 1000 >= since)
                .filter(|l| external.is_none_or(|f| l.fields.get(f).is_some_and(|v| !v.is_null())))
                .collect();
            leads.sort_by_key(|l| l.modified);
            leads.iter().map(|l| json!({"attributes": {"type": "Lead", "url": format!("{BASE}/sobjects/Lead/{}", l.id)}, "Id": l.id, "Status": l.fields.get("Status"), "LastModifiedDate": api_time(l.modified)})).collect()
        } else {
            return error(400, "MALFORMED_QUERY", &format!("unexpected query: {soql}"));
        };
        Answer::json(
            200,
            &json!({ "totalSize": records.len(), "done": true, "records": records }),
        )
    }
}

impl Api for SalesforceApi {
    fn answer(&mut self, call: &Call) -> Answer {
        if call.method == "POST" && call.path == "/services/oauth2/token" {
            let ok = call.param("grant_type").as_deref() == Some("client_credentials")
                && call.param("client_id").as_deref() == Some(CLIENT_ID)
                && call.param("client_secret").as_deref() == Some(CLIENT_SECRET);
            if !ok {
                return Answer::json(
                    400,
                    &json!({"error": "invalid_client", "error_description": "invalid client credentials"}),
                );
            }
            let mut token = fixture("salesforce/token.response.json");
            let value = format!("00D5e000000LPxx!token{}", self.tokens.len());
            token["access_token"] = json!(value);
            self.tokens.push(value);
            return Answer::json(200, &token);
        }
        let bearer = call
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "));
        if !bearer.is_some_and(|t| self.tokens.iter().any(|k| k == t)) {
            return Answer::json(401, &fixture("salesforce/error-401.response.json"));
        }
        let Some(path) = call.path.strip_prefix(BASE) else {
            return error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        let body = || call.json().as_object().cloned().unwrap_or_default();
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (call.method.as_str(), parts.as_slice()) {
            ("GET", ["query"]) => self.query(&call.param("q").unwrap_or_default()),
            ("POST", ["sobjects", "Lead"]) => match self.create(body()) {
                Ok(id) => {
                    let mut answer = fixture("salesforce/create.response.json");
                    answer["id"] = json!(id);
                    Answer::json(201, &answer)
                }
                Err(refused) => refused,
            },
            ("PATCH", ["sobjects", "Lead", field, value]) => {
                let fields = body();
                assert!(
                    !fields.contains_key(*field),
                    "the external id is in the path, not the body"
                );
                let found = self
                    .leads
                    .iter_mut()
                    .find(|l| l.fields.get(*field) == Some(&json!(value)));
                let (id, created) = match found {
                    Some(lead) => {
                        lead.fields.extend(fields);
                        lead.modified = now_ms();
                        (lead.id.clone(), false)
                    }
                    None => {
                        let mut fields = fields;
                        fields.insert(field.to_string(), json!(value));
                        match self.create(fields) {
                            Ok(id) => (id, true),
                            Err(refused) => return refused,
                        }
                    }
                };
                let mut answer = fixture("salesforce/upsert.response.json");
                answer["id"] = json!(id);
                answer["created"] = json!(created);
                Answer::json(if created { 201 } else { 200 }, &answer)
            }
            ("PATCH", ["sobjects", "Lead", id]) => {
                let fields = body();
                match self.leads.iter_mut().find(|l| l.id == *id) {
                    Some(lead) => {
                        lead.fields.extend(fields);
                        lead.modified = now_ms();
                        Answer::empty(204)
                    }
                    None => error(404, "NOT_FOUND", "The requested resource does not exist"),
                }
            }
            _ => error(404, "NOT_FOUND", "The requested resource does not exist"),
        }
    }
}
