//! The CRM mapping file (`--crm-map FILE`, docs/collector.md "CRM"): owners' e-mail
//! addresses, the custom properties (HubSpot) and fields (Salesforce) to fill and from which
//! LeadPulse value, the Salesforce external-id field, and which CRM values each status is.
//! Read with the model reader: every problem is reported with its JSON path.
//!
//! ```json
//! { "owners": { "ana": "ana@example.com" },
//!   "hubspot": { "properties": { "industry": "trait:company.industry" },
//!                "statuses": { "lost": { "hs_lead_status": "BAD_TIMING" } } },
//!   "salesforce": { "externalId": "LeadPulse_Id__c",
//!                   "fields": { "LeadPulse_Score__c": "score" },
//!                   "statuses": { "opportunity": "Qualified" } } }
//! ```
use std::path::Path;

use leadpulse::core::json::{Obj, Problems, Value};

use super::values::{Source, NAMES};
use crate::serve::status::Status;

/// A status's values in HubSpot: property → value (none: the status writes nothing there).
pub type HubSpotStatus = Vec<(String, String)>;

#[derive(Debug, Clone, Default)]
pub struct CrmMap {
    /// Owner name → the e-mail address the CRM knows the rep by.
    pub owners: Vec<(String, String)>,
    pub hubspot_properties: Vec<(String, Source)>,
    pub hubspot_statuses: Vec<(Status, HubSpotStatus)>,
    pub salesforce_external_id: Option<String>,
    pub salesforce_fields: Vec<(String, Source)>,
    pub salesforce_statuses: Vec<(Status, Option<String>)>,
}

/// The statuses the mapping sets values for: the one the collector gives a lead reaching
/// sales, and every one sales may move it to.
const STATUSES: [Status; 6] = [
    Status::New,
    Status::Accepted,
    Status::Rejected,
    Status::Opportunity,
    Status::Won,
    Status::Lost,
];

