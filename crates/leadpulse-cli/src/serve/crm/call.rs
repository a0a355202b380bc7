//! One request to a CRM's API and what its answer means for the delivery: a 2xx is read, a
//! 429 waits as `Retry-After` says, a 5xx is tried again, and a final 4xx is reported with
//! the API's own message (HubSpot's `message`; Salesforce's `errorCode: message`), which the
//! outbox API and the dashboard show.
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Kind;
use crate::serve::outbox::{status_line, Failure};

/// The longest API message kept (a CRM may echo a whole request back).
const MESSAGE_CHARS: usize = 600;

/// A CRM's answer.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Sends `request`, `what` naming it (`POST /crm/v3/…`) for messages; an answer of any status
/// comes back, no answer at all is a failure worth another attempt.
pub async fn call(
    crm: Kind,
    what: &str,
    request: reqwest::RequestBuilder,
) -> Result<Reply, Failure> {
    let response = request
        .send()
        .await
        .map_err(|e| Failure::transient(format!("{}: {what}: {e}", crm.label())))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| Failure::transient(format!("{}: {what}: {e}", crm.label())))?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

impl Reply {
    /// The body of a 2xx as `T`; any other answer as the failure it is.
    pub fn read<T: DeserializeOwned>(&self, crm: Kind, what: &str) -> Result<T, Failure> {
        if !self.status.is_success() {
            return Err(self.refused(crm, what));
        }
        serde_json::from_slice(&self.body).map_err(|e| Failure {
            error: format!(
                "{}: {what}: an answer this collector cannot read: {e}",
                crm.label()
            ),
            permanent: false,
            retry_after: None,
        })
    }

    /// A 2xx, or the failure the answer is.
    pub fn ok(&self, crm: Kind, what: &str) -> Result<(), Failure> {
        if self.status.is_success() {
            Ok(())
        } else {
            Err(self.refused(crm, what))
        }
    }

    /// The answer as a failure: `HubSpot: POST /crm/v3/… → HTTP 400 Bad Request: <message>`.
    pub fn refused(&self, crm: Kind, what: &str) -> Failure {
        let message = api_message(crm, &self.body);
        let mut text = format!("{}: {what} → {}", crm.label(), status_line(self.status));
        if let Some(message) = &message {
            text.push_str(": ");
            text.extend(message.chars().take(MESSAGE_CHARS));
        }
        let mut failure = Failure::answer(self.status, &self.headers, text);
        // NOTE: Salesforce answers 403 REQUEST_LIMIT_EXCEEDED when the org's API allowance
        // is used up: that passes, unlike other 403s.
        if message.is_some_and(|m| m.starts_with("REQUEST_LIMIT_EXCEEDED")) {
            failure.permanent = false;
        }
        failure
    }
}

/// The API's own words in an error body.
fn api_message(crm: Kind, body: &[u8]) -> Option<String> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => {
            let text = String::from_utf8_lossy(body).trim().to_string();
            return (!text.is_empty()).then_some(text);
        }
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    match crm {
        Kind::Hubspot => text(&value["message"]),
        // NOTE: Salesforce's REST errors are a list of {message, errorCode, fields}.
        Kind::Salesforce => {
            let first = value.as_array().and_then(|a| a.first()).unwrap_or(&value);
            let message = text(&first["message"]).or_else(|| text(&first["error_description"]));
            let code = text(&first["errorCode"]).or_else(|| text(&first["error"]));
            match (code, message) {
                (Some(code), Some(message)) => Some(format!("{code}: {message}")),
                (code, message) => message.or(code),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn a_final_answer_carries_the_apis_own_words() {
        let hubspot = reply(400, r#"{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR"}"#)
            .refused(Kind::Hubspot, "POST /crm/v3/objects/contacts/batch/upsert");
        assert_eq!(
            hubspot.error,
            "HubSpot: POST /crm/v3/objects/contacts/batch/upsert → HTTP 400 Bad Request: Property values were not valid"
        );
        assert!(hubspot.permanent);
        let salesforce = reply(400, r#"[{"message":"Lead Status: bad value for restricted picklist field: Won","errorCode":"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST","fields":["Status"]}]"#)
            .refused(Kind::Salesforce, "PATCH /sobjects/Lead/00Q");
        assert!(salesforce.error.ends_with(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Lead Status: bad value for restricted picklist field: Won"
        ), "{}", salesforce.error);
        let limit = reply(
            403,
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        )
        .refused(Kind::Salesforce, "GET /query");
        assert!(!limit.permanent, "a used-up allowance passes");
        let busy = reply(502, "<html>bad gateway</html>").refused(Kind::Hubspot, "GET /x");
        assert!(!busy.permanent && busy.error.ends_with("<html>bad gateway</html>"));
    }
}
