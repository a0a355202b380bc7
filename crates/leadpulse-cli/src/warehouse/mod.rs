//! Warehouse histories (docs/warehouse.md): Parquet files and directories read through Apache
//! DataFusion, one column per contract field, each row checked by the core's event reader.
//!
//! - `files`: which files a path names, in the order their rows apply;
//! - `columns`: which columns hold which contract field, and whether their types can;
//! - `cells`, `rows`: a row's cells as the core's event (`RawEvent` → `check`);
//! - `scan`: the DataFusion scan (projection, `--from/--to` pushed down, file and row of
//!   each event);
//! - `score`: the user-defined aggregate that scores one visitor's events with the engine;
//! - `replay`: `leadpulse replay` on Parquet: scan → partition by visitor → score, every core;
//! - `ordered`: the rows in file order for `fit`, `compare` and `validate --against`, which
//!   replay through the same loop as JSONL;
//! - `export`: `leadpulse export`, JSONL → Parquet.
mod cells;
mod columns;
pub mod export;
mod files;
pub mod ordered;
#[cfg(test)]
mod properties;
pub mod replay;
mod rows;
mod scan;
mod score;
