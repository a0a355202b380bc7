//! Every question a visitor typed for sales, oldest first, each once. A summary carries only
//! the latest three (the summary contract), so the lead's questions are gathered from every
//! believable revision it ever sent and from its requests' messages (the chat sends the
//! questions asked as the message, one a line).
use std::collections::HashSet;

use super::db::{Result, Tx};

/// The questions of lead `lead`: from its revisions (not those found impossible: a forgery's
/// text is not the visitor's) and its requests, in the order they arrived, without repeats.
pub(super) fn questions(tx: &mut Tx, lead: i64) -> Result<Vec<String>> {
    // NOTE: at the same millisecond a request comes first: the browser sends it before the
    // summary the same click hands off.
    let rows = tx.query(
        "SELECT kind, body FROM (
             SELECT 1 AS kind, received_ms AS at_ms, revision AS n,
                    json_extract(summary, '$.questions') AS body
             FROM revisions
             WHERE lead_id = ?1 AND trust != 'rejected' AND json_valid(summary)
             UNION ALL
             SELECT 0, received_ms, 0, json_extract(request, '$.fields.message')
             FROM requests
             WHERE lead_id = ?1 AND json_valid(request)
         ) AS typed
         WHERE body IS NOT NULL
         ORDER BY at_ms, kind, n",
        &[&lead],
    )?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in rows {
        let (kind, text): (i64, String) = (row.get(0)?, row.get(1)?);
        let typed: Vec<String> = if kind == 0 {
            text.lines().map(str::to_owned).collect()
        } else {
            // NOTE: a summary lists its questions newest first.
            let mut listed: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
            listed.reverse();
            listed
        };
        for question in typed {
            let question = question.trim();
            if !question.is_empty() && seen.insert(question.to_owned()) {
                out.push(question.to_owned());
            }
        }
    }
    Ok(out)
}
