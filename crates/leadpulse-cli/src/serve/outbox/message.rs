//! What a receiver gets for a lead: the webhook JSON (the lead and its latest summary), a
//! Slack-compatible `{"text": …}` message a rep can read at a glance, or a CRM's note of which
//! lead to bring up to date there (crm/: the CRM requests are made from the lead as it is
//! when the delivery is sent, so a late retry never writes an older state over a newer one).
use reqwest::Url;
use serde_json::{json, Value};

use crate::serve::crm::Kind;
use crate::serve::store::{Delivery, LeadRow};

/// A CRM that gets the leads (`--crm`).
#[derive(Debug, Clone, Copy)]
pub struct CrmTarget {
    pub kind: Kind,
    /// It keys its objects on the e-mail address: a lead without one cannot go there (yet).
    pub needs_email: bool,
}

/// Where pushes go, and the collector's public address for the links in them.
#[derive(Debug, Clone, Default)]
pub struct Receivers {
    pub webhooks: Vec<Url>,
    pub slack: Vec<Url>,
    pub crms: Vec<CrmTarget>,
    /// `--public-url`: links become absolute (a receiver elsewhere can follow them).
    pub public_url: Option<Url>,
    /// Owners' booking pages, by owner (`bookingUrl` in the webhook's lead).
    pub bookings: std::collections::BTreeMap<String, String>,
}

impl Receivers {
    /// `path` on the collector: absolute with `--public-url`, else as given.
    pub fn link(&self, path: &str) -> String {
        self.public_url
            .as_ref()
            .and_then(|base| base.join(path.trim_start_matches('/')).ok())
            .map_or_else(|| path.to_string(), |url| url.to_string())
    }
}

pub(super) fn is_slack(url: &Url) -> bool {
    url.host_str() == Some("hooks.slack.com")
}

/// Why sales hears of a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The first time: a new SQL, or a request that handed the lead to sales.
    Sql,
    /// A later revision of an SQL sales has.
    Revision,
    /// A new request from a visitor whose lead sales has already.
    Request,
    /// Sales moved the lead on (accepted, rejected, opportunity, won, lost): CRMs only.
    Status,
    /// Its owner has not accepted it within their window (sla_message.rs).
    Sla,
    /// Nor within another window after a reminder: it went to the next owner.
    Reassigned,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::Sql => "lead.sql",
            Event::Revision => "lead.revision",
            Event::Request => "lead.request",
            Event::Status => "lead.status",
            Event::Sla => "lead.sla",
            Event::Reassigned => "lead.reassigned",
        }
    }
}

/// A lead's latest summary and latest request as JSON values (`null` when it has none).
pub(super) fn summary_and_request(lead: &LeadRow) -> (Value, Value) {
    let parse = |raw: &Option<Box<serde_json::value::RawValue>>| {
        raw.as_ref()
            .and_then(|r| serde_json::from_str(r.get()).ok())
            .unwrap_or(Value::Null)
    };
    (parse(&lead.summary), parse(&lead.request))
}

/// The deliveries that tell sales about a lead, one per receiver.
pub fn deliveries(receivers: &Receivers, lead: &LeadRow, event: Event) -> Vec<Delivery> {
    let (summary, request) = summary_and_request(lead);
    let crms = receivers
        .crms
        .iter()
        .filter(|crm| !crm.needs_email || lead.email.is_some())
        .map(|crm| Delivery {
            receiver: crm.kind.name().to_string(),
            kind: crm.kind.name(),
            event: event.name(),
            payload: json!({ "lead": lead.id, "event": event.name(), "status": lead.status })
                .to_string(),
        });
    // NOTE: webhooks and Slack hear of leads reaching sales, not of sales' own answers.
    let to_people = event != Event::Status;
    let slack = receivers
        .webhooks
        .iter()
        .filter(|url| is_slack(url))
        .chain(&receivers.slack)
        .filter(|_| to_people)
        .map(|url| Delivery {
            receiver: url.to_string(),
            kind: "slack",
            event: event.name(),
            payload: json!({ "text": slack_text(receivers, lead, event, &summary, &request) })
                .to_string(),
        });
    let webhooks = receivers
        .webhooks
        .iter()
        .filter(|url| !is_slack(url) && to_people)
        .map(|url| Delivery {
            receiver: url.to_string(),
            kind: "webhook",
            event: event.name(),
            payload: webhook_body(receivers, lead, event, &summary, &request, None),
        });
    webhooks.chain(slack).chain(crms).collect()
}

