//! What receivers get about a response-time window (docs/collector.md, "Response times
//! (SLA)"): a reminder that an owner has not accepted a lead in time (`lead.sla`), and the
//! lead's move to the next owner (`lead.reassigned`) — webhook JSON with an `sla` object, or a
//! Slack line a rep can act on.
use leadpulse::core::time::format_iso;
use serde_json::{json, Value};

use super::message::{
    is_slack, mrkdwn_literal, person, summary_and_request, webhook_body, Event, Receivers,
};
use crate::serve::duration;
use crate::serve::store::{Delivery, LeadRow, Notice, NoticeKind};

fn event(notice: &Notice) -> Event {
    match notice.kind {
        NoticeKind::Reminder => Event::Sla,
        NoticeKind::Reassigned => Event::Reassigned,
    }
}

/// The webhook's `sla` object.
fn sla_json(notice: &Notice) -> Value {
    json!({
        "id": notice.id,
        "window": duration::human(notice.window_ms),
        "windowMs": notice.window_ms,
        "owner": notice.owner,
        "assignedAt": format_iso(notice.assigned_ms),
        "previousOwner": notice.previous_owner,
        "reassignAt": notice.reassign_at.map(format_iso),
        "nextOwner": notice.next_owner,
    })
}

fn slack_text(receivers: &Receivers, lead: &LeadRow, notice: &Notice) -> String {
    let (summary, request) = summary_and_request(lead);
    let (who, about) = person(lead, &summary, &request);
    let window = duration::human(notice.window_ms);
    let owner = mrkdwn_literal(&notice.owner);
    let since = format_iso(notice.assigned_ms);
    let mut text = match notice.kind {
        NoticeKind::Reminder => {
            let then = match (&notice.next_owner, notice.reassign_at) {
                (Some(next), Some(at)) => format!(
                    "unless accepted, it goes to {} at {}",
                    mrkdwn_literal(next),
                    format_iso(at)
                ),
                _ => "nobody else to pass it to: it stays".to_string(),
            };
            format!(
                "*Not accepted within {window}: {who}*{about} · owner {owner} since {since}\n{then}"
            )
        }
        NoticeKind::Reassigned => {
            let before = mrkdwn_literal(notice.previous_owner.as_deref().unwrap_or("its owner"));
            format!(
                "*Reassigned to {owner}: {who}*{about} · {before} did not accept it within \
                 {window}, nor {window} after a reminder"
            )
        }
    };
    text.push_str(&format!(
        "\nLead {} · {}",
        lead.id,
        receivers.link(&format!("/dashboard#lead-{}", lead.id))
    ));
    text
}

/// The deliveries that tell sales about a window, one per receiver.
pub fn sla_deliveries(receivers: &Receivers, lead: &LeadRow, notice: &Notice) -> Vec<Delivery> {
    let event = event(notice);
    let slack = receivers
        .webhooks
        .iter()
        .filter(|url| is_slack(url))
        .chain(&receivers.slack)
        .map(|url| Delivery {
            receiver: url.to_string(),
            kind: "slack",
            event: event.name(),
            payload: json!({ "text": slack_text(receivers, lead, notice) }).to_string(),
        });
    let (summary, request) = summary_and_request(lead);
    let webhooks = receivers
        .webhooks
        .iter()
        .filter(|url| !is_slack(url))
        .map(|url| Delivery {
            receiver: url.to_string(),
            kind: "webhook",
            event: event.name(),
            payload: webhook_body(
                receivers,
                lead,
                event,
                &summary,
                &request,
                Some(sla_json(notice)),
            ),
        });
    webhooks.chain(slack).collect()
}
