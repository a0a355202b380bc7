//! The Parquet files a path names, in the order their rows apply: one file, or every
//! `.parquet` file under a directory (recursively, as Segment, RudderStack and Snowplow write
//! date-partitioned folders), sorted by path — the order DataFusion's scan reads them in, so
//! that a visitor whose events span files gets them in path order, then row order. Names
//! starting with `.` or `_` are skipped (`_SUCCESS`, `.part-0.parquet.crc`). Each file's
//! footer is read here: its row count for the progress bar, its schema to refuse a column
//! naming the file.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::parquet::arrow::parquet_to_arrow_schema;
use datafusion::parquet::file::metadata::ParquetMetaDataReader;

use super::columns::Columns;

#[derive(Debug, Clone)]
pub struct File {
    /// The path as found under the one given, for messages.
    pub shown: Arc<str>,
    /// The absolute path: what DataFusion's scan sorts and names files by.
    pub absolute: String,
    pub rows: u64,
}

/// Every Parquet file of `path`, sorted, each with its row count; its schema checked.
pub fn list(path: &Path) -> Result<Vec<File>, String> {
    let mut paths = Vec::new();
    if path.is_dir() {
        walk(path, &mut paths).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
        if paths.is_empty() {
            return Err(format!(
                "{} holds no .parquet file (names starting with . or _ are skipped)",
                path.display()
            ));
        }
    } else {
        paths.push(path.to_path_buf());
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let absolute = std::fs::canonicalize(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let shown: Arc<str> = Arc::from(path.display().to_string());
        let (rows, schema) = footer(&path).map_err(|e| format!("{shown}: {e}"))?;
        if let Err(refused) = Columns::of(&schema) {
            let lines: Vec<String> = refused
                .iter()
                .map(|r| format!("{shown}: {}", r.message))
                .collect();
            return Err(format!(
                "{}\n(the columns and types a history may have: docs/warehouse.md)",
                lines.join("\n")
            ));
        }
        files.push(File {
            shown,
            absolute: absolute.display().to_string(),
            rows,
        });
    }
    files.sort_by(|a, b| a.absolute.cmp(&b.absolute));
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if name.to_ascii_lowercase().ends_with(".parquet") {
            out.push(path);
        }
    }
    Ok(())
}

/// The file's row count and Arrow schema, from its footer alone.
fn footer(path: &Path) -> Result<(u64, Schema), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&file)
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    let meta = metadata.file_metadata();
    let schema = parquet_to_arrow_schema(meta.schema_descr(), meta.key_value_metadata())
        .map_err(|e| format!("its schema has no Arrow form: {e}"))?;
    Ok((u64::try_from(meta.num_rows()).unwrap_or(0), schema))
}
