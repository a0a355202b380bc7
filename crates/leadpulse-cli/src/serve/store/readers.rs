//! Connections that only read. SQLite in WAL mode lets any number of readers work beside the
//! one writer, each on the snapshot of the last commit it saw begin: the API's lists, a lead's
//! page and the report read here, so none of them waits for a write or makes one wait.
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::db::Error;

/// Idle readers kept open; more are opened when more blocking threads read at once, and
/// closed when given back past this many.
const KEEP: usize = 4;

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// Readers of the file `writer` has open (its path as SQLite resolved it, so a relative
    /// `--db` means the same file whatever the working directory later).
    pub fn new(path: &Path, writer: &Connection) -> rusqlite::Result<Readers> {
        let path = writer
            .path()
            .filter(|p| !p.is_empty())
            .map_or_else(|| path.to_path_buf(), PathBuf::from);
        Ok(Readers {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Runs `read` on an idle reader (or a new one), then keeps the reader for the next.
    pub fn read<T, E: From<Error>>(
        &self,
        read: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => self.open().map_err(Error::from)?,
        };
        let result = read(&mut conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
        result
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        // NOTE: a reader waits only for a checkpoint's brief lock, never for a transaction.
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(conn)
    }
}
