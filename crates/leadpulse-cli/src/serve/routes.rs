//! Which handler answers which path, and the layers around them (CORS, limits, timeouts).
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, Method};
use axum::routing::{get, post};
use axum::Router;
use leadpulse::core::request;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

use super::app::App;
use super::crm::hubspot;
use super::{auth, collect, deliveries, event_stream, headers, leads, sales_status, site};

/// The largest API request body (feedback is a few hundred bytes).
const API_BODY: usize = 4096;

/// How long a request may take in all, and how long its body may trickle in.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router(app: Arc<App>) -> Router {
    // NOTE: CORS only for the configured site origins; without a match the browser gets no
    // Access-Control-Allow-Origin and refuses to send. Same-origin pages need none.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(app.allow_origins.clone()))
        .allow_methods([Method::POST, Method::GET])
        .allow_headers([
            header::CONTENT_TYPE,
            "x-leadpulse-signature"
                .parse()
                .unwrap_or(header::CONTENT_TYPE),
        ])
        .max_age(Duration::from_secs(3600));
    let api = Router::new()
        .route("/leads", get(leads::list))
        .route("/leads/{id}", get(leads::one))
        .route("/leads/{id}/feedback", post(leads::feedback))
        .route("/outbox", get(deliveries::list))
        .route("/outbox/{id}/retry", post(deliveries::retry))
        .route("/report", get(super::report::report))
        .route("/me", get(super::users::me))
        .route("/users", get(super::users::list).post(super::users::add))
        .route("/users/{name}/revoke", post(super::users::revoke))
        .route("/events", get(event_stream::stream))
        .fallback(leads::no_such_api)
        .layer(RequestBodyLimitLayer::new(API_BODY))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::require_token,
        ));
    let collect = Router::new()
        .route("/collect", post(collect::collect))
        .route("/status/{token}", get(sales_status::by_token))
        .route("/status", get(sales_status::by_visitor))
        // NOTE: a request (with a message) may be larger than a summary; collect.rs holds a
        // summary to its own limit.
        .layer(DefaultBodyLimit::max(request::MAX_BYTES))
        // NOTE: answers 413 from Content-Length alone, before any of the body is awaited.
        .layer(RequestBodyLimitLayer::new(request::MAX_BYTES))
        .layer(cors);
    // NOTE: HubSpot's webhooks carry no API token: their signature is checked (webhook.rs).
    let crm = Router::new()
        .route(hubspot::webhook::PATH, post(hubspot::webhook::receive))
        .layer(DefaultBodyLimit::max(hubspot::webhook::MAX_BYTES))
        .layer(RequestBodyLimitLayer::new(hubspot::webhook::MAX_BYTES));
    Router::new()
        .merge(collect)
        .merge(crm)
        .nest("/api", api)
        .route("/model.json", get(site::model_document))
        .route("/model.lpm", get(site::model_compiled))
        .fallback(site::files)
        // NOTE: gzip or brotli as the client asks: the package's wasm is 209 KB, 94 KB gzipped
        // (compressed per response; small answers and images are left as they are).
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn(headers::security))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}
