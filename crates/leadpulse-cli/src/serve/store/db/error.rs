//! What a store call can fail with: the database unreachable or busy for now (the API answers
//! 503 with `Retry-After`, and nothing is acknowledged), or anything else (500).
use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// Not reachable, shutting down, out of connections, a lock or statement timeout, a
    /// serialisation conflict: the same call may work in a moment.
    Unavailable(String),
    Failed(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn unavailable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }

    /// A failure that is a mistake in a query names the query (its first line: never a
    /// parameter, so nobody's data reaches the log); "unavailable" needs no such help.
    pub fn in_statement(self, sql: &str) -> Error {
        match self {
            Error::Failed(why) => Error::Failed(format!("{why}, in: {}", super::first_line(sql))),
            unavailable => unavailable,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unavailable(why) => write!(f, "database unavailable: {why}"),
            Error::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match e.sqlite_error_code() {
            // NOTE: another process held the write lock past busy_timeout (5 s).
            Some(DatabaseBusy | DatabaseLocked) => Error::Unavailable(e.to_string()),
            _ => Error::Failed(e.to_string()),
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        // NOTE: SQLSTATE classes that say "try again": 08 connection exception, 53
        // insufficient resources (too many connections), 57 operator intervention (shutdown,
        // statement or lock timeout: 57014 is query_canceled), 40 transaction rollback
        // (serialisation failure, deadlock), 55P03 lock_not_available.
        let transient = match e.code() {
            None => true, // I/O: the connection is gone
            Some(code) => {
                let code = code.code();
                ["08", "53", "57", "40"].iter().any(|c| code.starts_with(c)) || code == "55P03"
            }
        };
        // NOTE: postgres' Display says only "db error": the server's message is in the source.
        let message = match (e.as_db_error(), std::error::Error::source(&e)) {
            (Some(db), _) => format!("{} ({})", db.message(), db.code().code()),
            (None, Some(source)) => format!("{e}: {source}"),
            (None, None) => e.to_string(),
        };
        if transient || e.is_closed() {
            Error::Unavailable(message)
        } else {
            Error::Failed(message)
        }
    }
}

impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Self {
        Error::Unavailable(e.to_string())
    }
}
