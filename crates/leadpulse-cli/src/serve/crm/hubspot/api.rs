//! The subset of HubSpot's CRM v3 API the collector uses, as serde types (the fixtures in
//! tests/fixtures/crm/hubspot/ are the API reference's examples of each).
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST /crm/v3/properties/contacts/groups`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCreate<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub display_order: i32,
}

/// One property of `POST /crm/v3/properties/contacts/batch/create`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyCreate<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub description: &'a str,
    pub group_name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub field_type: &'a str,
}

/// `{"inputs": [...]}`, the batch endpoints' body.
#[derive(Debug, Serialize)]
pub struct Inputs<T> {
    pub inputs: Vec<T>,
}

/// A property as `GET /crm/v3/properties/contacts` lists it (only its name matters here).
#[derive(Debug, Deserialize)]
pub struct Property {
    pub name: String,
}

/// `{"results": [...]}`: property lists, owner lists, batch answers.
#[derive(Debug, Deserialize)]
pub struct Results<T> {
    pub results: Vec<T>,
    /// A batch answer's errors (a 207), each with the API's message.
    #[serde(default)]
    pub errors: Vec<BatchError>,
}

#[derive(Debug, Deserialize)]
pub struct BatchError {
    pub message: String,
}

/// An owner (`GET /crm/v3/owners?email=…`).
#[derive(Debug, Deserialize)]
pub struct Owner {
    pub id: String,
}

/// One contact of `POST /crm/v3/objects/contacts/batch/upsert`, keyed by `idProperty`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upsert<'a> {
    pub id_property: &'a str,
    pub id: &'a str,
    pub properties: &'a Map<String, Value>,
}

/// `PATCH /crm/v3/objects/contacts/{id}`.
#[derive(Debug, Serialize)]
pub struct Update<'a> {
    pub properties: &'a Map<String, Value>,
}

/// A contact as an answer carries it (only its id matters here).
#[derive(Debug, Deserialize)]
pub struct Contact {
    pub id: String,
}

/// One event of a webhook request (an array of them): a property of a contact changed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub subscription_type: String,
    pub object_id: i64,
    #[serde(default)]
    pub occurred_at: i64,
    #[serde(default)]
    pub property_name: Option<String>,
    #[serde(default)]
    pub property_value: Option<String>,
    /// The developer platform's `object.propertyChange` names the object type: `0-1` is
    /// contacts.
    #[serde(default)]
    pub object_type_id: Option<String>,
}

impl Event {
    /// A contact's property that changed: its name and new value.
    pub fn contact_change(&self) -> Option<(&str, &str)> {
        let contact = match self.subscription_type.as_str() {
            "contact.propertyChange" => true,
            "object.propertyChange" => self.object_type_id.as_deref() == Some("0-1"),
            _ => false,
        };
        contact
            .then(|| {
                Some((
                    self.property_name.as_deref()?,
                    self.property_value.as_deref()?,
                ))
            })
            .flatten()
    }
}
