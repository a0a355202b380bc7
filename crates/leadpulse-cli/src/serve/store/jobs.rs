//! Jobs that run on one collector at a time when several share a database (polling a CRM for
//! changes): a collector holds a job until a time, renews it while it runs, and another takes
//! it over once that time has passed (its holder stopped or died).
use super::db::Result;
use super::Store;

impl Store {
    /// Whether `holder` may run `name` now: it held it already, or nobody holds it (any more).
    /// If so, it holds it until `until`.
    pub fn claim_job(&self, name: &str, holder: &str, now: i64, until: i64) -> Result<bool> {
        self.write(|tx| {
            let held = tx.query_opt(
                "INSERT INTO jobs (name, holder, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
                 WHERE jobs.holder = excluded.holder OR jobs.until_ms <= ?4
                 RETURNING holder",
                &[&name, &holder, &until, &now],
            )?;
            Ok(held.is_some())
        })
    }
}
