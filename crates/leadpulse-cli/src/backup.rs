//! `leadpulse backup --db DB OUT`: a consistent copy of the collector's SQLite file, taken
//! while `serve` runs (SQLite's online backup API), checked, then moved into place whole.
//! A PostgreSQL store is backed up with the database's own tools (docs/collector.md).
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

/// Copy the collector's SQLite file while `serve` runs: every change committed before the
/// backup began is in the copy (docs/collector.md, "Upgrades and backups").
#[derive(clap::Args)]
pub struct Options {
    /// The collector's SQLite file (`leadpulse serve --db`).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Where the copy goes: a new file (an existing one is not overwritten).
    #[arg(value_name = "OUT")]
    out: PathBuf,
}

/// Pages copied per step: 4 MiB at SQLite's default page size, so progress moves on a large
/// file while each step stays short.
const PAGES_PER_STEP: i32 = 1024;

pub fn run(options: Options) -> ExitCode {
    match backup(&options.db, &options.out) {
        Ok(pages) => {
            eprintln!(
                "leadpulse backup: {} → {} ({pages} pages, checked)",
                options.db.display(),
                options.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("leadpulse backup: {message}");
            ExitCode::from(2)
        }
    }
}

fn backup(db: &Path, out: &Path) -> Result<i32, String> {
    if !db.is_file() {
        return Err(format!("--db {}: no such file", db.display()));
    }
    if out.exists() {
        return Err(format!(
            "{} exists already: name a new file (a backup never overwrites one)",
            out.display()
        ));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let source = Connection::open_with_flags(db, flags)
        .map_err(|e| format!("--db {}: {e}", db.display()))?;
    source
        .busy_timeout(Duration::from_secs(5))
        .map_err(|e| e.to_string())?;
    // NOTE: one read transaction for the whole copy: in WAL mode it pins the snapshot of the
    // last commit, so the copy is consistent and the steps do not start over each time the
    // running collector commits (the backup API restarts when its source changes under it).
    source
        .execute_batch("BEGIN; SELECT COUNT(*) FROM sqlite_schema;")
        .map_err(|e| format!("--db {}: not a readable SQLite database: {e}", db.display()))?;
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // NOTE: written beside OUT under another name and renamed at the end, so OUT is either
    // the whole checked copy or absent (an interrupted backup leaves no half file behind).
    let partial = tempfile::Builder::new()
        .prefix(".leadpulse-backup-")
        .tempfile_in(&folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?;
    let pages = {
        let mut target = Connection::open(partial.path()).map_err(|e| e.to_string())?;
        let pages = copy(&source, &mut target)?;
        check(&target)?;
        pages
    };
    partial
        .persist_noclobber(out)
        .map_err(|e| format!("{}: {}", out.display(), e.error))?;
    Ok(pages)
}

/// Copies every page of `source` into `target`, showing progress on a terminal.
fn copy(source: &Connection, target: &mut Connection) -> Result<i32, String> {
    let backup = Backup::new(source, target).map_err(|e| e.to_string())?;
    let bar = crate::progress::bar("backup", None, true);
    loop {
        let step = backup
            .step(PAGES_PER_STEP)
            .map_err(|e| format!("copying: {e}"))?;
        let progress = backup.progress();
        let total = u64::try_from(progress.pagecount).unwrap_or(0);
        let done = total.saturating_sub(u64::try_from(progress.remaining).unwrap_or(0));
        bar.set_length(total * 4096);
        bar.set_position(done * 4096);
        match step {
            StepResult::Done => {
                bar.finish_and_clear();
                return Ok(progress.pagecount);
            }
            StepResult::More => {}
            // NOTE: only another process's write lock on the file causes these; wait for it.
            StepResult::Busy | StepResult::Locked => std::thread::sleep(Duration::from_millis(50)),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// `PRAGMA quick_check` on the copy: a backup that cannot be restored is no backup.
fn check(target: &Connection) -> Result<(), String> {
    let result: String = target
        .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
        .map_err(|e| format!("checking the copy: {e}"))?;
    if result == "ok" {
        Ok(())
    } else {
        Err(format!(
            "the copy failed its check ({result}): nothing written"
        ))
    }
}
