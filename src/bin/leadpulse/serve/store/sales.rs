//! What the site may learn of a lead: its visitor (to check a status token against) and where
//! sales has it.
use rusqlite::OptionalExtension;

use super::Store;

/// A lead as the status answer needs it.
pub struct SalesView {
    pub visitor: String,
    pub status: String,
    pub owner: Option<String>,
}

impl Store {
    pub fn sales_view(&self, lead: i64) -> rusqlite::Result<Option<SalesView>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT visitor, status, owner FROM leads WHERE id = ?1 AND trust != 'rejected'",
                [lead],
                |row| {
                    Ok(SalesView {
                        visitor: row.get(0)?,
                        status: row.get(1)?,
                        owner: row.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    /// The lead of `visitor`, for the edge (which asks by the visitor id it holds).
    pub fn lead_of_visitor(&self, visitor: &str) -> rusqlite::Result<Option<i64>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id FROM leads WHERE visitor = ?1",
                [visitor],
                |row| row.get(0),
            )
            .optional()
        })
    }
}