/// HubSpot's default lifecycle stages and lead statuses (docs/collector.md, "CRM").
fn hubspot_default(status: Status) -> HubSpotStatus {
    let pairs: &[(&str, &str)] = match status {
        Status::New => &[
            ("lifecyclestage", "salesqualifiedlead"),
            ("hs_lead_status", "NEW"),
        ],
        Status::Accepted => &[("hs_lead_status", "IN_PROGRESS")],
        Status::Rejected | Status::Lost => &[("hs_lead_status", "UNQUALIFIED")],
        Status::Opportunity => &[
            ("lifecyclestage", "opportunity"),
            ("hs_lead_status", "OPEN_DEAL"),
        ],
        Status::Won => &[("lifecyclestage", "customer")],
        Status::Marketing | Status::Review => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Salesforce's default Lead Status values (the standard picklist).
fn salesforce_default(status: Status) -> Option<String> {
    let value = match status {
        Status::New => "Open - Not Contacted",
        Status::Accepted => "Working - Contacted",
        Status::Rejected | Status::Lost => "Closed - Not Converted",
        _ => return None,
    };
    Some(value.to_string())
}

/// What the collector writes itself: a mapping may not fill these too.
const HUBSPOT_OWN: &[&str] = &["email", "hubspot_owner_id"];
const SALESFORCE_OWN: &[&str] = &["Email", "OwnerId", "Status"];

fn is_name(text: &str, upper: bool) -> bool {
    let letter = |c: char| c.is_ascii_lowercase() || (upper && c.is_ascii_uppercase());
    let mut chars = text.chars();
    chars.next().is_some_and(letter) && chars.all(|c| letter(c) || c.is_ascii_digit() || c == '_')
}

impl CrmMap {
    /// The defaults alone (no file).
    pub fn defaults() -> CrmMap {
        CrmMap {
            hubspot_statuses: STATUSES.iter().map(|&s| (s, hubspot_default(s))).collect(),
            salesforce_statuses: STATUSES
                .iter()
                .map(|&s| (s, salesforce_default(s)))
                .collect(),
            ..CrmMap::default()
        }
    }

    /// Reads a mapping file over the defaults; the error lists every problem with its path.
    pub fn load(path: &Path) -> Result<CrmMap, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--crm-map {}: {e}", path.display()))?;
        let value = Value::from_text(&text)
            .map_err(|e| format!("--crm-map {}: not JSON: {e}", path.display()))?;
        let mut problems = Problems::default();
        let map = CrmMap::read(&value, &mut problems);
        if problems.is_empty() {
            return Ok(map);
        }
        let lines: Vec<String> = problems
            .0
            .iter()
            .map(|p| format!("  {}", p.describe()))
            .collect();
        Err(format!(
            "--crm-map {}:\n{}",
            path.display(),
            lines.join("\n")
        ))
    }

    fn read(value: &Value, p: &mut Problems) -> CrmMap {
        let mut map = CrmMap::defaults();
        let Some(root) = Obj::open(value, "", Some(&["owners", "hubspot", "salesforce"]), p) else {
            return map;
        };
        if let Some(owners) = root
            .get("owners")
            .and_then(|v| Obj::open(v, "owners", None, p))
        {
            for (name, email) in owners.sorted() {
                match email.as_str() {
                    Some(email) if email.contains('@') => {
                        map.owners.push((name.clone(), email.trim().to_lowercase()))
                    }
                    _ => p.range(&owners.path_of(name), "expected the rep's e-mail address"),
                }
            }
        }
        if let Some(hubspot) = root.get("hubspot") {
            if let Some(o) = Obj::open(hubspot, "hubspot", Some(&["properties", "statuses"]), p) {
                map.hubspot_properties = sources(&o, "properties", false, HUBSPOT_OWN, p);
                if let Some(statuses) = statuses(&o, p) {
                    for (status, path, value) in statuses {
                        let values = hubspot_status(value, &path, p);
                        set(&mut map.hubspot_statuses, status, values);
                    }
                }
                let status_properties: Vec<&String> = map
                    .hubspot_statuses
                    .iter()
                    .flat_map(|(_, v)| v.iter().map(|(k, _)| k))
                    .collect();
                for (name, _) in &map.hubspot_properties {
                    if status_properties.contains(&name) || name.starts_with("leadpulse_") {
                        p.range(
                            &format!("hubspot.properties.{name}"),
                            "written by the collector itself (a status value, or the LeadPulse group)",
                        );
                    }
                }
            }
        }
        if let Some(salesforce) = root.get("salesforce") {
            let allowed = ["externalId", "fields", "statuses"];
            if let Some(o) = Obj::open(salesforce, "salesforce", Some(&allowed), p) {
                map.salesforce_external_id = o.opt::<String>("externalId", p);
                if let Some(field) = &map.salesforce_external_id {
                    if !is_name(field, true) {
                        p.range(
                            &o.path_of("externalId"),
                            "expected a field's API name, such as LeadPulse_Id__c",
                        );
                    }
                }
                let mut own: Vec<&str> = SALESFORCE_OWN.to_vec();
                own.extend(map.salesforce_external_id.as_deref());
                map.salesforce_fields = sources(&o, "fields", true, &own, p);
                if let Some(statuses) = statuses(&o, p) {
                    for (status, path, value) in statuses {
                        let value = match value {
                            Value::Null => None,
                            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                            _ => {
                                p.range(&path, "expected a Lead Status value, or null");
                                None
                            }
                        };
                        set(&mut map.salesforce_statuses, status, value);
                    }
                }
            }
        }
        map
    }

    /// The e-mail address of owner `name`: the mapping's, else the name if it is one.
    pub fn owner_email(&self, name: &str) -> Option<String> {
        self.owners
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
            .or_else(|| name.contains('@').then(|| name.trim().to_lowercase()))
    }

    pub fn hubspot_status(&self, status: Status) -> &[(String, String)] {
        self.hubspot_statuses
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    pub fn salesforce_status(&self, status: Status) -> Option<&str> {
        self.salesforce_statuses
            .iter()
            .find(|(s, _)| *s == status)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The statuses a HubSpot property's value stands for, the earlier step first.
    pub fn hubspot_candidates(&self, property: &str, value: &str) -> Vec<Status> {
        self.hubspot_statuses
            .iter()
            .filter(|(_, values)| values.iter().any(|(k, v)| k == property && v == value))
            .map(|(s, _)| *s)
            .collect()
    }

    /// The statuses a Salesforce Lead Status value stands for, the earlier step first.
    pub fn salesforce_candidates(&self, value: &str) -> Vec<Status> {
        self.salesforce_statuses
            .iter()
            .filter(|(_, v)| v.as_deref() == Some(value))
            .map(|(s, _)| *s)
            .collect()
    }
}

/// `properties` / `fields`: name → a LeadPulse value.
fn sources(
    o: &Obj,
    key: &str,
    upper: bool,
    own: &[&str],
    p: &mut Problems,
) -> Vec<(String, Source)> {
    let Some(members) = o
        .get(key)
        .and_then(|v| Obj::open(v, &o.path_of(key), None, p))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, value) in members.sorted() {
        let path = members.path_of(name);
        if !is_name(name, upper) {
            let form = if upper {
                "an API name (letters, digits, _)"
            } else {
                "an internal name (lower case, digits, _)"
            };
            p.range(&path, format!("expected {form}"));
        } else if own.contains(&name.as_str()) {
            p.range(&path, "written by the collector itself");
        }
        match value.as_str().and_then(Source::parse) {
            Some(source) => out.push((name.clone(), source)),
            None => p.range(&path, format!("expected one of {NAMES}")),
        }
    }
    out
}

/// `statuses`: each status the mapping sets, with its path and value.
fn statuses<'v>(o: &Obj<'v>, p: &mut Problems) -> Option<Vec<(Status, String, &'v Value)>> {
    let names: Vec<&str> = STATUSES.iter().map(|s| s.name()).collect();
    let statuses = Obj::open(o.get("statuses")?, &o.path_of("statuses"), Some(&names), p)?;
    Some(
        statuses
            .sorted()
            .into_iter()
            .filter_map(|(name, value)| {
                Some((Status::from_name(name)?, statuses.path_of(name), value))
            })
            .collect(),
    )
}

fn hubspot_status(value: &Value, path: &str, p: &mut Problems) -> HubSpotStatus {
    if value.is_null() {
        return Vec::new();
    }
    let Some(o) = Obj::open(value, path, None, p) else {
        return Vec::new();
    };
    o.sorted()
        .into_iter()
        .filter_map(|(name, v)| match v.as_str() {
            Some(text) if is_name(name, false) && !text.trim().is_empty() => {
                Some((name.clone(), text.to_string()))
            }
            _ => {
                p.range(
                    &o.path_of(name),
                    "expected a property's internal name and its value as text",
                );
                None
            }
        })
        .collect()
}

fn set<T>(list: &mut [(Status, T)], status: Status, value: T) {
    if let Some(entry) = list.iter_mut().find(|(s, _)| *s == status) {
        entry.1 = value;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<CrmMap, Vec<String>> {
        let mut p = Problems::default();
        let map = CrmMap::read(&Value::from_text(text).unwrap(), &mut p);
        if p.is_empty() {
            Ok(map)
        } else {
            Err(p.0.iter().map(|x| x.describe()).collect())
        }
    }

    #[test]
    fn a_mapping_over_the_defaults() {
        let map = read(
            r#"{"owners": {"ana": "Ana@Example.com"},
                "hubspot": {"properties": {"industry": "trait:company.industry"},
                            "statuses": {"lost": {"hs_lead_status": "BAD_TIMING"}, "won": null}},
                "salesforce": {"externalId": "LeadPulse_Id__c", "fields": {"LeadPulse_Score__c": "score"},
                               "statuses": {"opportunity": "Qualified"}}}"#,
        )
        .unwrap();
        assert_eq!(map.owner_email("ana").as_deref(), Some("ana@example.com"));
        assert_eq!(
            map.owner_email("ben@example.com").as_deref(),
            Some("ben@example.com")
        );
        assert_eq!(map.owner_email("ben"), None);
        assert_eq!(map.hubspot_status(Status::Won), &[]);
        assert_eq!(
            map.hubspot_candidates("hs_lead_status", "UNQUALIFIED"),
            [Status::Rejected]
        );
        assert_eq!(
            map.hubspot_candidates("hs_lead_status", "BAD_TIMING"),
            [Status::Lost]
        );
        assert_eq!(
            map.salesforce_status(Status::Opportunity),
            Some("Qualified")
        );
        assert_eq!(
            map.salesforce_candidates("Closed - Not Converted"),
            [Status::Rejected, Status::Lost]
        );
        assert_eq!(
            map.salesforce_fields,
            [("LeadPulse_Score__c".into(), Source::Score)]
        );
    }

    #[test]
    fn every_mistake_with_its_path() {
        let problems = read(
            r#"{"owner": {}, "owners": {"ana": "ana"},
                "hubspot": {"properties": {"Industry": "score", "hs_lead_status": "grade", "x": "points"},
                            "statuses": {"marketing": {}, "won": {"lifecyclestage": 3}}},
                "salesforce": {"externalId": "Lead Pulse", "fields": {"OwnerId": "owner"}, "statuses": {"lost": 7}}}"#,
        )
        .unwrap_err();
        for expected in [
            "owner: unknown field",
            "owners.ana: expected the rep's e-mail address",
            "hubspot.properties.Industry: expected an internal name",
            "hubspot.properties.x: expected one of lead, score",
            "hubspot.properties.hs_lead_status: written by the collector itself",
            "hubspot.statuses.marketing: unknown field",
            "hubspot.statuses.won.lifecyclestage: expected a property's internal name",
            "salesforce.externalId: expected a field's API name",
            "salesforce.fields.OwnerId: written by the collector itself",
            "salesforce.statuses.lost: expected a Lead Status value, or null",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "{expected} in {problems:#?}"
            );
        }
    }
}
