//! The DataFusion scan of a warehouse history: every Parquet file of the path, the contract's
//! columns projected (a missing one as nulls), each row's file and row number, the visitor key
//! (`anonymousId`, else `userId`) and the `--from/--to` window as a filter DataFusion pushes
//! into the Parquet reader (row groups whose statistics rule them out are not read).
//!
//! NOTE: the scan is one partition: the files in path order, each in row order. That order
//! is the history's (events apply in it, as a JSONL file's lines do); the work across cores
//! comes after it, partitioned by visitor (`replay`). Decoding Parquet is a small part of a
//! replay (benches/README.md, "Parquet replay"), so one reading thread keeps up.
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::error::Result as DfResult;
use datafusion::functions::core::expr_fn::{coalesce, file_row_index, input_file_name};
use datafusion::prelude::{ident, lit, Expr, ParquetReadOptions, SessionConfig, SessionContext};
use leadpulse::core::time::Millis;

use super::columns::{Columns, Field, Kind};
use super::files::{self, File};
use crate::window::Window;

/// Column names the scan adds.
pub const FILE: &str = "__leadpulse_file";
pub const ROW: &str = "__leadpulse_row";
pub const VISITOR: &str = "__leadpulse_visitor";

pub struct Scan {
    pub ctx: SessionContext,
    pub files: Vec<File>,
    pub columns: Columns,
    table: DataFrame,
    /// The timestamp column's Arrow type, for literals of the same type.
    time_type: Option<DataType>,
}

impl Scan {
    pub async fn open(path: &Path) -> Result<Scan, String> {
        let files = files::list(path)?;
        let config = SessionConfig::new()
            .with_target_partitions(1)
            .with_repartition_file_scans(false)
            .with_round_robin_repartition(false);
        let ctx = SessionContext::new_with_config(config);
        let paths: Vec<String> = files.iter().map(|f| f.absolute.clone()).collect();
        // NOTE: no extension filter: the files were chosen by `files::list` (a file without
        // `.parquet` is read when it starts with Parquet's magic bytes).
        let options = ParquetReadOptions {
            file_extension: "",
            ..Default::default()
        };
        let shown = path.display();
        let table = ctx
            .read_parquet(paths, options)
            .await
            .map_err(|e| format!("{shown}: {e}"))?;
        let schema = table.schema().as_arrow().clone();
        let columns = Columns::of(&schema).map_err(|refused| {
            let lines: Vec<String> = refused.iter().map(|r| r.message.clone()).collect();
            format!("{shown}: {}", lines.join("; "))
        })?;
        let time_type = columns.get(Field::Timestamp).and_then(|c| {
            schema
                .field_with_name(&c.name)
                .ok()
                .map(|f| f.data_type().clone())
        });
        Ok(Scan {
            ctx,
            files,
            columns,
            table,
            time_type,
        })
    }

    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// File path (as DataFusion names it) → index in [`Scan::files`].
    pub fn file_index(&self) -> HashMap<String, u32> {
        let mut index = HashMap::new();
        for (i, file) in self.files.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            index.insert(file.absolute.clone(), i);
            index.insert(file.absolute.trim_start_matches('/').to_string(), i);
        }
        index
    }

    /// The contract's fields ([`Field::ALL`] order, named as in the contract), then the
    /// visitor key, the file and the row of each event; only rows `window` may keep.
    pub fn events(&self, window: Window) -> DfResult<DataFrame> {
        let mut select: Vec<Expr> = Field::ALL
            .iter()
            .map(|field| match self.columns.get(*field) {
                Some(column) => ident(&column.name).alias(field.name()),
                None => lit(ScalarValue::Null).alias(field.name()),
            })
            .collect();
        let keys: Vec<Expr> = [Field::AnonymousId, Field::UserId]
            .iter()
            .filter_map(|f| self.columns.get(*f))
            .map(|c| ident(&c.name))
            .collect();
        let visitor = match keys.len() {
            1 => keys.into_iter().next().unwrap_or(lit(ScalarValue::Null)),
            _ => coalesce(keys),
        };
        select.push(visitor.alias(VISITOR));
        select.push(input_file_name().alias(FILE));
        select.push(file_row_index().alias(ROW));
        let frame = self.table.clone().select(select)?;
        match self.filter(window) {
            Some(filter) => frame.filter(filter),
            None => Ok(frame),
        }
    }

    /// The timestamp column alone, within `window` as far as the scan can tell.
    pub fn times(&self, window: Window) -> DfResult<Option<DataFrame>> {
        let Some(column) = self.columns.get(Field::Timestamp) else {
            return Ok(None);
        };
        let frame = self
            .table
            .clone()
            .select(vec![ident(&column.name).alias(Field::Timestamp.name())])?;
        Ok(Some(match self.filter(window) {
            Some(filter) => frame.filter(filter)?,
            None => frame,
        }))
    }

    /// The window as a predicate on the timestamp column, where its type lets the Parquet
    /// reader use it: rows whose timestamp is null pass (the event reader reports them), and
    /// the exact window is applied again to each event read (an ISO-8601 text column is
    /// filtered there only).
    fn filter(&self, window: Window) -> Option<Expr> {
        let column = self.columns.get(Field::Timestamp)?;
        let data_type = self.time_type.as_ref()?;
        let bound = |ms: Millis| literal(&column.kind, data_type, ms);
        let ts = || ident(Field::Timestamp.name());
        let mut inside: Option<Expr> = None;
        if let Some(from) = window.from {
            inside = Some(ts().gt_eq(bound(from)?));
        }
        if let Some(to) = window.to {
            let below = ts().lt(bound(to)?);
            inside = Some(match inside {
                Some(e) => e.and(below),
                None => below,
            });
        }
        Some(ts().is_null().or(inside?))
    }
}

/// `ms` as a literal of the timestamp column's type, so that comparing it keeps the meaning
/// of the reader's conversion (which rounds finer units down to milliseconds).
fn literal(kind: &Kind, data_type: &DataType, ms: Millis) -> Option<Expr> {
    let value = match (kind, data_type) {
        (Kind::Millis, DataType::UInt64) => ScalarValue::UInt64(u64::try_from(ms).ok()),
        (Kind::Millis, _) => ScalarValue::Int64(Some(ms)),
        (Kind::Float, _) => ScalarValue::Float64(Some(ms as f64)),
        (Kind::Instant(unit), DataType::Timestamp(_, tz)) => {
            let tz = tz.clone();
            match unit {
                // floor(ms') ≥ ms ⟺ s·1000 ≥ ms ⟺ s ≥ ⌈ms / 1000⌉ (and likewise for <).
                TimeUnit::Second => ScalarValue::TimestampSecond(
                    Some(ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0)),
                    tz,
                ),
                TimeUnit::Millisecond => ScalarValue::TimestampMillisecond(Some(ms), tz),
                TimeUnit::Microsecond => {
                    ScalarValue::TimestampMicrosecond(ms.checked_mul(1000), tz)
                }
                TimeUnit::Nanosecond => {
                    ScalarValue::TimestampNanosecond(ms.checked_mul(1_000_000), tz)
                }
            }
        }
        _ => return None,
    };
    (!value.is_null()).then(|| lit(value))
}

/// Shared by the scan's users: the files' display names by index.
pub fn names(files: &[File]) -> Vec<Arc<str>> {
    files.iter().map(|f| f.shown.clone()).collect()
}
