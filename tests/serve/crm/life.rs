//! One lead's life (SQL → accepted → opportunity → won: won follows an opportunity under the
//! status rules) reaches each CRM as the documented requests: method, path, body shape
//! against the fixtures, and what the bodies say.
use serde_json::{json, Value};

use super::fake::{fixture, shape, Call, Fake};
use super::hubspot_api::{HubSpotApi, TOKEN};
use super::salesforce_api::SalesforceApi;
use super::{delivered, feedback, post, sql, start, Crms, PUBLIC};
use crate::harness::site;

/// Sales takes the lead through to won, each step delivered before the next.
fn life(server: &crate::harness::Server, lead: i64) {
    delivered(server);
    for (status, amount) in [
        ("accepted", None),
        ("opportunity", Some(12000)),
        ("won", Some(15000)),
    ] {
        let mut body = json!({ "status": status, "by": "ana" });
        if let Some(amount) = amount {
            body["amount"] = json!(amount);
        }
        feedback(server, lead, body);
        delivered(server);
    }
}

fn print(crm: &str, calls: &[Call]) {
    for call in calls {
        let query = if call.query.is_empty() {
            String::new()
        } else {
            format!("?{}", call.query)
        };
        eprintln!(
            "{crm}: {} {}{query} → {}\n  {}",
            call.method,
            call.path,
            call.answered,
            String::from_utf8_lossy(&call.body)
        );
    }
}

