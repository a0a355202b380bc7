//! The store's schema, versioned: numbered migrations (`migrations/V<n>__<what>.sql`, one file
//! per change) run at start, each in its own transaction, and recorded in the table
//! `refinery_schema_history`. A database the first release made (no history yet) is adopted
//! as version 1: V1 creates only what is missing. A database that a newer binary migrated
//! further is refused before anything touches it.
use rusqlite::Connection;

mod embedded {
    refinery::embed_migrations!("src/bin/leadpulse/serve/store/migrations");
}

/// The schema version this binary writes (the highest migration it carries).
pub fn current_version() -> i32 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| m.version())
        .max()
        .unwrap_or(0)
}

/// Brings `conn` to the current schema. Foreign keys must be off while it runs (a migration
/// may rebuild a table that others reference); the caller turns them on afterwards.
pub fn migrate(conn: &mut Connection) -> Result<(), String> {
    let ours = current_version();
    let theirs: Option<i32> = conn
        .query_row(
            "SELECT MAX(version) FROM refinery_schema_history",
            [],
            |row| row.get(0),
        )
        .unwrap_or(None);
    if let Some(theirs) = theirs.filter(|&v| v > ours) {
        return Err(format!(
            "the database has schema version {theirs}, newer than this leadpulse knows ({ours}): \
             it was upgraded by a later release. Run that release, or restore a backup made \
             before the upgrade (docs/collector.md, \"Upgrades and backups\")"
        ));
    }
    let report = embedded::migrations::runner()
        .run(conn)
        .map_err(|e| format!("migrating the schema failed (nothing of that step was kept): {e}"))?;
    for applied in report.applied_migrations() {
        tracing::info!("store: schema migrated to {applied}");
    }
    Ok(())
}
