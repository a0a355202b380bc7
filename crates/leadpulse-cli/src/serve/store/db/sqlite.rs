//! SQLite: one writing connection behind a lock (SQLite serialises writes anyway, and every
//! write here is a few statements long) and reading connections of their own (readers.rs).
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use super::{Error, Result, Row, Tx, Value};
use crate::serve::store::migrate;
use crate::serve::store::readers::Readers;

pub struct Sqlite {
    /// `None`: opened read-only (`leadpulse report`).
    writer: Option<Mutex<Connection>>,
    readers: Readers,
}

impl Sqlite {
    /// Opens (or creates) the file: a damaged file is refused, an older schema migrated, a
    /// newer one refused; the message says which and what to do.
    pub fn open(path: &Path) -> std::result::Result<Sqlite, String> {
        let sqlite = |e: rusqlite::Error| e.to_string();
        let mut conn = Connection::open(path).map_err(sqlite)?;
        // NOTE: another process holding the write lock (a backup, `sqlite3` by hand) is waited
        // for. Every write transaction begins IMMEDIATE: a deferred one that read first gets
        // SQLITE_BUSY at once when it tries to write, busy_timeout or not.
        conn.busy_timeout(Duration::from_secs(5)).map_err(sqlite)?;
        // NOTE: WAL lets the dashboard read while summaries arrive; `:memory:` answers "memory".
        let _: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(sqlite)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite)?;
        check_integrity(&conn)?;
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(sqlite)?;
        migrate::sqlite(&mut conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sqlite)?;
        // NOTE: one collector owns a SQLite file, so a delivery claimed by this file's last
        // run (killed mid-attempt) is its own: due again now, not when the claim runs out.
        conn.execute(
            "UPDATE outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL",
            [],
        )
        .map_err(sqlite)?;
        let readers = Readers::new(path, &conn).map_err(sqlite)?;
        Ok(Sqlite {
            writer: Some(Mutex::new(conn)),
            readers,
        })
    }

    /// Opens an existing file to read only: nothing is created, migrated or written.
    pub fn open_read_only(path: &Path) -> std::result::Result<Sqlite, String> {
        if !path.is_file() {
            return Err("no such file".into());
        }
        let probe = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
        let readers = Readers::new(path, &probe).map_err(|e| e.to_string())?;
        Ok(Sqlite {
            writer: None,
            readers,
        })
    }

    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let Some(writer) = &self.writer else {
            return Err(Error::Failed("the store was opened read-only".into()).into());
        };
        // NOTE: a poisoned lock means a panic elsewhere mid-call; SQLite itself is consistent.
        let mut conn = writer.lock().unwrap_or_else(|e| e.into_inner());
        run(&mut conn, TransactionBehavior::Immediate, f)
    }

    pub fn read<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.readers
            .read(|conn| run(conn, TransactionBehavior::Deferred, f))
    }
}

fn run<T, E: From<Error>>(
    conn: &mut Connection,
    behavior: TransactionBehavior,
    f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let tx = conn
        .transaction_with_behavior(behavior)
        .map_err(Error::from)?;
    let mut tx = Tx::Sqlite(tx);
    let out = f(&mut tx)?;
    if let Tx::Sqlite(tx) = tx {
        tx.commit().map_err(Error::from)?;
    }
    Ok(out)
}

/// `PRAGMA quick_check`: a damaged file is refused at start instead of answering 500 to
/// every request later. (It reads every page: seconds for a file of gigabytes.)
fn check_integrity(conn: &Connection) -> std::result::Result<(), String> {
    let mut statement = conn
        .prepare("PRAGMA quick_check(5)")
        .map_err(|e| format!("not a readable SQLite database: {e}"))?;
    let problems: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| format!("not a readable SQLite database: {e}"))?;
    if problems.iter().all(|p| p == "ok") {
        return Ok(());
    }
    Err(format!(
        "the database is damaged (PRAGMA quick_check: {}); restore a backup",
        problems.join("; ")
    ))
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(*n),
            Value::Real(x) => ValueRef::Real(*x),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn column(value: ValueRef) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

pub fn execute(tx: &rusqlite::Transaction, sql: &str, params: &[Value]) -> Result<usize> {
    let mut statement = tx.prepare_cached(sql)?;
    Ok(statement.execute(rusqlite::params_from_iter(params))?)
}

pub fn query(tx: &rusqlite::Transaction, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
    let mut statement = tx.prepare_cached(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values = (0..columns)
            .map(|i| row.get_ref(i).map(column))
            .collect::<rusqlite::Result<Vec<Value>>>()?;
        out.push(Row(values));
    }
    Ok(out)
}
