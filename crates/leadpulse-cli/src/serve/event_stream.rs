//! `GET /api/events`: the changes an open dashboard shows without polling, as server-sent
//! events (`text/event-stream`). Token required like all of `/api/` (auth.rs): the dashboard
//! reads the stream with `fetch` and its `Authorization` header, so the token never appears in
//! a URL or a log. Events: `ready` (the stream is live: read everything once), `lead` (a lead
//! as `GET /api/leads` lists it, after any change), `outbox` (deliveries changed), `resync`
//! (some changes were missed: read everything again). At most `--max-event-streams` are open;
//! one more gets 503 with `Retry-After`, and the dashboard polls meanwhile.
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch, OwnedSemaphorePermit};

use super::app::App;
use super::events::Message;
use super::long_answer::{Guard, LongAnswer};

/// A comment line this often keeps proxies and the dashboard's liveness check content, and
/// finds a client that went away.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// When a refused dashboard may try again.
const RETRY_AFTER_SECONDS: &str = "30";

/// One open stream: its place under the cap (given back when the stream is dropped), the
/// messages and the stop signal.
struct Feed {
    _place: OwnedSemaphorePermit,
    /// The connection's read deadline is waived while the stream lasts (long_answer.rs).
    _long: Option<Guard>,
    messages: broadcast::Receiver<Arc<Message>>,
    stopping: watch::Receiver<bool>,
    ready: bool,
}

pub async fn stream(State(app): State<Arc<App>>, long: Option<Extension<LongAnswer>>) -> Response {
    let Some(place) = app.events.admit() else {
        tracing::info!("events: a stream refused: --max-event-streams are open");
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": "too many open event streams; poll /api/leads meanwhile" })),
        )
            .into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        return response;
    };
    let feed = Feed {
        _place: place,
        _long: long.map(|Extension(long)| long.begin()),
        messages: app.events.subscribe(),
        stopping: app.events.stopping(),
        ready: false,
    };
    let events = futures_util::stream::unfold(feed, next);
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // NOTE: nginx buffers proxied answers unless told not to; a buffered stream arrives late.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// The next event of a stream; `None` ends it (the server is stopping).
async fn next(mut feed: Feed) -> Option<(Result<Event, Infallible>, Feed)> {
    if !feed.ready {
        feed.ready = true;
        return Some((Ok(Event::default().event("ready").data("{}")), feed));
    }
    if *feed.stopping.borrow() {
        return None;
    }
    let event = tokio::select! {
        received = feed.messages.recv() => match received {
            Ok(message) => Event::default().event(message.event).data(&message.data),
            Err(RecvError::Lagged(_)) => {
                let resync = Message::resync();
                Event::default().event(resync.event).data(resync.data)
            }
            Err(RecvError::Closed) => return None,
        },
        _ = feed.stopping.changed() => return None,
    };
    Some((Ok(event), feed))
}
