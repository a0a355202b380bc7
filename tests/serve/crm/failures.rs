//! A CRM that is busy, failing, refusing or cut off mid-request: the webhook's guarantees
//! hold (429 waits as `Retry-After` says, 5xx is retried, a final 400 is dead with the API's
//! own message, a delivery pending at `kill -9` is made once after the restart) and nothing
//! is duplicated in the CRM.
use std::time::Duration;

use serde_json::json;

use super::fake::{fixture, Answer, Call, Fake};
use super::hubspot_api::HubSpotApi;
use super::salesforce_api::SalesforceApi;
use super::{delivered, feedback, post, sql, start, Crms};
use crate::harness::site;

const UPSERT: &str = "/crm/v3/objects/contacts/batch/upsert";

fn upserts(calls: &[Call]) -> Vec<&Call> {
    calls.iter().filter(|c| c.path == UPSERT).collect()
}

/// The claim of a delivery cut off by `kill -9`: on PostgreSQL the restarted collector waits
/// for it to run out (another collector might still be attempting it), so it is short here;
/// on SQLite the one collector of the file takes its claims back at start.
const CUT_OFF_CLAIM: &[&str] = &["--outbox-claim-ms", "1000"];

#[test]
fn hubspot_busy_with_429_is_left_alone_as_long_as_retry_after_says() {
    let hubspot = Fake::start(HubSpotApi::new());
    hubspot.force(
        UPSERT,
        Answer::json(429, &fixture("hubspot/error-429.response.json"))
            .with_header("retry-after", "2"),
    );
    let url = hubspot.url();
    let server = start(
        &site("crm-429"),
        &Crms {
            hubspot: Some(&url),
            salesforce: None,
            external_id: true,
            ..Default::default()
        },
        &[],
    );
    post(&server, &sql(1, "rae.ortiz@acme.example"));
    let waiting = server.until("the 429 recorded", Duration::from_secs(20), |s| {
        s.waiting().into_iter().find(|w| w["attempts"] == json!(1))
    });
    let error = waiting["lastError"].as_str().unwrap();
    assert!(
        error.contains("HTTP 429") && error.contains("You have reached your secondly limit."),
        "{error}"
    );
    assert_eq!(
        (&waiting["receiver"], &waiting["kind"]),
        (&json!("hubspot"), &json!("hubspot"))
    );
    delivered(&server);
    let calls = hubspot.calls();
    let tries = upserts(&calls);
    assert_eq!(
        tries.iter().map(|c| c.answered).collect::<Vec<_>>(),
        [429, 200]
    );
    let waited = tries[1].at - tries[0].at;
    assert!(
        waited >= Duration::from_secs(2),
        "tried again after {waited:?}, not the 2 s asked"
    );
    assert_eq!(hubspot.with(|api| api.contacts.len()), 1);
}

#[test]
fn salesforce_failing_with_500_is_tried_again_and_makes_one_lead() {
    let salesforce = Fake::start(SalesforceApi::new());
    let unexpected = json!([{"message": "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-89 (-1234)", "errorCode": "UNKNOWN_EXCEPTION"}]);
    salesforce.force("/sobjects/Lead/", Answer::json(500, &unexpected));
    let url = salesforce.url();
    let server = start(
        &site("crm-500"),
        &Crms {
            hubspot: None,
            salesforce: Some(&url),
            external_id: true,
            ..Default::default()
        },
        &[],
    );
    let lead = post(&server, &sql(1, "rae.ortiz@acme.example"));
    delivered(&server);
    let writes: Vec<Call> = salesforce
        .calls()
        .into_iter()
        .filter(|c| c.path.contains("/sobjects/Lead/"))
        .collect();
    assert_eq!(
        writes.iter().map(|c| c.answered).collect::<Vec<_>>(),
        [500, 201]
    );
    assert!(
        writes
            .iter()
            .all(|c| c.path.ends_with(&format!("/LeadPulse_Id__c/{lead}"))),
        "the same upsert again"
    );
    assert_eq!(salesforce.with(|api| api.leads.len()), 1);
}

