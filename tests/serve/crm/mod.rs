//! CRMs end to end: the real binary pushing to loopback HubSpot and Salesforce APIs (the
//! documented subset of each, tests/fixtures/crm/), and status changes coming back.
mod config;
mod failures;
mod fake;

mod hubspot_api;
mod inbound;

mod life;
mod salesforce_api;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{summary, Server};

pub const PUBLIC: &str = "https://leads.example.test/";

/// Visitor `n`'s SQL, with the e-mail address a CRM keys on.
pub fn sql(n: u64, email: &str) -> Value {
    let mut s = summary(n);
    s["traits"]["email"] = json!(email);
    s
}

/// The mapping file the tests use: ana's e-mail, and Salesforce's external id and custom
/// fields (`external`: with the external-id field, else Leads are found by e-mail).
pub fn mapping(dir: &Path, external: bool) -> String {
    let mut salesforce = json!({
        "fields": {
            "LeadPulse_Score__c": "score",
            "LeadPulse_Grade__c": "grade",
            "LeadPulse_Status__c": "status",
            "LeadPulse_Reasons__c": "reasons",
            "LeadPulse_Dashboard__c": "dashboard"
        }
    });
    if external {
        salesforce["externalId"] = json!("LeadPulse_Id__c");
    }
    let path = dir.join("crm-map.json");
    let map = json!({ "owners": { "ana": "ana@example.com" }, "salesforce": salesforce });
    std::fs::write(&path, map.to_string()).unwrap();
    path.display().to_string()
}

/// Where the loopback CRMs are, and how Salesforce finds a lead's Lead.
#[derive(Default)]
pub struct Crms<'a> {
    pub hubspot: Option<&'a str>,
    pub salesforce: Option<&'a str>,
    /// Salesforce Leads upserted by the external-id field (else found by e-mail).
    pub external_id: bool,
    /// Salesforce called with a token as given (else the client-credentials flow).
    pub salesforce_token: bool,
}

/// `serve` with `--crm` for each CRM given, ana as owner, the mapping, a public URL.
pub fn start(dir: &Path, crms: &Crms, extra: &[&str]) -> Server {
    let (hubspot, salesforce) = (crms.hubspot, crms.salesforce);
    let map = mapping(dir, crms.external_id);
    let mut args = vec![
        "--rate-limit",
        "off",
        "--owner",
        "ana",
        "--crm-map",
        &map,
        "--public-url",
        PUBLIC,
    ];
    let mut env = Vec::new();
    if let Some(url) = hubspot {
        args.extend(["--crm", "hubspot"]);
        env.extend([
            ("LEADPULSE_HUBSPOT_TOKEN", hubspot_api::TOKEN),
            ("LEADPULSE_HUBSPOT_URL", url),
            ("LEADPULSE_HUBSPOT_APP_SECRET", hubspot_api::APP_SECRET),
        ]);
    }
    if let Some(url) = salesforce {
        args.extend(["--crm", "salesforce"]);
        env.push(("LEADPULSE_SALESFORCE_URL", url));
        if crms.salesforce_token {
            env.push(("LEADPULSE_SALESFORCE_TOKEN", salesforce_api::STATIC_TOKEN));
        } else {
            env.extend([
                ("LEADPULSE_SALESFORCE_CLIENT_ID", salesforce_api::CLIENT_ID),
                (
                    "LEADPULSE_SALESFORCE_CLIENT_SECRET",
                    salesforce_api::CLIENT_SECRET,
                ),
            ]);
        }
    }
    args.extend(extra);
    Server::start_with_env(dir, &args, &env)
}

/// Posts `summary`; its lead's id.
pub fn post(server: &Server, summary: &Value) -> i64 {
    let reply = server.post_json(summary);
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["lead"].as_i64().unwrap()
}

/// Sales' feedback through the API (200 expected).
pub fn feedback(server: &Server, lead: i64, body: Value) {
    let reply = server.api_post(&format!("/api/leads/{lead}/feedback"), &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// The marker after which "nothing else was sent" holds: nothing left to deliver.
pub fn delivered(server: &Server) {
    crate::delivery::outbox_empty(server, Duration::from_secs(20));
}

/// The lead's history as (by, from, to, reason).
pub fn history(server: &Server, lead: i64) -> Vec<(String, Value, String, Value)> {
    server.api_get(&format!("/api/leads/{lead}")).json()["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["by"].as_str().unwrap().to_string(),
                h["from"].clone(),
                h["to"].as_str().unwrap().to_string(),
                h["reason"].clone(),
            )
        })
        .collect()
}
