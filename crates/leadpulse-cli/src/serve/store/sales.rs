//! What the site may learn of a lead: its visitor (to check a status token against) and where
//! sales has it.
use super::db::Result;
use super::Store;

/// A lead as the status answer needs it.
pub struct SalesView {
    pub visitor: String,
    pub status: String,
    pub owner: Option<String>,
}

impl Store {
    pub fn sales_view(&self, lead: i64) -> Result<Option<SalesView>> {
        self.read(|tx| {
            let row = tx.query_opt(
                "SELECT visitor, status, owner FROM leads WHERE id = ?1 AND trust != 'rejected'",
                &[&lead],
            )?;
            match row {
                Some(row) => Ok(Some(SalesView {
                    visitor: row.get(0)?,
                    status: row.get(1)?,
                    owner: row.get(2)?,
                })),
                None => Ok(None),
            }
        })
    }

    /// The lead of `visitor`, for the edge (which asks by the visitor id it holds).
    pub fn lead_of_visitor(&self, visitor: &str) -> Result<Option<i64>> {
        self.read(|tx| {
            match tx.query_opt("SELECT id FROM leads WHERE visitor = ?1", &[&visitor])? {
                Some(row) => Ok(Some(row.get(0)?)),
                None => Ok(None),
            }
        })
    }
}