/// The webhook JSON: the event, the lead, its latest summary and request, and for SLA events
/// the window (`sla`).
pub(super) fn webhook_body(
    receivers: &Receivers,
    lead: &LeadRow,
    event: Event,
    summary: &Value,
    request: &Value,
    sla: Option<Value>,
) -> String {
    let mut body = json!({
        "type": event.name(),
        "lead": {
            "id": lead.id,
            "url": receivers.link(&format!("/api/leads/{}", lead.id)),
            "dashboard": receivers.link(&format!("/dashboard#lead-{}", lead.id)),
            "visitor": lead.visitor,
            "status": lead.status,
            "owner": lead.owner,
            "bookingUrl": receivers.bookings.get(lead.owner.as_deref().unwrap_or_default()),
            "trust": lead.trust,
            "trustReason": lead.trust_reason,
            "basis": lead.basis,
            "revision": lead.revision,
            "sqlAt": lead.sql_at,
        },
        "summary": summary,
        "request": request,
    });
    if let (Some(sla), Some(object)) = (sla, body.as_object_mut()) {
        object.insert("sla".into(), sla);
    }
    body.to_string()
}

/// Text from a visitor (or from a summary's sender) as Slack shows it literally: `&`, `<`
/// and `>` escaped, so no `<!channel>` mention, `<https://…|disguised>` link or `<@user>` can
/// come from a summary (Slack's "Escaping text" rules for mrkdwn).
pub fn mrkdwn_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Who a lead is, for Slack: a name (else e-mail, else the visitor id) and ` (title,
/// company)` — the summary's traits, else what the visitor typed into the form. Escaped.
pub(super) fn person(lead: &LeadRow, s: &Value, request: &Value) -> (String, String) {
    let (traits, fields) = (&s["traits"], &request["fields"]);
    let field = |trait_name: &str, field_name: &str| {
        text(&traits[trait_name]).or_else(|| text(&fields[field_name]))
    };
    let who = field("name", "name")
        .or_else(|| field("email", "email"))
        .unwrap_or_else(|| mrkdwn_literal(&lead.visitor));
    let about: Vec<String> = [("title", "title"), ("company.name", "company")]
        .iter()
        .filter_map(|(t, f)| field(t, f))
        .collect();
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(", "))
    };
    (who, about)
}

/// A JSON string or number as Slack text, escaped.
fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(mrkdwn_literal)
        .or_else(|| v.as_f64().map(|n| n.to_string()))
}

fn slack_text(
    receivers: &Receivers,
    lead: &LeadRow,
    event: Event,
    s: &Value,
    request: &Value,
) -> String {
    let (who, about) = person(lead, s, request);
    let fields = &request["fields"];
    let owner = mrkdwn_literal(lead.owner.as_deref().unwrap_or("unassigned"));
    let mut message = if event == Event::Request || s.is_null() {
        let form = mrkdwn_literal(request["form"].as_str().unwrap_or("a"));
        let headline = if event == Event::Request {
            "New request"
        } else {
            "New lead"
        };
        let basis = if lead.basis == "request" {
            "request only: no analytics consent, no score"
        } else {
            "with analytics consent"
        };
        format!("*{headline} ({form} form): {who}*{about} · owner {owner} · {basis}")
    } else {
        let headline = if event == Event::Sql {
            "New SQL"
        } else {
            "Updated SQL"
        };
        let mut line = format!(
            "*{headline}: {who}*{about} — score {} ({}) via {} · owner {owner} · {}",
            s["score"],
            mrkdwn_literal(s["grade"].as_str().unwrap_or("?")),
            mrkdwn_literal(s["route"].as_str().unwrap_or("score")),
            lead.trust,
        );
        let why: Vec<String> = s["reasons"]
            .as_array()
            .map(|reasons| {
                reasons
                    .iter()
                    .take(3)
                    .map(|r| {
                        format!(
                            "{} {:+}",
                            mrkdwn_literal(r["rule"].as_str().unwrap_or("?")),
                            r["points"].as_i64().unwrap_or(0)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !why.is_empty() {
            line.push_str(&format!("\nWhy: {}", why.join(", ")));
        }
        line
    };
    if let Some(note) = text(&fields["message"]).filter(|m| !m.is_empty()) {
        message.push_str(&format!("\nMessage: {}", note.replace('\n', " / ")));
    }
    if let Some(questions) = s["questions"].as_array().filter(|q| !q.is_empty()) {
        let asked: Vec<String> = questions
            .iter()
            .filter_map(Value::as_str)
            .map(mrkdwn_literal)
            .collect();
        message.push_str(&format!("\nAsked: {}", asked.join(" / ")));
    }
    let revision = lead
        .revision
        .map(|r| format!(" · revision {r}"))
        .unwrap_or_default();
    message.push_str(&format!(
        "\nLead {}{revision} · {}",
        lead.id,
        receivers.link(&format!("/dashboard#lead-{}", lead.id))
    ));
    message
}

#[cfg(test)]
mod tests {
    use super::mrkdwn_literal;

    #[test]
    fn visitor_text_cannot_mention_or_link() {
        assert_eq!(
            mrkdwn_literal("Forged <!channel> <https://evil.example|Reset password> & co"),
            "Forged &lt;!channel&gt; &lt;https://evil.example|Reset password&gt; &amp; co"
        );
    }
}
