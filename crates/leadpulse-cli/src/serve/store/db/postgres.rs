//! PostgreSQL: a pool of connections (r2d2), each keeping the statements it prepared, with
//! timeouts so that a database that is down or stuck turns into a quick 503, never a request
//! hanging; connections that broke are dropped and new ones made, so the collector recovers
//! without a restart when the database is back.
use std::collections::HashMap;
use std::error::Error as StdError;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::{Error, Result, Row, Tx, Value};
use crate::serve::store::migrate;

/// Connections per collector: requests beyond it wait for one ([`CHECKOUT`]).
const POOL_SIZE: u32 = 12;
/// How long a call waits for a connection (the database down: every new connection fails)
/// before it answers 503.
const CHECKOUT: Duration = Duration::from_secs(3);
/// Reaching the server at all.
const CONNECT: Duration = Duration::from_secs(3);
/// NOTE: each statement at most 10 s, each wait for a row lock at most 5 s, and a transaction
/// left idle (a collector stopped mid-call) ends after 30 s: under the 15 s a request may
/// take in all (app.rs), so a stuck database gives 503 rather than a timeout.
const SESSION: &str = "SET statement_timeout = '10s'; SET lock_timeout = '5s';
    SET idle_in_transaction_session_timeout = '30s'";

pub struct Postgres {
    pool: r2d2::Pool<Manager>,
}

struct Manager {
    config: postgres::Config,
}

pub struct Connection {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<Connection, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        client.batch_execute(SESSION)?;
        Ok(Connection {
            client,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Connection) -> std::result::Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.client.is_closed()
    }
}

/// Connection failures go to the log (without the URL: it may hold a password).
#[derive(Debug)]
struct LogErrors;

impl r2d2::HandleError<postgres::Error> for LogErrors {
    fn handle_error(&self, error: postgres::Error) {
        tracing::warn!("store: PostgreSQL: {error}");
    }
}

impl Postgres {
    /// Connects, migrates (one collector at a time: the others wait), and checks that a
    /// connection can be had; the message says what is wrong.
    pub fn open(url: &str) -> std::result::Result<Postgres, String> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT);
        }
        if config.get_application_name().is_none() {
            config.application_name("leadpulse");
        }
        let mut admin = config
            .connect(NoTls)
            .map_err(|e| format!("cannot reach PostgreSQL: {e}"))?;
        migrate::postgres(&mut admin)?;
        drop(admin);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(CHECKOUT)
            // NOTE: a broken connection is found by its failed call (has_broken) rather
            // than by a round trip before every use.
            .test_on_check_out(false)
            .error_handler(Box::new(LogErrors))
            .build_unchecked(Manager { config });
        Ok(Postgres { pool })
    }

    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.run(false, f)
    }

    pub fn read<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.run(true, f)
    }

    fn run<T, E: From<Error>>(
        &self,
        read_only: bool,
        f: impl FnOnce(&mut Tx) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut conn = self.pool.get().map_err(Error::from)?;
        let Connection { client, statements } = &mut *conn;
        let tx = client
            .build_transaction()
            .read_only(read_only)
            .start()
            .map_err(Error::from)?;
        let mut tx = Tx::Postgres { tx, statements };
        let out = f(&mut tx)?;
        if let Tx::Postgres { tx, .. } = tx {
            tx.commit().map_err(Error::from)?;
        }
        Ok(out)
    }
}

/// `?1` → `$1`: the store's queries are written with SQLite's numbered parameters.
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn statement(
    tx: &mut postgres::Transaction,
    statements: &mut HashMap<String, Statement>,
    sql: &str,
) -> Result<Statement> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = tx.prepare(&dollars(sql))?;
    statements.insert(sql.to_string(), statement.clone());
    Ok(statement)
}

fn arguments(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

pub fn execute(
    tx: &mut postgres::Transaction,
    statements: &mut HashMap<String, Statement>,
    sql: &str,
    params: &[Value],
) -> Result<usize> {
    let statement = statement(tx, statements, sql).map_err(|e| e.in_statement(sql))?;
    let changed = tx
        .execute(&statement, &arguments(params))
        .map_err(|e| Error::from(e).in_statement(sql))?;
    Ok(usize::try_from(changed).unwrap_or(usize::MAX))
}

pub fn query(
    tx: &mut postgres::Transaction,
    statements: &mut HashMap<String, Statement>,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>> {
    let statement = statement(tx, statements, sql).map_err(|e| e.in_statement(sql))?;
    let rows = tx
        .query(&statement, &arguments(params))
        .map_err(|e| Error::from(e).in_statement(sql))?;
    rows.iter().map(row).collect()
}

fn row(row: &postgres::Row) -> Result<Row> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        // NOTE: compared, not matched: postgres' Type constants are not patterns.
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map(|n| Value::Int(n.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?
                .map(|n| Value::Int(n.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?
                .map(|b| Value::Int(b.into()))
        } else if *ty == Type::FLOAT8 {
            row.try_get::<_, Option<f64>>(i)?.map(Value::Real)
        } else if *ty == Type::FLOAT4 {
            row.try_get::<_, Option<f32>>(i)?
                .map(|x| Value::Real(x.into()))
        } else if is_text(ty) {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        } else if *ty == Type::BYTEA {
            row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob)
        } else {
            return Err(Error::Failed(format!(
                "column {} has type {ty}, which the store does not read",
                column.name()
            )));
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

fn is_text(ty: &Type) -> bool {
    [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty)
}

/// A parameter as the type PostgreSQL inferred for its place in the statement.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) if *ty == Type::INT8 => n.to_sql(ty, out),
            Value::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::BOOL => (*n != 0).to_sql(ty, out),
            Value::Int(n) if *ty == Type::FLOAT8 => (*n as f64).to_sql(ty, out),
            Value::Real(x) if *ty == Type::FLOAT8 => x.to_sql(ty, out),
            Value::Text(s) if is_text(ty) => s.as_str().to_sql(ty, out),
            Value::Blob(b) if *ty == Type::BYTEA => b.as_slice().to_sql(ty, out),
            value => Err(format!("a parameter {value:?} cannot be a {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbered_parameters_become_dollars_outside_literals() {
        assert_eq!(
            super::dollars("SELECT ?1, '?2', ?12 FROM t WHERE a LIKE 'x%'"),
            "SELECT $1, '?2', $12 FROM t WHERE a LIKE 'x%'"
        );
    }
}
