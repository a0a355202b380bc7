//! A Parquet history in history order (files by path, rows in order) as the batches of
//! checked events that `learn::history` applies — the same hand-over as a JSONL file's
//! reader thread (`replay::parse`), so `fit`, `compare` and `validate --against` run their
//! passes unchanged on either input, and give the same figures.
//!
//! NOTE: these passes apply every event on one thread, in the history's global order: fit's
//! signal collector numbers the names it meets in that order, so a per-visitor parallel pass
//! would have to reproduce it; `replay` is where the scoring runs on every core.
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use futures_util::StreamExt;

use super::rows::Rows;
use super::scan::{self, Scan};
use crate::replay::parse::{Parsed, Where, AHEAD, BATCH};
use crate::window::Window;

pub struct Ordered {
    runtime: tokio::runtime::Runtime,
    scan: Scan,
}

impl Ordered {
    /// Lists the files and checks their columns (an error names the file and the column).
    pub fn open(path: &Path) -> Result<Ordered, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the Parquet reader: {e}"))?;
        let scan = runtime.block_on(Scan::open(path))?;
        Ok(Ordered { runtime, scan })
    }

    pub fn rows(&self) -> u64 {
        self.scan.rows()
    }

    /// Starts the reader thread; batches arrive in history order.
    pub fn spawn<'scope>(
        self,
        scope: &'scope Scope<'scope, '_>,
        window: Window,
    ) -> (
        Receiver<Vec<Parsed>>,
        ScopedJoinHandle<'scope, Result<(), String>>,
    ) {
        let (send, receive) = sync_channel::<Vec<Parsed>>(AHEAD);
        let reader = scope.spawn(move || {
            let Ordered { runtime, scan } = self;
            let names = scan::names(&scan.files);
            let index = scan.file_index();
            runtime.block_on(async move {
                let frame = scan.events(window).map_err(|e| e.to_string())?;
                let width = frame.schema().fields().len();
                let mut stream = frame.execute_stream().await.map_err(|e| e.to_string())?;
                let mut batch = Vec::with_capacity(BATCH);
                let mut last: Option<(String, Arc<str>)> = None;
                while let Some(record) = stream.next().await {
                    let record = record.map_err(|e| e.to_string())?;
                    let columns = record.columns();
                    // The scan's columns: the 9 fields, the visitor key, the file, the row.
                    let (Some(fields), Some(files), Some(rows)) = (
                        columns.get(..9),
                        columns.get(width - 2),
                        columns
                            .get(width - 1)
                            .and_then(|c| c.as_primitive_opt::<Int64Type>()),
                    ) else {
                        return Err("the scan's columns are not as planned".to_string());
                    };
                    let events = Rows::new(&scan.columns, fields).map_err(|e| e.to_string())?;
                    for i in 0..record.num_rows() {
                        let file = super::cells::string(files.as_ref(), i).unwrap_or_default();
                        let shown = match &last {
                            Some((name, shown)) if name == file => shown.clone(),
                            _ => {
                                let shown = index
                                    .get(file)
                                    .and_then(|&i| names.get(i as usize))
                                    .cloned()
                                    .unwrap_or_else(|| Arc::from(file));
                                last = Some((file.to_string(), shown.clone()));
                                shown
                            }
                        };
                        let row = u64::try_from(rows.value(i)).unwrap_or(0).saturating_add(1);
                        let at = Where::Row { file: shown, row };
                        batch.push(match events.event(i) {
                            Ok(event) if !window.contains(event.time) => continue,
                            Ok(event) => Parsed::Event(at, event),
                            Err(problem) => Parsed::Rejected(at, problem.to_string()),
                        });
                        if batch.len() == BATCH {
                            // NOTE: a closed channel means the applier stopped: stop reading.
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if send.send(full).is_err() {
                                return Ok(());
                            }
                        }
                    }
                }
                let _ = send.send(batch);
                Ok(())
            })
        });
        (receive, reader)
    }
}