#[test]
fn a_final_400_is_dead_with_the_apis_own_message() {
    let hubspot = Fake::start(HubSpotApi::new());
    hubspot.force(
        UPSERT,
        Answer::json(400, &fixture("hubspot/error-400.response.json")),
    );
    let url = hubspot.url();
    let server = start(
        &site("crm-400"),
        &Crms {
            hubspot: Some(&url),
            salesforce: None,
            external_id: true,
            ..Default::default()
        },
        &[],
    );
    post(&server, &sql(1, "rae.ortiz@acme.example"));
    let dead = server.until("a dead delivery", Duration::from_secs(20), |s| {
        s.dead().first().cloned()
    });
    assert_eq!(
        (&dead["receiver"], &dead["attempts"]),
        (&json!("hubspot"), &json!(1))
    );
    let error = dead["lastError"].as_str().unwrap();
    assert!(
        error.starts_with("HubSpot: POST /crm/v3/objects/contacts/batch/upsert → HTTP 400 Bad Request: Property values were not valid:")
            && error.contains("QUALIFIED was not one of the allowed options"),
        "{error}"
    );
    assert!(server.waiting().is_empty());
    assert_eq!(upserts(&hubspot.calls()).len(), 1, "not tried again");
}

#[test]
fn a_hubspot_upsert_cut_off_by_kill_9_is_made_once_after_the_restart() {
    let hubspot = Fake::start(HubSpotApi::new());
    let url = hubspot.url();
    let dir = site("crm-kill-hubspot");
    let crms = Crms {
        hubspot: Some(&url),
        salesforce: None,
        external_id: true,
        ..Default::default()
    };
    let server = start(&dir, &crms, CUT_OFF_CLAIM);
    // HubSpot makes the contact, but the answer never reaches the collector.
    hubspot.hold(UPSERT);
    let lead = post(&server, &sql(1, "rae.ortiz@acme.example"));
    hubspot.wait_until("the upsert", Duration::from_secs(20), |calls| {
        !upserts(calls).is_empty()
    });
    server.kill();
    hubspot.release();
    assert_eq!(hubspot.with(|api| api.contacts.len()), 1);

    let server = start(&dir, &crms, CUT_OFF_CLAIM);
    delivered(&server);
    feedback(&server, lead, json!({"status": "accepted", "by": "ana"}));
    delivered(&server);
    let calls = hubspot.calls();
    assert_eq!(
        upserts(&calls).len(),
        2,
        "the cut-off upsert made again, by e-mail"
    );
    assert_eq!(
        calls.last().map(Call::line).as_deref(),
        Some("PATCH /crm/v3/objects/contacts/51201")
    );
    let contacts = hubspot.with(|api| api.contacts.clone());
    assert_eq!(contacts.len(), 1, "no duplicate contact");
    assert_eq!(
        contacts[0].properties["hs_lead_status"],
        json!("IN_PROGRESS")
    );
}

#[test]
fn a_salesforce_create_cut_off_by_kill_9_is_found_by_e_mail_after_the_restart() {
    let salesforce = Fake::start(SalesforceApi::new());
    let url = salesforce.url();
    let dir = site("crm-kill-salesforce");
    let crms = Crms {
        hubspot: None,
        salesforce: Some(&url),
        external_id: false,
        ..Default::default()
    };
    let server = start(&dir, &crms, CUT_OFF_CLAIM);
    salesforce.hold("/sobjects/Lead");
    let lead = post(&server, &sql(1, "rae.ortiz@acme.example"));
    salesforce.wait_until("the create", Duration::from_secs(20), |calls| {
        calls
            .iter()
            .any(|c| c.method == "POST" && c.path.ends_with("/sobjects/Lead"))
    });
    server.kill();
    salesforce.release();

    let server = start(&dir, &crms, CUT_OFF_CLAIM);
    delivered(&server);
    feedback(&server, lead, json!({"status": "accepted", "by": "ana"}));
    delivered(&server);
    let calls = salesforce.calls();
    let writes: Vec<String> = calls
        .iter()
        .filter(|c| c.path.contains("/sobjects/"))
        .map(Call::line)
        .collect();
    let at = "/services/data/v60.0/sobjects/Lead";
    assert_eq!(
        writes,
        [
            format!("POST {at}"),
            format!("PATCH {at}/00Q5e00000LPl01EAD"),
            format!("PATCH {at}/00Q5e00000LPl01EAD")
        ]
    );
    let leads = salesforce.with(|api| api.leads.clone());
    assert_eq!(leads.len(), 1, "no duplicate Lead");
    assert_eq!(leads[0].fields["Status"], json!("Working - Contacted"));
}
