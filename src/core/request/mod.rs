//! A visitor's request to be contacted: a form (demo, contact sales, trial …) or an e-mail
//! given in the chat. Unlike a summary it is not analytics: the visitor asked to be heard, so
//! it goes to the collector whatever the analytics consent, carrying only what they typed,
//! the page, the time and the basis it was sent on (DESIGN.md, "A request is not analytics").
//! The one definition of a valid request, for the collector; the tracker and the edge build
//! them (`pkg-template/request.js`) to this shape (docs/contracts.md, "Request").
mod traits;

use serde::{Deserialize, Serialize};

use crate::core::contract::{is_hex, join, problem, read_object, text, when};
use crate::core::json::Problem;
use crate::core::sorted_map::SortedMap;
use crate::core::time;

pub use traits::traits;

/// Hard cap on a request's JSON (a form with a message of a few paragraphs).
pub const MAX_BYTES: usize = 8192;

/// Bounds of every field.
pub mod limits {
    /// Fields in one request.
    pub const FIELDS: usize = 24;
    /// A field name, in bytes.
    pub const NAME: usize = 64;
    /// A field value, in bytes (a message).
    pub const VALUE: usize = 2000;
    /// The form's name (`demo`, `contact`, …), in bytes.
    pub const FORM: usize = 32;
    /// The page path, in bytes.
    pub const PAGE: usize = 512;
    /// An e-mail address, in bytes (RFC 5321's path limit).
    pub const EMAIL: usize = 254;
}

/// On what basis the request was sent.
pub const BASIS_CONSENT: &str = "consent";
/// Without analytics consent: the request alone, no visitor id, no behavioural data.
pub const BASIS_REQUEST: &str = "request";

/// Written and read as JSON with camelCase keys (docs/contracts.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Request {
    /// Always `request`: what tells a request from a summary on the same endpoint.
    #[serde(rename = "type")]
    pub kind: String,
    pub version: u32,
    /// `rq_` + 16 lowercase hex digits, random: the idempotency key of this request.
    pub id: String,
    /// Which form: `demo`, `contact`, `trial`, `chat` or the site's own name for it.
    pub form: String,
    /// `consent` (analytics consent granted: `visitor` names the scored visitor) or `request`.
    pub basis: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<String>,
    /// The page's path (no query, no fragment: personal data never travels in a URL).
    pub page: String,
    /// When the visitor sent it, ISO-8601.
    pub at: String,
    /// What the visitor typed, by field name (`email` required).
    pub fields: SortedMap<String, String>,
    /// `browser`, `edge` or `native`.
    pub runtime: String,
}

impl Request {
    /// Reads a request from its JSON text: the first problem with its path (`fields.email`).
    pub fn from_json(bytes: &[u8]) -> Result<Request, Problem> {
        read_object(bytes, MAX_BYTES, "a request")
    }

    /// The visitor's e-mail address, as typed (checked by [`Request::check`]).
    pub fn email(&self) -> &str {
        self.fields.get("email").map_or("", String::as_str)
    }

    /// Checks every bound of the contract at `now`; the first problem, with its path.
    pub fn check(&self, now: time::Millis) -> Result<(), Problem> {
        if self.kind != "request" {
            return Err(problem("type", "expected 'request'"));
        }
        if self.version != 1 {
            return Err(problem("version", "expected 1"));
        }
        if !self.id.strip_prefix("rq_").is_some_and(|h| is_hex(h, 16)) {
            return Err(problem(
                "id",
                "expected rq_ followed by 16 lowercase hex digits",
            ));
        }
        if self.form.is_empty()
            || self.form.len() > limits::FORM
            || !self
                .form
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(problem(
                "form",
                "expected a form name: 1 to 32 of a-z, 0-9, - and _ (demo, contact, trial, chat)",
            ));
        }
        match (self.basis.as_str(), &self.visitor) {
            (BASIS_CONSENT, Some(visitor)) => {
                text(visitor, "visitor", crate::core::event::MAX_ID_LEN, false)?
            }
            (BASIS_CONSENT, None) => {
                return Err(problem(
                    "visitor",
                    "a request sent with analytics consent names its visitor",
                ))
            }
            (BASIS_REQUEST, None) => {}
            (BASIS_REQUEST, Some(_)) => {
                return Err(problem(
                    "visitor",
                    "a request without analytics consent carries no visitor id",
                ))
            }
            _ => return Err(problem("basis", "expected 'consent' or 'request'")),
        }
        if !self.page.starts_with('/') || self.page.contains(['?', '#']) {
            return Err(problem(
                "page",
                "expected a path such as /demo (no query or fragment)",
            ));
        }
        text(&self.page, "page", limits::PAGE, false)?;
        when(
            &self.at,
            "at",
            now,
            crate::core::summary::received::limits::FIRST_YEAR_MS,
        )?;
        if self.fields.len() > limits::FIELDS {
            return Err(problem(
                "fields",
                format!("more than {} fields", limits::FIELDS),
            ));
        }
        for (name, value) in self.fields.iter() {
            let path = join("fields", name);
            let plain = name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if name.is_empty() || name.len() > limits::NAME || !plain {
                return Err(problem(
                    path,
                    "a field name is 1 to 64 of A-Z, a-z, 0-9, _, - and .",
                ));
            }
            // NOTE: a message keeps its line breaks; each line is held to the summary's rule.
            if value.len() > limits::VALUE {
                return Err(problem(
                    path,
                    format!("longer than {} bytes", limits::VALUE),
                ));
            }
            for line in value.split('\n') {
                text(line, &path, limits::VALUE, true)?;
            }
        }
        let email = self.email();
        let at = email.find('@').unwrap_or(0);
        if email.is_empty() {
            return Err(problem(
                "fields.email",
                "a request needs the visitor's e-mail address, to answer it",
            ));
        }
        if email.len() > limits::EMAIL
            || at == 0
            || at + 1 >= email.len()
            || email.contains(char::is_whitespace)
        {
            return Err(problem("fields.email", "not an e-mail address"));
        }
        if !matches!(self.runtime.as_str(), "browser" | "edge" | "native") {
            return Err(problem("runtime", "expected one of browser, edge, native"));
        }
        Ok(())
    }
}
