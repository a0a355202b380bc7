//! The store's schema, versioned: numbered migrations run at start, each in its own
//! transaction, and recorded in the table `refinery_schema_history`. SQLite's are in
//! `migrations/`, PostgreSQL's in `postgres_migrations/` — the same schema at the same version
//! numbers, so a database is refused the same way on both when a newer binary migrated it.
//! A SQLite database the first release made (no history yet) is adopted as version 1: V1
//! creates only what is missing.
use postgres::Client;
use rusqlite::Connection;

mod sqlite_set {
    refinery::embed_migrations!("src/serve/store/migrations");
}

mod postgres_set {
    refinery::embed_migrations!("src/serve/store/postgres_migrations");
}

/// The schema version this binary writes (the highest migration it carries).
pub fn current_version() -> i32 {
    sqlite_set::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| m.version())
        .max()
        .unwrap_or(0)
}

fn refuse_newer(theirs: Option<i32>) -> Result<(), String> {
    let ours = current_version();
    match theirs.filter(|&v| v > ours) {
        Some(theirs) => Err(format!(
            "the database has schema version {theirs}, newer than this leadpulse knows ({ours}): \
             it was upgraded by a later release. Run that release, or restore a backup made \
             before the upgrade (docs/collector.md, \"Upgrades and backups\")"
        )),
        None => Ok(()),
    }
}

fn failed(e: refinery::Error) -> String {
    format!("migrating the schema failed (nothing of that step was kept): {e}")
}

/// Brings a SQLite file to the current schema. Foreign keys must be off while it runs (a
/// migration may rebuild a table that others reference); the caller turns them on afterwards.
pub fn sqlite(conn: &mut Connection) -> Result<(), String> {
    let theirs: Option<i32> = conn
        .query_row(
            "SELECT MAX(version) FROM refinery_schema_history",
            [],
            |row| row.get(0),
        )
        .unwrap_or(None);
    refuse_newer(theirs)?;
    let report = sqlite_set::migrations::runner().run(conn).map_err(failed)?;
    for applied in report.applied_migrations() {
        tracing::info!("store: schema migrated to {applied}");
    }
    Ok(())
}

/// The advisory lock (a session lock, one key) under which one collector at a time migrates.
const MIGRATION_LOCK: i64 = 0x4c50_4d49_4752; // "LPMIGR"

/// Brings a PostgreSQL database to the current schema. Collectors starting at once take turns
/// under an advisory lock: the first migrates, the others then find nothing to do.
pub fn postgres(client: &mut Client) -> Result<(), String> {
    let locked = |e: postgres::Error| format!("PostgreSQL: {e}");
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(locked)?;
    let result = postgres_locked(client);
    // NOTE: the lock also ends with the session, if this fails.
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    result
}

fn postgres_locked(client: &mut Client) -> Result<(), String> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )
        .and_then(|row| row.try_get(0))
        .map_err(|e| format!("PostgreSQL: {e}"))?;
    if exists {
        let theirs: Option<i32> = client
            .query_one("SELECT MAX(version) FROM refinery_schema_history", &[])
            .and_then(|row| row.try_get(0))
            .map_err(|e| format!("PostgreSQL: {e}"))?;
        refuse_newer(theirs)?;
    }
    let report = postgres_set::migrations::runner()
        .run(client)
        .map_err(failed)?;
    for applied in report.applied_migrations() {
        tracing::info!("store: schema migrated to {applied}");
    }
    Ok(())
}
