//! Status changes made in a CRM come back as the feedback the API takes, by `crm`: a HubSpot
//! webhook with a valid signature (one with a bad signature is refused and changes nothing;
//! the CRM telling back the collector's own write, or a step the status rules refuse, is
//! skipped), and a Lead changed in Salesforce, found by polling.
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::fake::{fixture, Call, Fake};
use super::hubspot_api::{HubSpotApi, APP_SECRET};
use super::salesforce_api::SalesforceApi;
use super::{delivered, feedback, history, post, sql, start, Crms, PUBLIC};
use crate::harness::{site, Server};

/// HubSpot's v3 signature of a POST to `uri` with `body` at `timestamp` (ms).
fn sign(secret: &str, uri: &str, body: &str, timestamp: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("POST{uri}{body}{timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// HubSpot's webhook request (the fixture's shape): `(property, value)` changes of contact
/// 51201, in this order.
fn events(changes: &[(&str, &str)]) -> String {
    let template = fixture("hubspot/webhook.request.json")[0].clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let events: Vec<Value> = changes
        .iter()
        .enumerate()
        .map(|(i, (property, value))| {
            let mut event = template.clone();
            event["eventId"] = json!(1_843_201_957 + i as i64);
            event["occurredAt"] = json!(now - 1000 + i as i64);
            event["propertyName"] = json!(property);
            event["propertyValue"] = json!(value);
            event
        })
        .collect();
    Value::Array(events).to_string()
}

fn webhook(server: &Server, body: &str, secret: &str) -> (u16, Value) {
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    // NOTE: behind the proxy HubSpot calls the public URL: that is what it signs.
    let signature = sign(
        secret,
        &format!("{PUBLIC}crm/hubspot/webhook"),
        body,
        &timestamp,
    );
    let headers = [
        ("Content-Type", "application/json"),
        ("X-HubSpot-Signature-v3", signature.as_str()),
        ("X-HubSpot-Request-Timestamp", timestamp.as_str()),
    ];
    let reply = server.request("POST", "/crm/hubspot/webhook", &headers, body.as_bytes());
    (reply.status, reply.json())
}

#[test]
fn a_status_changed_in_hubspot_comes_back_by_crm_when_its_signature_holds() {
    let hubspot = Fake::start(HubSpotApi::new());
    let url = hubspot.url();
    let server = start(
        &site("crm-hubspot-back"),
        &Crms {
            hubspot: Some(&url),
            ..Default::default()
        },
        &[],
    );
    let answer = server.post_json(&sql(1, "rae.ortiz@acme.example"));
    assert_eq!(answer.status, 201, "{}", answer.text());
    let (lead, token) = {
        let body = answer.json();
        (
            body["lead"].as_i64().unwrap(),
            body["status"].as_str().unwrap().to_string(),
        )
    };
    let site_sees = || server.get(&format!("/status/{token}")).json()["sales"].clone();
    delivered(&server);
    feedback(&server, lead, json!({"status": "accepted", "by": "ana"}));
    delivered(&server);
    assert_eq!(site_sees(), json!("with_sales"));
    let before = hubspot.calls().len();

    let rejected = events(&[("hs_lead_status", "UNQUALIFIED")]);
    let (status, body) = webhook(&server, &rejected, "not-the-app-secret-at-all");
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("the signature does not match"))
    );

    // The collector's own write told back (IN_PROGRESS), a step the rules refuse (customer:
    // won does not follow accepted), then the rep's decision.
    let batch = events(&[
        ("hs_lead_status", "IN_PROGRESS"),
        ("lifecyclestage", "customer"),
        ("hs_lead_status", "UNQUALIFIED"),
    ]);
    let sent = std::time::Instant::now();
    let (status, body) = webhook(&server, &batch, APP_SECRET);
    assert_eq!((status, &body), (200, &json!({"events": 3, "applied": 1})));
    // The site learns it on its next question: the webhook's answer means it is stored.
    assert_eq!(
        site_sees(),
        json!("recycled"),
        "the site knows sales sent the lead back"
    );
    eprintln!(
        "HubSpot change → the site's status answer says recycled: {:.1} ms",
        sent.elapsed().as_secs_f64() * 1000.0
    );
    let steps = history(&server, lead);
    assert_eq!(
        steps[1..],
        [
            // NOTE: the shared API token acts as `api`, whatever `by` the body names.
            ("api".into(), json!("new"), "accepted".into(), Value::Null),
            (
                "crm".into(),
                json!("accepted"),
                "rejected".into(),
                json!("HubSpot: hs_lead_status → UNQUALIFIED")
            ),
        ]
    );
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("HubSpot: 51201 lifecyclestage = customer skipped for lead 1: it is accepted, which can become opportunity, rejected or lost (409)"), "{log}");

    // HubSpot has the rejection already: nothing goes back. The marker: the next lead's
    // contact is written, and nothing about lead 1 came before it.
    post(&server, &sql(2, "dana.lee@acme-logistics.example"));
    delivered(&server);
    let after: Vec<String> = hubspot.calls()[before..].iter().map(Call::line).collect();
    assert_eq!(after, ["POST /crm/v3/objects/contacts/batch/upsert"]);
}

#[test]
fn a_lead_status_changed_in_salesforce_is_polled_and_comes_back_by_crm() {
    let salesforce = Fake::start(SalesforceApi::new());
    let url = salesforce.url();
    let crms = Crms {
        salesforce: Some(&url),
        external_id: true,
        salesforce_token: true,
        ..Default::default()
    };
    let server = start(
        &site("crm-salesforce-back"),
        &crms,
        &["--salesforce-poll", "1"],
    );
    let lead = post(&server, &sql(1, "rae.ortiz@acme.example"));
    delivered(&server);
    feedback(&server, lead, json!({"status": "accepted", "by": "ana"}));
    delivered(&server);
    // The collector's own Status is polled back and left alone: the marker is a poll after
    // the accepted Lead was written.
    let written = salesforce.calls().len();
    salesforce.wait_until("a poll after the write", Duration::from_secs(20), |calls| {
        calls[written..].iter().any(|c| {
            c.param("q")
                .is_some_and(|q| q.contains("LastModifiedDate >="))
        })
    });
    assert_eq!(
        history(&server, lead).len(),
        2,
        "new, accepted: the echo changed nothing"
    );

    let id = salesforce.with(|api| api.leads[0].id.clone());
    salesforce.with(|api| api.set_status(&id, "Closed - Not Converted"));
    let steps = server.until("the change polled", Duration::from_secs(20), |s| {
        let steps = history(s, lead);
        (steps.len() == 3).then_some(steps)
    });
    assert_eq!(
        steps[2],
        (
            "crm".into(),
            json!("accepted"),
            "rejected".into(),
            json!("Salesforce: Status → Closed - Not Converted")
        )
    );
    let polls: Vec<String> = salesforce
        .calls()
        .iter()
        .filter_map(|c| c.param("q"))
        .filter(|q| q.contains("LastModifiedDate"))
        .collect();
    let query = &polls[0];
    assert!(
        query.starts_with(
            "SELECT Id, Status, LastModifiedDate FROM Lead WHERE LastModifiedDate >= 20"
        ) && query
            .ends_with("Z AND LeadPulse_Id__c != null ORDER BY LastModifiedDate ASC LIMIT 200"),
        "{query}"
    );
    assert!(salesforce.calls().iter().all(|c| c.header("authorization")
        == Some(&format!("Bearer {}", super::salesforce_api::STATIC_TOKEN))));
}
