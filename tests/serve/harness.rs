//! The server under test and a plain-TCP HTTP client; the site and summaries it serves.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

pub const SECRET_MARKER: &str = "outside-the-web-root";
pub const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `leadpulse serve --port 0 --root DIR --db DIR/leads.db ARGS` and waits for the
    /// URL line.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        Server::start_with_env(dir, args, &[])
    }

    pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = serve_command(dir, args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
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
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        Server { child, port }
    }

    pub fn get(&self, target: &str) -> Reply {
        self.raw(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
    }

    pub fn post(&self, content_type: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut request = format!(
            "POST /collect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    pub fn post_json(&self, summary: &Value) -> Reply {
        self.post("application/json", &[], summary.to_string().as_bytes())
    }

    pub fn leads(&self) -> Vec<Value> {
        let reply = self.get("/api/leads");
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["leads"]
            .as_array()
            .expect("leads array")
            .clone()
    }

    /// Sends `request` as is and reads the whole response (the server closes after it).
    pub fn raw(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
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

pub fn serve_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadpulse"));
    command
        .arg("serve")
        .args(["--port", "0", "--root"])
        .arg(dir)
        .arg("--db")
        .arg(dir.join("leads.db"))
        .args(args)
        .env_remove("LEADPULSE_SECRET");
    command
}

pub struct Reply {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
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
        let headers = lines
            .map(|l| l.split_once(": ").expect("header line"))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: bytes[end + 4..].to_vec(),
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

/// A fresh folder with a small site: `www/`, `pkg/`, and a file beside them that must never
/// be served.
pub fn site(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
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

pub fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/summary/valid.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The fixture with another `id`, so each summary is a new lead.
pub fn summary(n: u64) -> Value {
    let mut summary = fixture();
    summary["id"] = json!(format!("lp_{n:016x}"));
    summary
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
