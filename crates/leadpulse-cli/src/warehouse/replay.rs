//! `leadpulse replay` on Parquet: the scan (one partition, history order), hash-partitioned by
//! visitor over every core, and [`super::score`]'s aggregate on each partition — the plan is
//! written out here rather than left to the optimizer, because the aggregate must see each
//! visitor's rows in history order and whole (`AggregateMode::SinglePartitioned`, no partial
//! state). The lines are then printed in the order of each visitor's first event, as the
//! JSONL replay prints them, so both inputs give the same bytes.
//!
//! Snapshots are read at `--at`, else at the latest applied event's time. That time is known
//! only once every row was read, so a first cheap scan of the timestamp column alone finds
//! the latest time the event reader would accept; if the latest *applied* event turns out to
//! be earlier (the latest row was refused), the visitors are scored again at that time.
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Int64Type, UInt32Type, UInt64Type};
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::AggregateUDF;
use datafusion::physical_expr::aggregate::AggregateExprBuilder;
use datafusion::physical_expr::expressions::col;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode, PhysicalGroupBy};
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{collect_partitioned, ExecutionPlan, Partitioning};
use futures_util::StreamExt;
use leadpulse::core::model::Model;
use leadpulse::core::time::Millis;

use super::columns::Field;
use super::scan::{self, Scan, FILE, ROW, VISITOR};
use super::score::{ScoreVisitors, Setup};
use crate::window::Window;

pub struct Request<'a> {
    pub model: Arc<Model>,
    pub at: Option<Millis>,
    pub window: Window,
    pub threads: Option<u16>,
    pub path: &'a Path,
}

/// One visitor's result.
struct Scored {
    first: Option<(u32, u64)>,
    latest: Option<Millis>,
    line: Option<String>,
    rows: u64,
}

/// A refused row: (file, row), why.
type Refused = ((u32, u64), String);

