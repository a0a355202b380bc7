//! The server under test and a plain-TCP HTTP client; the site and summaries it serves.
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

pub const SECRET_MARKER: &str = "outside-the-web-root";
pub const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";
/// The API token every test server gets (`--api-token`).
pub const TOKEN: &str = "api-token-for-the-tests-0123";

pub struct Server {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    /// Starts `leadpulse serve --listen 127.0.0.1:0 --api-token TOKEN --root DIR
    /// --db DIR/leads.db ARGS` and waits for the URL line. Its log goes to DIR/serve-N.log.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        Server::start_with_env(dir, args, &[])
    }

    pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = serve_command(dir, args);
        command.envs(env.iter().copied());
        Server::start_command(dir, command)
    }

    /// Starts `command` (a [`serve_command`], perhaps wrapped) with the test token.
    pub fn start_command(dir: &Path, mut command: Command) -> Server {
        let log = (0..)
            .map(|n| dir.join(format!("serve-{n}.log")))
            .find(|p| !p.exists())
            .expect("a free log name");
        let mut child = command
            .args(["--api-token", TOKEN])
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn leadpulse serve");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the URL line");
        let port = line
            .strip_prefix("leadpulse serve: http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix("/\n"))
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("unexpected first line {line:?}; log:\n{log}")
            });
        Server { child, port, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no graceful shutdown, nothing flushed that was not committed.
    pub fn kill(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }

    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[], b"")
    }

    /// A request with `Connection: close`, so the reply ends with the connection.
    pub fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
            self.port
        );
        if method == "POST" || !body.is_empty() {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    /// `GET /api/…` with the token.
    pub fn api_get(&self, target: &str) -> Reply {
        let bearer = format!("Bearer {TOKEN}");
        self.request("GET", target, &[("Authorization", &bearer)], b"")
    }

    /// `POST /api/…` (JSON) with the token.
    pub fn api_post(&self, target: &str, body: &Value) -> Reply {
        self.api_post_as(TOKEN, target, body)
    }

    /// `GET /api/…` with `token` (a user's).
    pub fn api_get_as(&self, token: &str, target: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        self.request("GET", target, &[("Authorization", &bearer)], b"")
    }

    /// `POST /api/…` (JSON) with `token` (a user's).
    pub fn api_post_as(&self, token: &str, target: &str, body: &Value) -> Reply {
        let bearer = format!("Bearer {token}");
        let headers = [
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.request("POST", target, &headers, body.to_string().as_bytes())
    }

    /// `POST /collect`.
    pub fn post(&self, content_type: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut all = vec![("Content-Type", content_type)];
        all.extend_from_slice(headers);
        self.request("POST", "/collect", &all, body)
    }

    pub fn post_json(&self, summary: &Value) -> Reply {
        self.post("application/json", &[], summary.to_string().as_bytes())
    }

    /// The leads the dashboard shows (`GET /api/leads`).
    pub fn leads(&self) -> Vec<Value> {
        self.leads_at("/api/leads")
    }

    pub fn leads_at(&self, target: &str) -> Vec<Value> {
        let reply = self.api_get(target);
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["leads"]
            .as_array()
            .expect("leads array")
            .clone()
    }

    /// Deliveries waiting for their next attempt (`GET /api/outbox`).
    pub fn waiting(&self) -> Vec<Value> {
        self.outbox("waiting")
    }

    /// Deliveries given up on (`GET /api/outbox`).
    pub fn dead(&self) -> Vec<Value> {
        self.outbox("dead")
    }

    fn outbox(&self, state: &str) -> Vec<Value> {
        let reply = self.api_get("/api/outbox");
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()[state]
            .as_array()
            .unwrap_or_else(|| panic!("{state} array"))
            .clone()
    }

    /// Polls `check` until it returns something (the positive marker a test waits on).
    pub fn until<T>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&Server) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = check(self) {
                return found;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("gave up waiting for {what}; server log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `request` as is and reads the whole response (the server closes after it).
    pub fn raw(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream.write_all(request).expect("send request");
        let mut bytes = Vec::new();
        stream
            .read_to_end(&mut bytes)
            .expect("read response (in time)");
        Reply::parse(&bytes)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `leadpulse serve` on a free loopback port for DIR, without any secret from the environment.
pub fn serve_command(dir: &Path, args: &[&str]) -> Command {
    serve_command_on(dir, &store(dir), args)
}

/// … on the store `db` (a test's own PostgreSQL cluster).
pub fn serve_command_on(dir: &Path, db: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadpulse"));
    command.arg("serve");
    if !args.contains(&"--listen") {
        command.args(["--listen", "127.0.0.1:0"]);
    }
    command
        .arg("--root")
        .arg(dir)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("LEADPULSE_DB")
        .env_remove("LEADPULSE_API_TOKEN")
        .env_remove("LEADPULSE_SIGNING_SECRET")
        .env_remove("LEADPULSE_PREVIOUS_SIGNING_SECRET")
        .env_remove("LEADPULSE_WEBHOOK_SECRET")
        .env_remove("LEADPULSE_HUBSPOT_TOKEN")
        .env_remove("LEADPULSE_HUBSPOT_URL")
        .env_remove("LEADPULSE_HUBSPOT_APP_SECRET")
        .env_remove("LEADPULSE_SALESFORCE_URL")
        .env_remove("LEADPULSE_SALESFORCE_TOKEN")
        .env_remove("LEADPULSE_SALESFORCE_CLIENT_ID")
        .env_remove("LEADPULSE_SALESFORCE_CLIENT_SECRET")
        .env("LEADPULSE_LOG", "info");
    command
}

pub struct Reply {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A chunked body, joined.
fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") else {
            return body;
        };
        let size = std::str::from_utf8(&bytes[..end])
            .ok()
            .and_then(|line| usize::from_str_radix(line.split(';').next()?.trim(), 16).ok())
            .expect("chunk size");
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&bytes[end + 2..end + 2 + size]);
        bytes = &bytes[end + 2 + size + 2..];
    }
}

impl Reply {
    pub fn parse(bytes: &[u8]) -> Reply {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(bytes)));
        let head = std::str::from_utf8(&bytes[..end]).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .map(|l| l.split_once(": ").expect("header line"))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect();
        let raw = &bytes[end + 4..];
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        Reply {
            status,
            body: if chunked { dechunk(raw) } else { raw.to_vec() },
            headers,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// `leadpulse users ARGS --db DIR/leads.db`: exit code, stdout, stderr.
pub fn users(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .arg("users")
        .args(args)
        .arg("--db")
        .arg(store(dir))
        .output()
        .expect("run leadpulse users");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new user's token, from `leadpulse users add NAME --role ROLE` (stdout, one line).
pub fn add_user(dir: &Path, name: &str, role: &str) -> String {
    let (code, stdout, stderr) = users(dir, &["add", name, "--role", role]);
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim_end_matches('\n');
    assert!(!token.contains('\n') && token.len() >= 32, "{stdout:?}");
    token.to_string()
}

/// The store of the test whose folder is `dir`, as `--db` takes it: `DIR/leads.db`, or on
/// PostgreSQL the URL of the test's own database (made by [`site`]).
pub fn store(dir: &Path) -> String {
    if on_postgres() {
        crate::postgres::database_of(dir)
    } else {
        dir.join("leads.db").to_string_lossy().into_owned()
    }
}

/// A fresh folder with a small site: `www/`, `pkg/`, and a file beside them that must never
/// be served. On PostgreSQL, a fresh database too.
pub fn site(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    if on_postgres() {
        let cluster = crate::postgres::shared()
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cluster.create_database(&format!("serve-{name}"));
    }
    let files: &[(&str, &[u8])] = &[
        ("www/index.html", b"<h1>home</h1>"),
        ("www/pricing.html", b"<h1>pricing</h1>"),
        ("www/docs/index.html", b"<h1>docs</h1>"),
        ("www/app.js", b"export const a = 1;"),
        ("www/app.mjs", b"export const b = 2;"),
        ("www/style.css", b"h1 { color: red }"),
        ("www/data.json", b"{\"a\":1}"),
        (
            "www/logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
        ("www/favicon.ico", b"\0\0\x01\0"),
        ("www/robots.txt", b"User-agent: *"),
        ("www/dot.png", b"\x89PNG\r\n\x1a\n"),
        ("pkg/leadpulse_core_bg.wasm", WASM_BYTES),
        ("pkg/leadpulse.js", b"// tracker"),
        ("secret.txt", SECRET_MARKER.as_bytes()),
    ];
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// A summary the engine built (the built-in model, an SQL by score): see
/// tests/fixtures/summary/valid.json.
pub fn fixture() -> Value {
    let path = concat!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
        "/tests/fixtures/summary/valid.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The fixture for another visitor, with its own `id`: each `n` is a new lead.
pub fn summary(n: u64) -> Value {
    let mut summary = fixture();
    summary["id"] = json!(format!("lp_{n:016x}"));
    summary["visitor"] = json!(format!("visitor-{n}"));
    summary
}

/// Revision `revision` of visitor `n`'s lead.
pub fn revision(n: u64, revision: u32) -> Value {
    let mut summary = summary(n);
    summary["id"] = json!(format!("lp_{:016x}", n * 1000 + u64::from(revision)));
    summary["revision"] = json!(revision);
    summary
}

/// Visitor `n` at MQL (the fixture's score is above the MQL threshold too).
pub fn mql(n: u64) -> Value {
    let mut summary = summary(n);
    summary["stage"] = json!("mql");
    summary
}

/// A webhook's `X-LeadPulse-Signature` for `X-LeadPulse-Timestamp: timestamp`.
pub fn sign_webhook(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    sign(secret, &signed)
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Whether this run's servers keep their data in PostgreSQL (`LEADPULSE_TEST_DB=postgres`)
/// rather than in a SQLite file per test.
pub fn on_postgres() -> bool {
    std::env::var("LEADPULSE_TEST_DB").as_deref() == Ok("postgres")
}

/// True (and says why on stdout) when a test that applies only to a SQLite file runs on
/// PostgreSQL; the test then returns. The list is in docs/collector.md ("Two instances on
/// PostgreSQL").
pub fn sqlite_only(why: &str) -> bool {
    if on_postgres() {
        println!("skipped on PostgreSQL: {why}");
    }
    on_postgres()
}