#[test]
fn a_leads_life_reaches_hubspot_as_the_api_reference_documents() {
    let hubspot = Fake::start(HubSpotApi::new());
    let dir = site("crm-hubspot-life");
    let url = hubspot.url();
    let server = start(
        &dir,
        &Crms {
            hubspot: Some(&url),
            salesforce: None,
            external_id: true,
            ..Default::default()
        },
        &[],
    );
    let lead = post(&server, &sql(1, "Rae.Ortiz@Acme.example"));
    life(&server, lead);

    let calls = hubspot.calls();
    print("HubSpot", &calls);
    let lines: Vec<String> = calls.iter().map(Call::line).collect();
    assert_eq!(
        lines,
        [
            "GET /crm/v3/properties/contacts/groups/leadpulse",
            "POST /crm/v3/properties/contacts/groups",
            "GET /crm/v3/properties/contacts",
            "POST /crm/v3/properties/contacts/batch/create",
            "GET /crm/v3/owners",
            "POST /crm/v3/objects/contacts/batch/upsert",
            "PATCH /crm/v3/objects/contacts/51201",
            "PATCH /crm/v3/objects/contacts/51201",
            "PATCH /crm/v3/objects/contacts/51201",
        ]
    );
    assert!(calls
        .iter()
        .all(|c| c.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
    assert_eq!(calls[0].answered, 404, "no LeadPulse group yet");
    assert!(
        calls[1..].iter().all(|c| c.answered < 300),
        "every other call answered 2xx"
    );
    assert_eq!(
        shape(&calls[1].json()),
        shape(&fixture("hubspot/group-create.request.json"))
    );
    let created = calls[3].json();
    assert_eq!(
        shape(&created),
        shape(&fixture("hubspot/properties-create.request.json"))
    );
    let names: Vec<&str> = created["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "leadpulse_score",
            "leadpulse_grade",
            "leadpulse_stage",
            "leadpulse_route",
            "leadpulse_reasons",
            "leadpulse_questions",
            "leadpulse_dashboard",
            "leadpulse_form",
            "leadpulse_message"
        ]
    );
    assert!(created["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["groupName"] == json!("leadpulse")));
    assert_eq!(
        (
            calls[4].param("email").as_deref(),
            calls[4].param("limit").as_deref()
        ),
        (Some("ana@example.com"), Some("1"))
    );

    let upsert = calls[5].json();
    assert_eq!(
        shape(&upsert),
        shape(&fixture("hubspot/upsert.request.json"))
    );
    let input = &upsert["inputs"][0];
    assert_eq!(
        (&input["idProperty"], &input["id"]),
        (&json!("email"), &json!("rae.ortiz@acme.example"))
    );
    let p = &input["properties"];
    let expected = json!({
        "firstname": "Rae", "lastname": "Ortiz", "company": "Acme", "jobtitle": "VP Marketing",
        "lifecyclestage": "salesqualifiedlead", "hs_lead_status": "NEW", "hubspot_owner_id": "41629779",
        "leadpulse_score": "77", "leadpulse_grade": "A2", "leadpulse_stage": "sql", "leadpulse_route": "score",
        "leadpulse_reasons": "Requested a demo (+20)\nJob title at buyer-persona seniority (+15)\nCompany of 50–999 employees: the core market (+12)",
        "leadpulse_questions": "Does it work with Salesforce?",
        "leadpulse_dashboard": format!("{PUBLIC}dashboard#lead-{lead}"),
    });
    assert_eq!(p, &expected, "no form or message: the lead has no request");

    let steps: Vec<Value> = calls[6..].iter().map(Call::json).collect();
    for step in &steps {
        assert_eq!(shape(step), shape(&fixture("hubspot/update.request.json")));
    }
    let status = |i: usize| {
        (
            steps[i]["properties"].get("lifecyclestage").cloned(),
            steps[i]["properties"].get("hs_lead_status").cloned(),
        )
    };
    assert_eq!(status(0), (None, Some(json!("IN_PROGRESS"))), "accepted");
    assert_eq!(
        status(1),
        (Some(json!("opportunity")), Some(json!("OPEN_DEAL"))),
        "opportunity"
    );
    assert_eq!(status(2), (Some(json!("customer")), None), "won");

    let contacts = hubspot.with(|api| api.contacts.clone());
    assert_eq!(contacts.len(), 1, "one contact");
    assert_eq!(contacts[0].properties["lifecyclestage"], json!("customer"));
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains(TOKEN), "the token is never logged");
}

#[test]
fn a_leads_life_reaches_salesforce_as_the_api_reference_documents() {
    let salesforce = Fake::start(SalesforceApi::new());
    let dir = site("crm-salesforce-life");
    let url = salesforce.url();
    let server = start(
        &dir,
        &Crms {
            hubspot: None,
            salesforce: Some(&url),
            external_id: true,
            ..Default::default()
        },
        &[],
    );
    let lead = post(&server, &sql(1, "rae.ortiz@acme.example"));
    life(&server, lead);

    let calls = salesforce.calls();
    print("Salesforce", &calls);
    let lines: Vec<String> = calls.iter().map(Call::line).collect();
    let base = "/services/data/v60.0";
    assert_eq!(
        lines,
        [
            "POST /services/oauth2/token".to_string(),
            format!("GET {base}/query"),
            format!("PATCH {base}/sobjects/Lead/LeadPulse_Id__c/{lead}"),
            format!("PATCH {base}/sobjects/Lead/00Q5e00000LPl01EAD"),
            format!("PATCH {base}/sobjects/Lead/00Q5e00000LPl01EAD"),
            format!("PATCH {base}/sobjects/Lead/00Q5e00000LPl01EAD"),
        ]
    );
    assert!(
        calls.iter().all(|c| c.answered < 300),
        "every call answered 2xx"
    );
    assert_eq!(
        calls[0].param("grant_type").as_deref(),
        Some("client_credentials")
    );
    assert!(calls[1..]
        .iter()
        .all(|c| c.header("authorization") == Some("Bearer 00D5e000000LPxx!token1")));
    assert_eq!(
        calls[1].param("q").as_deref(),
        Some("SELECT Id FROM User WHERE Email = 'ana@example.com' AND IsActive = true LIMIT 1")
    );
    let documented = fixture("salesforce/lead.request.json");
    let types = |body: &Value| -> Vec<(String, Value)> {
        body.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), shape(v)))
            .collect()
    };
    let created = calls[2].json();
    for (field, kind) in types(&created) {
        if let Some(documented) = documented.get(&field) {
            assert_eq!(shape(documented), kind, "{field}");
        }
    }
    assert_eq!(
        created,
        json!({
            "FirstName": "Rae", "LastName": "Ortiz", "Company": "Acme", "Email": "rae.ortiz@acme.example",
            "Title": "VP Marketing", "Status": "Open - Not Contacted", "OwnerId": "0055e00000LPu01AAD",
            "LeadPulse_Score__c": 77.0, "LeadPulse_Grade__c": "A2", "LeadPulse_Status__c": "new",
            "LeadPulse_Reasons__c": "Requested a demo (+20)\nJob title at buyer-persona seniority (+15)\nCompany of 50–999 employees: the core market (+12)",
            "LeadPulse_Dashboard__c": format!("{PUBLIC}dashboard#lead-{lead}"),
        })
    );
    let steps: Vec<Value> = calls[3..].iter().map(Call::json).collect();
    let status = |i: usize| {
        (
            steps[i].get("Status").cloned(),
            steps[i]["LeadPulse_Status__c"].clone(),
        )
    };
    assert_eq!(
        status(0),
        (Some(json!("Working - Contacted")), json!("accepted"))
    );
    assert_eq!(
        status(1),
        (None, json!("opportunity")),
        "no Lead Status stands for an opportunity by default"
    );
    assert_eq!(status(2), (None, json!("won")));
    assert!(steps
        .iter()
        .all(|s| s["LastName"] == json!("Ortiz") && s["OwnerId"] == json!("0055e00000LPu01AAD")));

    let leads = salesforce.with(|api| api.leads.clone());
    assert_eq!(leads.len(), 1, "one Lead");
    assert_eq!(leads[0].fields["LeadPulse_Id__c"], json!(lead.to_string()));
    assert_eq!(leads[0].fields["LeadPulse_Status__c"], json!("won"));
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        !log.contains(super::salesforce_api::CLIENT_SECRET) && !log.contains("!token1"),
        "no secret logged"
    );
}
