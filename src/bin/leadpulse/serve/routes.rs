//! Which handler answers which path; the two small read-only API handlers.
use std::net::IpAddr;

use leadpulse::core::model::{compiled, BUILTIN_JSON};
use serde_json::{json, Value};

use super::http::{Body, Head, Response};
use super::{collect, iso_time, App};

const DEFAULT_LEADS: u32 = 100;
const MAX_LEADS: u32 = 1000;

pub fn route(app: &App, head: &Head, body: Body<'_>, client: IpAddr) -> Response {
    match head.path() {
        "/collect" => collect::handle(app, head, body, client),
        "/api/leads" => leads(app, head),
        "/model.json" => model(app, head),
        "/model.lpm" => compiled(app, head),
        path if path.starts_with("/api/") => Response::error(404, "no such API"),
        path => app.site.serve(&head.method, path),
    }
}

fn read_only(head: &Head) -> Option<Response> {
    (head.method != "GET" && head.method != "HEAD")
        .then(|| Response::error(405, "method not allowed").with_header("Allow", "GET, HEAD"))
}

/// `GET /api/leads[?limit=N]` → `{"leads": [{id, receivedAt, verified, summary}]}`, newest first.
fn leads(app: &App, head: &Head) -> Response {
    if let Some(refusal) = read_only(head) {
        return refusal;
    }
    let limit = match query_param(head.query(), "limit").map(str::parse::<u32>) {
        None => DEFAULT_LEADS,
        Some(Ok(n)) if (1..=MAX_LEADS).contains(&n) => n,
        Some(_) => {
            let error = format!("limit must be an integer from 1 to {MAX_LEADS}");
            return Response::json(400, &json!({ "error": error, "path": "limit" }));
        }
    };
    match app.store.recent(limit) {
        Ok(rows) => {
            let leads: Vec<Value> = rows
                .into_iter()
                .map(|lead| {
                    json!({
                        "id": lead.id,
                        "receivedAt": iso_time::format_ms(lead.received_ms),
                        "verified": lead.verified,
                        // Stored only after validation; `null` if the file was edited by hand.
                        "summary": serde_json::from_str::<Value>(&lead.summary).unwrap_or(Value::Null),
                    })
                })
                .collect();
            Response::json(200, &json!({ "leads": leads }))
        }
        Err(e) => {
            log!("leadpulse serve: reading leads failed: {e}");
            Response::error(500, "could not read the leads")
        }
    }
}

/// `GET /model.json`: `--model FILE` (read on every request, so edits show at once), else
/// `www/model.json`, else the built-in model.
fn model(app: &App, head: &Head) -> Response {
    if let Some(refusal) = read_only(head) {
        return refusal;
    }
    match app.model.as_deref().map(std::fs::read) {
        None => match app.site.serve(&head.method, head.path()) {
            found if found.status != 404 => found,
            _ => Response::new(200, "application/json", BUILTIN_JSON.as_bytes().to_vec()),
        },
        Some(Ok(bytes)) => Response::new(200, "application/json", bytes),
        Some(Err(e)) => {
            log!("leadpulse serve: reading the model failed: {e}");
            Response::error(404, "model file not readable")
        }
    }
}

/// `GET /model.lpm`: the same model compiled for the browser build (`leadpulse compile`).
fn compiled(app: &App, head: &Head) -> Response {
    if let Some(refusal) = read_only(head) {
        return refusal;
    }
    let path = app.model.clone().or_else(|| {
        let www = app.site.root().join("www/model.json");
        www.is_file().then_some(www)
    });
    match crate::model_file::load(path.as_deref()) {
        Ok(model) => Response::new(
            200,
            "text/plain; charset=utf-8",
            compiled::encode_text(&model).into_bytes(),
        ),
        Err(e) => {
            log!("leadpulse serve: compiling the model failed: {e}");
            Response::error(500, "the model does not compile (see the server log)")
        }
    }
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_query_parameters() {
        assert_eq!(query_param(Some("a=1&limit=5"), "limit"), Some("5"));
        assert_eq!(query_param(Some("limit"), "limit"), None);
        assert_eq!(query_param(None, "limit"), None);
    }
}
