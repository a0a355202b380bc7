//! Keys the collector makes for itself: random, made once, kept in the store.
use rand::RngCore;

use super::db::Result;
use super::Store;

impl Store {
    /// The 32-byte key named `name`, made (at random) the first time it is asked for.
    pub fn key(&self, name: &str) -> Result<[u8; 32]> {
        self.write(|tx| {
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            // NOTE: DO NOTHING, then read: of collectors starting at once on an empty
            // database, the first key written is the one every one of them uses.
            tx.execute(
                "INSERT INTO keys (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                &[&name, &key.as_slice()],
            )?;
            let stored: Vec<u8> = tx.value("SELECT value FROM keys WHERE name = ?1", &[&name])?;
            if let Ok(stored) = <[u8; 32]>::try_from(stored) {
                return Ok(stored);
            }
            // A key of the wrong size (edited by hand) is replaced.
            tx.execute(
                "UPDATE keys SET value = ?2 WHERE name = ?1",
                &[&name, &key.as_slice()],
            )?;
            Ok(key)
        })
    }
}
