//! What a receiver gets for a lead: the webhook JSON (the lead and its latest summary), or a
//! Slack-compatible `{"text": …}` message a rep can read at a glance.
use reqwest::Url;
use serde_json::{json, Value};

use crate::serve::store::{Delivery, LeadRow};

/// Where pushes go, and the collector's public address for the links in them.
#[derive(Debug, Clone, Default)]
pub struct Receivers {
    pub webhooks: Vec<Url>,
    pub slack: Vec<Url>,
    /// `--public-url`: links become absolute (a receiver elsewhere can follow them).
    pub public_url: Option<Url>,
}

impl Receivers {
    /// `path` on the collector: absolute with `--public-url`, else as given.
    fn link(&self, path: &str) -> String {
        self.public_url
            .as_ref()
            .and_then(|base| base.join(path.trim_start_matches('/')).ok())
            .map_or_else(|| path.to_string(), |url| url.to_string())
    }
}

fn is_slack(url: &Url) -> bool {
    url.host_str() == Some("hooks.slack.com")
}

/// The deliveries for a lead's latest revision, one per receiver.
pub fn deliveries(receivers: &Receivers, lead: &LeadRow) -> Vec<Delivery> {
    let summary: Value = serde_json::from_str(lead.summary.get()).unwrap_or(Value::Null);
    let slack = receivers
        .webhooks
        .iter()
        .filter(|url| is_slack(url))
        .chain(&receivers.slack)
        .map(|url| Delivery {
            receiver: url.to_string(),
            kind: "slack",
            payload: json!({ "text": slack_text(receivers, lead, &summary) }).to_string(),
        });
    let webhooks = receivers
        .webhooks
        .iter()
        .filter(|url| !is_slack(url))
        .map(|url| Delivery {
            receiver: url.to_string(),
            kind: "webhook",
            payload: webhook_body(receivers, lead, &summary),
        });
    webhooks.chain(slack).collect()
}

/// `lead.sql` the first time sales hears of the lead as an SQL, `lead.revision` after.
fn event_type(lead: &LeadRow) -> &'static str {
    if lead.sql_at.as_deref() == Some(lead.updated_at.as_str()) {
        "lead.sql"
    } else {
        "lead.revision"
    }
}

fn webhook_body(receivers: &Receivers, lead: &LeadRow, summary: &Value) -> String {
    json!({
        "type": event_type(lead),
        "lead": {
            "id": lead.id,
            "url": receivers.link(&format!("/api/leads/{}", lead.id)),
            "dashboard": receivers.link(&format!("/dashboard#lead-{}", lead.id)),
            "visitor": lead.visitor,
            "status": lead.status,
            "owner": lead.owner,
            "trust": lead.trust,
            "trustReason": lead.trust_reason,
            "revision": lead.revision,
            "sqlAt": lead.sql_at,
        },
        "summary": summary,
    })
    .to_string()
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

fn slack_text(receivers: &Receivers, lead: &LeadRow, s: &Value) -> String {
    let traits = &s["traits"];
    let text = |v: &Value| {
        v.as_str()
            .map(mrkdwn_literal)
            .or_else(|| v.as_f64().map(|n| n.to_string()))
    };
    let who = text(&traits["name"])
        .or_else(|| text(&traits["email"]))
        .unwrap_or_else(|| mrkdwn_literal(&lead.visitor));
    let about: Vec<String> = ["title", "company.name"]
        .iter()
        .filter_map(|key| text(&traits[*key]))
        .collect();
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
    let headline = if event_type(lead) == "lead.sql" {
        "New SQL"
    } else {
        "Updated SQL"
    };
    let mut message = format!(
        "*{headline}: {who}*{} — score {} ({}) via {} · owner {} · {}",
        if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join(", "))
        },
        s["score"],
        mrkdwn_literal(s["grade"].as_str().unwrap_or("?")),
        mrkdwn_literal(s["route"].as_str().unwrap_or("score")),
        mrkdwn_literal(lead.owner.as_deref().unwrap_or("unassigned")),
        lead.trust,
    );
    if !why.is_empty() {
        message.push_str(&format!("\nWhy: {}", why.join(", ")));
    }
    if let Some(questions) = s["questions"].as_array().filter(|q| !q.is_empty()) {
        let asked: Vec<String> = questions
            .iter()
            .filter_map(Value::as_str)
            .map(mrkdwn_literal)
            .collect();
        message.push_str(&format!("\nAsked: {}", asked.join(" / ")));
    }
    message.push_str(&format!(
        "\nLead {} · revision {} · {}",
        lead.id,
        lead.revision,
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
