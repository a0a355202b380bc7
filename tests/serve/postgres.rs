//! PostgreSQL for the serve suite (`LEADPULSE_TEST_DB=postgres`, `make serve-test-postgres`):
//! a throwaway cluster (pg-cluster.sh: initdb as an unprivileged user, loopback only, removed
//! when this binary ends) started once per test binary, and a database of its own per test.
//! Tests that stop the database start a cluster of their own.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The `leadpulse` superuser's password: in every URL the collectors get, and never in their logs.
pub const PASSWORD: &str = "pg-test-secret-7f3a91";

pub struct Cluster {
    pub port: u16,
    // NOTE: the script stops the server and removes its files when this pipe closes.
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    _child: Child,
}

impl Cluster {
    /// Starts a cluster in a fresh folder on a free loopback port.
    pub fn start(name: &str) -> Cluster {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("leadpulse-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut child = Command::new(concat!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
            "/tests/serve/pg-cluster.sh"
        ))
        .arg(&dir)
        .arg(port.to_string())
        .arg(PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run tests/serve/pg-cluster.sh");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut cluster = Cluster {
            port,
            stdin,
            stdout,
            _child: child,
        };
        cluster.expect("ready");
        cluster
    }

    fn expect(&mut self, word: &str) {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("read pg-cluster.sh");
        assert_eq!(line.trim(), word, "pg-cluster.sh did not say {word}");
    }

    /// Stops the server (a fast shutdown: sessions are ended); its files stay.
    pub fn stop(&mut self) {
        writeln!(self.stdin, "stop").expect("tell pg-cluster.sh");
        self.expect("stopped");
    }

    /// Starts it again and waits until it accepts connections.
    pub fn start_again(&mut self) {
        writeln!(self.stdin, "start").expect("tell pg-cluster.sh");
        self.expect("ready");
    }

    /// The URL of database `db` (with the password: what `--db` gets).
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://leadpulse:{PASSWORD}@127.0.0.1:{}/{db}",
            self.port
        )
    }

    /// A new empty database named after `name` (dropped first if it exists); its name.
    pub fn create_database(&self, name: &str) -> String {
        let db = db_name(name);
        let mut client = self.client("postgres");
        // NOTE: one statement a call: DROP DATABASE cannot run in a (batch's) transaction.
        for statement in [
            format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{db}\""),
        ] {
            client
                .batch_execute(&statement)
                .expect("create the test's database");
        }
        db
    }

    pub fn client(&self, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(db), postgres::NoTls)
            .expect("connect to the test cluster")
    }
}

/// The cluster every test of this binary shares.
pub fn shared() -> &'static Mutex<Cluster> {
    static SHARED: OnceLock<Mutex<Cluster>> = OnceLock::new();
    SHARED.get_or_init(|| Mutex::new(Cluster::start("shared")))
}

/// The database of the test whose folder is `dir` (made by `site`), on the shared cluster.
pub fn database_of(dir: &std::path::Path) -> String {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("leadpulse");
    let cluster = shared().lock().unwrap_or_else(|e| e.into_inner());
    cluster.url(&db_name(name))
}

/// A connection to the database of the test whose folder is `dir`, to look at what is stored.
pub fn client_of(dir: &std::path::Path) -> postgres::Client {
    postgres::Client::connect(&database_of(dir), postgres::NoTls)
        .expect("connect to the test's database")
}

/// A folder's name as a database name.
fn db_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}
