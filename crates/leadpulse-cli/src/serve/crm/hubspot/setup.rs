//! The LeadPulse property group and its properties on contacts, created on first use (once
//! per run: each is looked for first, so a restart creates nothing twice).
use super::api::{GroupCreate, Inputs, Property, PropertyCreate, Results};
use super::HubSpot;
use crate::serve::crm::call::call;
use crate::serve::crm::values::Source;
use crate::serve::crm::{Context, Kind};
use crate::serve::outbox::Failure;

pub const GROUP: &str = "leadpulse";

/// A LeadPulse property: name, label, help text, HubSpot type and field type, and the value.
pub struct Ours {
    pub name: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub kind: &'static str,
    pub field_type: &'static str,
    pub source: Source,
}

/// The properties of the LeadPulse group.
pub fn ours() -> Vec<Ours> {
    let text = |name, label, description, source| Ours {
        name,
        label,
        description,
        kind: "string",
        field_type: "text",
        source,
    };
    let long = |name, label, description, source| Ours {
        field_type: "textarea",
        ..text(name, label, description, source)
    };
    vec![
        Ours {
            kind: "number",
            field_type: "number",
            ..text(
                "leadpulse_score",
                "LeadPulse score",
                "Fit plus engagement, as LeadPulse scored the visitor",
                Source::Score,
            )
        },
        text(
            "leadpulse_grade",
            "LeadPulse grade",
            "Fit letter and engagement digit (A1 best)",
            Source::Grade,
        ),
        text(
            "leadpulse_stage",
            "LeadPulse stage",
            "mql or sql",
            Source::Stage,
        ),
        text(
            "leadpulse_route",
            "LeadPulse route",
            "How the lead qualified (score, or a hand-raise)",
            Source::Route,
        ),
        long(
            "leadpulse_reasons",
            "LeadPulse top reasons",
            "What counted most, in words",
            Source::Reasons,
        ),
        long(
            "leadpulse_questions",
            "Questions asked",
            "What the visitor typed in the chat",
            Source::Questions,
        ),
        text(
            "leadpulse_dashboard",
            "LeadPulse lead",
            "The lead on the LeadPulse dashboard",
            Source::Dashboard,
        ),
        text(
            "leadpulse_form",
            "Request form",
            "The form of the visitor's latest request",
            Source::Form,
        ),
        long(
            "leadpulse_message",
            "Request message",
            "What the visitor wrote in that request",
            Source::Message,
        ),
    ]
}

impl HubSpot {
    /// Makes sure the group and every LeadPulse property exist.
    pub(super) async fn set_up(&self, context: &Context) -> Result<(), Failure> {
        let client = &context.client;
        let what = format!("GET /crm/v3/properties/contacts/groups/{GROUP}");
        let group = call(
            Kind::Hubspot,
            &what,
            self.get(
                client,
                &format!("/crm/v3/properties/contacts/groups/{GROUP}"),
            ),
        )
        .await?;
        if group.status.as_u16() == 404 {
            let body = GroupCreate {
                name: GROUP,
                label: "LeadPulse",
                display_order: -1,
            };
            let what = "POST /crm/v3/properties/contacts/groups";
            let created = call(
                Kind::Hubspot,
                what,
                self.post(client, "/crm/v3/properties/contacts/groups")
                    .json(&body),
            )
            .await?;
            // NOTE: 409: made meanwhile (another collector): there all the same.
            if created.status.as_u16() != 409 {
                created.ok(Kind::Hubspot, what)?;
            }
        } else {
            group.ok(Kind::Hubspot, &what)?;
        }
        let what = "GET /crm/v3/properties/contacts";
        let existing: Results<Property> = call(
            Kind::Hubspot,
            what,
            self.get(client, "/crm/v3/properties/contacts"),
        )
        .await?
        .read(Kind::Hubspot, what)?;
        let all = ours();
        let missing: Vec<PropertyCreate> = all
            .iter()
            .filter(|o| !existing.results.iter().any(|p| p.name == o.name))
            .map(|o| PropertyCreate {
                name: o.name,
                label: o.label,
                description: o.description,
                group_name: GROUP,
                kind: o.kind,
                field_type: o.field_type,
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let what = "POST /crm/v3/properties/contacts/batch/create";
        let created = call(
            Kind::Hubspot,
            what,
            self.post(client, "/crm/v3/properties/contacts/batch/create")
                .json(&Inputs { inputs: missing }),
        )
        .await?;
        let answer: Results<Property> = created.read(Kind::Hubspot, what)?;
        if let Some(error) = answer.errors.first() {
            return Err(Failure {
                error: format!("HubSpot: {what}: {}", error.message),
                permanent: true,
                retry_after: None,
            });
        }
        tracing::info!("HubSpot: created the LeadPulse contact properties");
        Ok(())
    }
}
