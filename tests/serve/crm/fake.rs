//! A loopback CRM (axum on its own runtime, like receiver.rs): it records every call, answers
//! through an [`Api`] (the documented subset of a CRM's API, with state), and lets a test
//! force the next answers on a path (a 429, a 500, a 400) or hold answers on a path after the
//! API has done the work (a collector killed while its request is in flight).
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// One request the fake got.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
    /// The status it was answered with.
    pub answered: u16,
}

impl Call {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{e}: {} {} {:?}",
                self.method,
                self.path,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query or form parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        let from = |text: &[u8]| {
            form_urlencoded::parse(text)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        from(self.query.as_bytes()).or_else(|| from(&self.body))
    }

    /// `METHOD /path`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: u16, body: &Value) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The documented subset of a CRM's API.
pub trait Api: Send + 'static {
    fn answer(&mut self, call: &Call) -> Answer;
}

struct Shared<A> {
    api: Mutex<A>,
    calls: Mutex<Vec<Call>>,
    arrived: Condvar,
    /// (path part, answer): the next call whose path contains the part gets the answer
    /// instead of the API's (the API does nothing).
    forced: Mutex<VecDeque<(String, Answer)>>,
    /// Calls whose path contains this are done by the API, then not answered until release.
    held: Mutex<Option<String>>,
    open: tokio::sync::watch::Sender<bool>,
}

pub struct Fake<A: Api> {
    pub address: SocketAddr,
    shared: Arc<Shared<A>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn serve<A: Api>(
    State(shared): State<Arc<Shared<A>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut call = Call {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers,
        body: body.to_vec(),
        at: Instant::now(),
        answered: 0,
    };
    let forced = {
        let mut forced = shared.forced.lock().unwrap();
        let at = forced
            .iter()
            .position(|(part, _)| call.path.contains(part.as_str()));
        at.and_then(|i| forced.remove(i)).map(|(_, a)| a)
    };
    let answer = forced.unwrap_or_else(|| shared.api.lock().unwrap().answer(&call));
    call.answered = answer.status;
    let hold = shared
        .held
        .lock()
        .unwrap()
        .as_ref()
        .is_some_and(|part| call.path.contains(part.as_str()));
    shared.calls.lock().unwrap().push(call);
    shared.arrived.notify_all();
    if hold {
        let mut open = shared.open.subscribe();
        let _ = open.wait_for(|open| *open).await;
    }
    let mut response = (StatusCode::from_u16(answer.status).unwrap(), answer.body).into_response();
    for (name, value) in answer.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    response
}

impl<A: Api> Fake<A> {
    pub fn start(api: A) -> Fake<A> {
        let shared = Arc::new(Shared {
            api: Mutex::new(api),
            calls: Mutex::default(),
            arrived: Condvar::new(),
            forced: Mutex::default(),
            held: Mutex::default(),
            open: tokio::sync::watch::Sender::new(true),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound, address_rx) = std::sync::mpsc::channel();
        let app = axum::Router::new()
            .fallback(serve::<A>)
            .with_state(shared.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                bound.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let address = address_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        Fake {
            address,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// Looks at (or changes) the API's state.
    pub fn with<T>(&self, f: impl FnOnce(&mut A) -> T) -> T {
        f(&mut self.shared.api.lock().unwrap())
    }

    /// The next call on a path containing `part` gets `answer` (the API does nothing).
    pub fn force(&self, part: &str, answer: Answer) {
        self.shared
            .forced
            .lock()
            .unwrap()
            .push_back((part.into(), answer));
    }

    /// Calls on a path containing `part` are done, then not answered until [`Fake::release`].
    pub fn hold(&self, part: &str) {
        self.shared.open.send_replace(false);
        *self.shared.held.lock().unwrap() = Some(part.into());
    }

    pub fn release(&self) {
        *self.shared.held.lock().unwrap() = None;
        self.shared.open.send_replace(true);
    }

    /// Waits until `check` holds for the calls so far (the positive marker); all of them.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&[Call]) -> bool,
    ) -> Vec<Call> {
        let calls = self.shared.calls.lock().unwrap();
        let (calls, result) = self
            .shared
            .arrived
            .wait_timeout_while(calls, timeout, |calls| !check(calls))
            .unwrap();
        assert!(
            !result.timed_out(),
            "gave up waiting for {what}; calls: {:#?}",
            calls.iter().map(Call::line).collect::<Vec<_>>()
        );
        calls.clone()
    }
}

impl<A: Api> Drop for Fake<A> {
    fn drop(&mut self) {
        self.release();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A fixture of tests/fixtures/crm/.
pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/crm/{name}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON value's shape: objects by their keys, arrays by their first element, scalars by
/// type; the free-form maps (`properties`) as a map of the types of their values.
pub fn shape(value: &Value) -> Value {
    use serde_json::json;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let inner = if k == "properties" {
                        let types: std::collections::BTreeSet<String> = v
                            .as_object()
                            .map(|m| m.values().map(|x| shape(x).to_string()).collect())
                            .unwrap_or_default();
                        json!({ "map of": types.into_iter().collect::<Vec<_>>() })
                    } else {
                        shape(v)
                    };
                    (k.clone(), inner)
                })
                .collect(),
        ),
        Value::Array(items) => json!([items.first().map(shape).unwrap_or(Value::Null)]),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("boolean"),
        Value::Null => json!("null"),
    }
}
