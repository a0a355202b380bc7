//! Keys the collector makes for itself: random, made once, kept in the store.
use rand::RngCore;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::Store;

impl Store {
    /// The 32-byte key named `name`, made (at random) the first time it is asked for.
    pub fn key(&self, name: &str) -> rusqlite::Result<[u8; 32]> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM keys WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .optional()?;
        if let Some(key) = stored.and_then(|v| <[u8; 32]>::try_from(v).ok()) {
            return Ok(key);
        }
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        tx.execute(
            "INSERT OR REPLACE INTO keys (name, value) VALUES (?1, ?2)",
            params![name, key.as_slice()],
        )?;
        tx.commit()?;
        Ok(key)
    }
}
