//! The LeadPulse values a CRM property or field can carry (the mapping file names them:
//! `score`, `reasons`, `trait:company.industry` …), read from a lead as it is now: its latest
//! summary, its latest request, its status and owner.
use leadpulse::core::event::Scalar;
use leadpulse::core::request;
use leadpulse::core::sorted_map::SortedMap;
use serde_json::Value;

use super::words::Words;
use crate::serve::outbox::Receivers;
use crate::serve::store::LeadRow;

/// One LeadPulse value, as the mapping file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Lead,
    Score,
    Fit,
    Engagement,
    Grade,
    Stage,
    Route,
    Status,
    Trust,
    Owner,
    Basis,
    Origin,
    Amount,
    /// The top reasons, in words (the model's rule descriptions), one a line.
    Reasons,
    /// The questions the visitor typed, one a line.
    Questions,
    /// The lead on the dashboard (absolute with --public-url).
    Dashboard,
    /// The latest request's form and message.
    Form,
    Message,
    /// A trait of the summary, or the one the request's fields fill (`trait:title`).
    Trait(String),
    /// A field of the latest request as typed (`field:industry`).
    Field(String),
}

/// The names the mapping file may use, for its error messages.
pub const NAMES: &str = "lead, score, fit, engagement, grade, stage, route, status, trust, \
    owner, basis, source, amount, reasons, questions, dashboard, form, message, trait:<name>, \
    field:<name>";

impl Source {
    pub fn parse(text: &str) -> Option<Source> {
        if let Some(name) = text.strip_prefix("trait:").filter(|n| !n.is_empty()) {
            return Some(Source::Trait(name.to_string()));
        }
        if let Some(name) = text.strip_prefix("field:").filter(|n| !n.is_empty()) {
            return Some(Source::Field(name.to_string()));
        }
        Some(match text {
            "lead" => Source::Lead,
            "score" => Source::Score,
            "fit" => Source::Fit,
            "engagement" => Source::Engagement,
            "grade" => Source::Grade,
            "stage" => Source::Stage,
            "route" => Source::Route,
            "status" => Source::Status,
            "trust" => Source::Trust,
            "owner" => Source::Owner,
            "basis" => Source::Basis,
            "source" => Source::Origin,
            "amount" => Source::Amount,
            "reasons" => Source::Reasons,
            "questions" => Source::Questions,
            "dashboard" => Source::Dashboard,
            "form" => Source::Form,
            "message" => Source::Message,
            _ => return None,
        })
    }
}

/// How many reasons a CRM gets (the strongest first, as the summary orders them).
const TOP_REASONS: usize = 3;

/// A lead's values, read once per delivery.
pub struct Values<'a> {
    lead: &'a LeadRow,
    summary: Value,
    request: Value,
    /// The summary's traits, then those the request's fields fill.
    traits: SortedMap<String, Scalar>,
    reasons: Option<String>,
    dashboard: String,
}

fn parse(raw: &Option<Box<serde_json::value::RawValue>>) -> Value {
    raw.as_ref()
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

fn scalar_text(value: &Scalar) -> String {
    value.text().into_owned()
}

impl<'a> Values<'a> {
    pub fn of(lead: &'a LeadRow, words: &Words, receivers: &Receivers) -> Values<'a> {
        let (summary, request) = (parse(&lead.summary), parse(&lead.request));
        let fields: SortedMap<String, String> = request["fields"]
            .as_object()
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let mut traits = request::traits(&fields);
        if let Some(own) = summary["traits"].as_object() {
            for (name, value) in own {
                let value = match value {
                    Value::String(s) => Scalar::Text(s.clone()),
                    Value::Number(n) => Scalar::Number(n.as_f64().unwrap_or_default()),
                    Value::Bool(b) => Scalar::Bool(*b),
                    _ => continue,
                };
                traits.insert(name.clone(), value);
            }
        }
        let reasons = words.reasons(&summary, TOP_REASONS);
        Values {
            dashboard: receivers.link(&format!("/dashboard#lead-{}", lead.id)),
            lead,
            summary,
            request,
            traits,
            reasons,
        }
    }

    /// A trait as text (`name`, `company.name` …), if the lead has it.
    pub fn trait_text(&self, name: &str) -> Option<String> {
        self.traits
            .get(name)
            .map(scalar_text)
            .filter(|t| !t.trim().is_empty())
    }

    /// First and last name: the `first_name`/`last_name` traits, else `name` split at its
    /// last space.
    pub fn names(&self) -> (Option<String>, Option<String>) {
        let (first, last) = (self.trait_text("first_name"), self.trait_text("last_name"));
        if first.is_some() || last.is_some() {
            return (first, last);
        }
        match self.trait_text("name") {
            Some(name) => match name.trim().rsplit_once(' ') {
                Some((first, last)) => (Some(first.trim().to_string()), Some(last.to_string())),
                None => (None, Some(name.trim().to_string())),
            },
            None => (None, None),
        }
    }

    /// The value of `source` as JSON: a number for the numeric values (a Salesforce number
    /// field takes no text), else text.
    pub fn json(&self, source: &Source) -> Option<Value> {
        let text = self.get(source)?;
        let numeric = matches!(
            source,
            Source::Lead | Source::Score | Source::Fit | Source::Engagement | Source::Amount
        );
        Some(
            numeric
                .then(|| {
                    text.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                })
                .flatten()
                .map_or(Value::String(text), Value::Number),
        )
    }

    /// The value of `source` for this lead, as text (what CRM properties take); `None` when
    /// the lead has none (the property is then left as it is).
    pub fn get(&self, source: &Source) -> Option<String> {
        let number = |v: &Value| v.as_f64().map(|n| n.to_string());
        let text = |v: &Value| v.as_str().map(str::to_string).filter(|t| !t.is_empty());
        let s = &self.summary;
        match source {
            Source::Lead => Some(self.lead.id.to_string()),
            Source::Score => self.lead.score.map(|n| n.to_string()),
            Source::Fit => number(&s["fit"]),
            Source::Engagement => number(&s["engagement"]),
            Source::Grade => text(&s["grade"]),
            Source::Stage => Some(self.lead.stage.clone()),
            Source::Route => text(&s["route"]),
            Source::Status => Some(self.lead.status.clone()),
            Source::Trust => Some(self.lead.trust.clone()),
            Source::Owner => self.lead.owner.clone(),
            Source::Basis => Some(self.lead.basis.clone()),
            Source::Origin => self.lead.source.clone(),
            Source::Amount => self.lead.amount.map(|a| a.to_string()),
            Source::Reasons => self.reasons.clone(),
            Source::Questions => s["questions"]
                .as_array()
                .map(|q| {
                    q.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .filter(|q| !q.is_empty()),
            Source::Dashboard => Some(self.dashboard.clone()),
            Source::Form => text(&self.request["form"]),
            Source::Message => text(&self.request["fields"]["message"]),
            Source::Trait(name) => self.trait_text(name),
            Source::Field(name) => text(&self.request["fields"][name.as_str()]),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_in_the_mapping_file() {
        assert_eq!(Source::parse("score"), Some(Source::Score));
        assert_eq!(
            Source::parse("trait:company.industry"),
            Some(Source::Trait("company.industry".into()))
        );
        assert_eq!(
            Source::parse("field:budget"),
            Some(Source::Field("budget".into()))
        );
        for bad in ["", "trait:", "Score", "reason", "field:"] {
            assert_eq!(Source::parse(bad), None, "{bad}");
        }
    }
}
