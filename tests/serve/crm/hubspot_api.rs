//! A loopback HubSpot: the CRM v3 subset the collector uses (property groups and
//! properties, owners, contacts upserted by e-mail and updated by id), answering with the
//! fixtures' shapes, and refusing any other token.
use serde_json::{json, Map, Value};

use super::fake::{fixture, Answer, Api, Call};

pub const TOKEN: &str = "pat-na1-loopback-hubspot-token";
pub const APP_SECRET: &str = "hubspot-app-client-secret-for-tests";

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: String,
    pub email: String,
    pub properties: Map<String, Value>,
}

pub struct HubSpotApi {
    pub group: bool,
    pub properties: Vec<String>,
    pub owners: Vec<(String, String)>,
    pub contacts: Vec<Contact>,
    next_id: u64,
}

impl HubSpotApi {
    /// A fresh portal with one owner, ana@example.com.
    pub fn new() -> HubSpotApi {
        HubSpotApi {
            group: false,
            properties: [
                "email",
                "firstname",
                "lastname",
                "company",
                "jobtitle",
                "phone",
                "lifecyclestage",
                "hs_lead_status",
                "hubspot_owner_id",
            ]
            .map(String::from)
            .to_vec(),
            owners: vec![("41629779".into(), "ana@example.com".into())],
            contacts: Vec::new(),
            next_id: 51201,
        }
    }

    pub fn contact(&self, email: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.email == email)
    }
}

fn error(status: u16, message: &str, category: &str) -> Answer {
    Answer::json(
        status,
        &json!({"status": "error", "message": message, "correlationId": "6e4bd7d1-4bde-4c0f-9a7e-0f7d2d9f3c11", "category": category}),
    )
}

fn set(properties: &mut Map<String, Value>, new: &Value) {
    for (k, v) in new.as_object().into_iter().flatten() {
        properties.insert(k.clone(), v.clone());
    }
}

impl Api for HubSpotApi {
    fn answer(&mut self, call: &Call) -> Answer {
        if call.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return error(
                401,
                "Authentication credentials not found.",
                "INVALID_AUTHENTICATION",
            );
        }
        let path = call.path.as_str();
        match (call.method.as_str(), path) {
            ("GET", "/crm/v3/properties/contacts/groups/leadpulse") => {
                if self.group {
                    Answer::json(200, &fixture("hubspot/group.response.json"))
                } else {
                    error(
                        404,
                        "Unable to find property group leadpulse",
                        "OBJECT_NOT_FOUND",
                    )
                }
            }
            ("POST", "/crm/v3/properties/contacts/groups") => {
                self.group = true;
                Answer::json(201, &fixture("hubspot/group.response.json"))
            }
            ("GET", "/crm/v3/properties/contacts") => {
                let results: Vec<Value> = self
                    .properties
                    .iter()
                    .map(|name| {
                        let mut p =
                            fixture("hubspot/properties.response.json")["results"][0].clone();
                        p["name"] = json!(name);
                        p
                    })
                    .collect();
                Answer::json(200, &json!({ "results": results }))
            }
            ("POST", "/crm/v3/properties/contacts/batch/create") => {
                let mut results = Vec::new();
                for input in call.json()["inputs"].as_array().into_iter().flatten() {
                    if input["groupName"] == json!("leadpulse") && !self.group {
                        return error(
                            400,
                            "Property group leadpulse does not exist",
                            "VALIDATION_ERROR",
                        );
                    }
                    self.properties
                        .push(input["name"].as_str().unwrap().to_string());
                    let mut p =
                        fixture("hubspot/properties-create.response.json")["results"][0].clone();
                    for key in [
                        "name",
                        "label",
                        "type",
                        "fieldType",
                        "groupName",
                        "description",
                    ] {
                        p[key] = input[key].clone();
                    }
                    results.push(p);
                }
                let mut answer = fixture("hubspot/properties-create.response.json");
                answer["results"] = json!(results);
                Answer::json(201, &answer)
            }
            ("GET", "/crm/v3/owners") => {
                let email = call.param("email").unwrap_or_default();
                let results: Vec<Value> = self
                    .owners
                    .iter()
                    .filter(|(_, e)| *e == email)
                    .map(|(id, e)| {
                        let mut o = fixture("hubspot/owners.response.json")["results"][0].clone();
                        o["id"] = json!(id);
                        o["email"] = json!(e);
                        o
                    })
                    .collect();
                Answer::json(200, &json!({ "results": results }))
            }
            ("POST", "/crm/v3/objects/contacts/batch/upsert") => {
                let mut results = Vec::new();
                for input in call.json()["inputs"].as_array().into_iter().flatten() {
                    assert_eq!(
                        input["idProperty"],
                        json!("email"),
                        "contacts are upserted by e-mail"
                    );
                    let email = input["id"].as_str().unwrap().to_lowercase();
                    for name in input["properties"].as_object().unwrap().keys() {
                        if !self.properties.contains(name) {
                            return error(400, &format!("Property values were not valid: [{{\"isValid\":false,\"message\":\"Property \\\"{name}\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"{name}\"}}]"), "VALIDATION_ERROR");
                        }
                    }
                    let new = self.contact(&email).is_none();
                    if new {
                        self.contacts.push(Contact {
                            id: self.next_id.to_string(),
                            email: email.clone(),
                            properties: Map::new(),
                        });
                        self.next_id += 1;
                    }
                    let contact = self.contacts.iter_mut().find(|c| c.email == email).unwrap();
                    set(&mut contact.properties, &input["properties"]);
                    let mut r = fixture("hubspot/upsert.response.json")["results"][0].clone();
                    r["id"] = json!(contact.id);
                    r["new"] = json!(new);
                    r["properties"]["email"] = json!(email);
                    r["properties"]["hs_object_id"] = json!(contact.id);
                    results.push(r);
                }
                let mut answer = fixture("hubspot/upsert.response.json");
                answer["results"] = json!(results);
                Answer::json(200, &answer)
            }
            ("PATCH", _) if path.starts_with("/crm/v3/objects/contacts/") => {
                let id = path.trim_start_matches("/crm/v3/objects/contacts/");
                let Some(contact) = self.contacts.iter_mut().find(|c| c.id == id) else {
                    return error(404, "resource not found", "OBJECT_NOT_FOUND");
                };
                set(&mut contact.properties, &call.json()["properties"]);
                let mut answer = fixture("hubspot/update.response.json");
                answer["id"] = json!(contact.id);
                Answer::json(200, &answer)
            }
            _ => error(
                404,
                &format!("no such endpoint: {} {path}", call.method),
                "OBJECT_NOT_FOUND",
            ),
        }
    }
}