pub fn run(request: Request) -> ExitCode {
    let threads = request.threads.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("leadpulse replay: cannot start {threads} threads: {e}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let name = request.path.display().to_string();
    let (scan, visitors, refused) = match runtime.block_on(replay(&request, threads)) {
        Ok(result) => result,
        Err(message) => {
            eprintln!("leadpulse replay: {message}");
            return ExitCode::from(2);
        }
    };
    let names = scan::names(&scan.files);
    for ((file, row), why) in &refused {
        let shown = names.get(*file as usize).map_or(name.as_str(), |n| n);
        eprintln!("{shown}: row {row}: {why}");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in visitors.iter().filter_map(|v| v.line.as_deref()) {
        if out.write_all(line.as_bytes()).is_err() || out.write_all(b"\n").is_err() {
            // NOTE: a closed pipe (`| head`) is not an error worth a message.
            return ExitCode::FAILURE;
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    eprintln!(
        "leadpulse replay: {} row(s) in {} file(s), {} visitor(s), {} rejected, in {:.2} s on {threads} thread(s)",
        visitors.iter().map(|v| v.rows).sum::<u64>(),
        scan.files.len(),
        visitors.iter().filter(|v| v.line.is_some()).count(),
        refused.len(),
        started.elapsed().as_secs_f64()
    );
    if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn replay(
    request: &Request<'_>,
    threads: usize,
) -> Result<(Scan, Vec<Scored>, Vec<Refused>), String> {
    let name = request.path.display();
    let scan = Scan::open(request.path).await?;
    let mut at = match request.at {
        Some(at) => at,
        None => latest(&scan, request.window)
            .await
            .map_err(|e| format!("reading {name}: {e}"))?
            .unwrap_or(0),
    };
    loop {
        let bar = crate::progress::bar("replay", Some(scan.rows()), false);
        let setup = Arc::new(Setup {
            model: request.model.clone(),
            columns: scan.columns.clone(),
            files: scan.file_index(),
            window: request.window,
            at,
            progress: bar.clone(),
        });
        let scored = score(&scan, setup, threads)
            .await
            .map_err(|e| format!("reading {name}: {e}"))?;
        bar.finish_and_clear();
        let (mut visitors, mut refused) = scored;
        let applied = visitors.iter().filter_map(|v| v.latest).max().unwrap_or(0);
        if request.at.is_none() && applied != at {
            // The latest row was refused: read the snapshots at the latest applied event.
            at = applied;
            continue;
        }
        visitors.sort_by_key(|v| v.first);
        refused.sort();
        return Ok((scan, visitors, refused));
    }
}

/// The latest time in the window that the event reader would accept, from the timestamp
/// column alone.
async fn latest(scan: &Scan, window: Window) -> DfResult<Option<Millis>> {
    let (Some(frame), Some(column)) = (scan.times(window)?, scan.columns.get(Field::Timestamp))
    else {
        return Ok(None);
    };
    let mut stream = frame.execute_stream().await?;
    let mut latest = None;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let Some(times) = batch.columns().first() else {
            continue;
        };
        for row in 0..times.len() {
            if let Some(t) = super::rows::time(&column.kind, times.as_ref(), row) {
                if window.contains(t) {
                    latest = latest.max(Some(t));
                }
            }
        }
    }
    Ok(latest)
}

/// The plan: scan → repartition by visitor (hash, `threads` partitions) → the scoring
/// aggregate on each partition, all partitions at once.
async fn score(
    scan: &Scan,
    setup: Arc<Setup>,
    threads: usize,
) -> DfResult<(Vec<Scored>, Vec<Refused>)> {
    let input = scan.events(setup.window)?.create_physical_plan().await?;
    let schema = input.schema();
    let visitor = col(VISITOR, &schema)?;
    let partitioned: Arc<dyn ExecutionPlan> = Arc::new(RepartitionExec::try_new(
        input,
        Partitioning::Hash(vec![visitor.clone()], threads),
    )?);
    let mut args: Vec<Arc<dyn PhysicalExpr>> = Vec::new();
    for name in Field::ALL.iter().map(|f| f.name()).chain([FILE, ROW]) {
        args.push(col(name, &schema)?);
    }
    let udaf = Arc::new(AggregateUDF::new_from_impl(ScoreVisitors::new(setup)));
    let aggregate = AggregateExprBuilder::new(udaf, args)
        .schema(schema.clone())
        .alias("scored")
        .build()?;
    let plan = Arc::new(AggregateExec::try_new(
        AggregateMode::SinglePartitioned,
        PhysicalGroupBy::new_single(vec![(visitor, VISITOR.to_string())]),
        vec![Arc::new(aggregate)],
        vec![None],
        partitioned,
        schema,
    )?);
    let partitions = collect_partitioned(plan, scan.ctx.task_ctx()).await?;
    let (mut visitors, mut refused) = (Vec::new(), Vec::new());
    for batch in partitions.iter().flatten() {
        let Some(result) = batch.columns().get(1).and_then(|c| c.as_struct_opt()) else {
            continue;
        };
        read(result, &mut visitors, &mut refused);
    }
    Ok((visitors, refused))
}

/// The aggregate's struct column (score::fields) as results.
fn read(
    result: &datafusion::arrow::array::StructArray,
    visitors: &mut Vec<Scored>,
    refused: &mut Vec<Refused>,
) {
    let column = |i: usize| result.columns().get(i);
    let first_file = column(0).and_then(|c| c.as_primitive_opt::<UInt32Type>());
    let first_row = column(1).and_then(|c| c.as_primitive_opt::<UInt64Type>());
    let latest = column(2).and_then(|c| c.as_primitive_opt::<Int64Type>());
    let line = column(3).and_then(|c| c.as_string_opt::<i32>());
    let rows = column(4).and_then(|c| c.as_primitive_opt::<UInt64Type>());
    let files = column(5).and_then(|c| c.as_list_opt::<i32>());
    let row_numbers = column(6).and_then(|c| c.as_list_opt::<i32>());
    let whys = column(7).and_then(|c| c.as_list_opt::<i32>());
    let (
        Some(first_file),
        Some(first_row),
        Some(latest),
        Some(line),
        Some(rows),
        Some(files),
        Some(row_numbers),
        Some(whys),
    ) = (
        first_file,
        first_row,
        latest,
        line,
        rows,
        files,
        row_numbers,
        whys,
    )
    else {
        return;
    };
    let some = |valid: bool| valid.then_some(());
    for i in 0..result.len() {
        visitors.push(Scored {
            first: some(first_file.is_valid(i) && first_row.is_valid(i))
                .map(|()| (first_file.value(i), first_row.value(i))),
            latest: some(latest.is_valid(i)).map(|()| latest.value(i)),
            line: some(line.is_valid(i)).map(|()| line.value(i).to_string()),
            rows: rows.value(i),
        });
        let (f, r, w) = (files.value(i), row_numbers.value(i), whys.value(i));
        if let (Some(f), Some(r), Some(w)) = (
            f.as_primitive_opt::<UInt32Type>(),
            r.as_primitive_opt::<UInt64Type>(),
            w.as_string_opt::<i32>(),
        ) {
            for j in 0..f.len().min(r.len()).min(w.len()) {
                refused.push(((f.value(j), r.value(j)), w.value(j).to_string()));
            }
        }
    }
}
