//! `leadpulse export`: a JSONL history written as Parquet, one column per contract field
//! (docs/warehouse.md) — the warehouse form `replay`, `fit` and `compare` read, so that a
//! history can be checked or benchmarked in both forms. Lines are written in order (rows in
//! file order; with `--files N`, consecutive runs of lines per file, in path order), so the
//! Parquet history applies its events in the JSONL file's order. A line a column cannot hold
//! is reported and left out (exit 1); every other line is written as it is, valid or not.
pub mod batch;
pub mod line;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::json::reader::infer_json_schema_from_iterator;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;

pub use batch::Nested;
use line::Line;

use crate::output::Output;
use crate::replay::lines::{Line as Text, Lines};

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when every line was written; 1 when some lines were \
    left out (each is reported on stderr: a top-level field that is not a string, a \
    timestamp that is not a time, a part that is not an object with --nested struct); 2 \
    when nothing could be written."
)]
pub struct Options {
    /// JSONL events, one per line (`-` reads standard input, with --nested json and one file).
    events: PathBuf,
    /// Where to write: a Parquet file, or with --files a directory (created if missing).
    #[arg(long, short)]
    out: PathBuf,
    /// How `properties`, `traits` and `context` are stored.
    #[arg(long, value_enum, default_value_t = Nested::Json)]
    nested: Nested,
    /// Write this many files, `part-00000.parquet` …, each a run of consecutive lines.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    files: Option<u32>,
    /// Rows per Parquet row group.
    #[arg(long, value_name = "N", default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    row_group_rows: u64,
}

/// Lines converted at a time.
const CHUNK: usize = 16 * 1024;

pub fn run(options: Options) -> ExitCode {
    match export(&options) {
        Ok((written, 0)) => {
            eprintln!(
                "leadpulse export: {written} row(s) → {}",
                options.out.display()
            );
            ExitCode::SUCCESS
        }
        Ok((written, skipped)) => {
            eprintln!(
                "leadpulse export: {written} row(s) → {}; {skipped} line(s) left out",
                options.out.display()
            );
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("leadpulse export: {message}");
            ExitCode::from(2)
        }
    }
}

/// (rows written, lines left out).
fn export(options: &Options) -> Result<(u64, u64), String> {
    let stdin = options.events == Path::new("-");
    let files = options.files.unwrap_or(1);
    if stdin && (files > 1 || options.nested == Nested::Struct) {
        return Err(
            "--files and --nested struct read the history twice: give a file, not -".into(),
        );
    }
    // A first pass when the rows per file or the struct types must be known before writing.
    let (rows, structs) = if files > 1 || options.nested == Nested::Struct {
        survey(&options.events, options.nested)?
    } else {
        (0, None)
    };
    let schema = batch::schema(options.nested, structs.as_ref());
    let per_file = rows.div_ceil(u64::from(files)).max(1);
    let targets: Vec<PathBuf> = match options.files {
        None => vec![options.out.clone()],
        Some(n) => {
            std::fs::create_dir_all(&options.out)
                .map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
            (0..n)
                .map(|i| options.out.join(format!("part-{i:05}.parquet")))
                .collect()
        }
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(usize::try_from(options.row_group_rows).ok())
        .build();
    let mut writer = Writer {
        schema,
        props,
        nested: options.nested,
        targets: targets.into_iter(),
        open: None,
        done: Vec::new(),
        in_file: 0,
        per_file,
    };
    let name = options.events.display();
    let mut input = Lines::open(&options.events).map_err(|e| format!("cannot read {name}: {e}"))?;
    let (mut chunk, mut written, mut skipped) = (Vec::with_capacity(CHUNK), 0u64, 0u64);
    let bar = crate::progress::bar("export", (rows > 0).then_some(rows), false);
    while let Some((number, text)) = input
        .next_line()
        .map_err(|e| format!("reading {name}: {e}"))?
    {
        let parsed = match text {
            Text::Text(text) => Line::parse(text).and_then(|line| match (line, options.nested) {
                (Some(line), Nested::Struct) => batch::parts_object(&line).map(|_| Some(line)),
                (line, _) => Ok(line),
            }),
            Text::Invalid(why) => Err(why),
        };
        match parsed {
            Ok(None) => {}
            Ok(Some(line)) => {
                chunk.push(line);
                if chunk.len() == CHUNK || writer.room() == chunk.len() as u64 {
                    written += writer.write(&mut chunk)?;
                    bar.set_position(written);
                }
            }
            Err(why) => {
                skipped += 1;
                bar.suspend(|| eprintln!("{name}: line {number}: {why}; left out"));
            }
        }
    }
    written += writer.write(&mut chunk)?;
    bar.finish_and_clear();
    writer.finish()?;
    Ok((written, skipped))
}

/// Lines that will be written, and (struct mode) the nested parts' schema.
fn survey(path: &Path, nested: Nested) -> Result<(u64, Option<Schema>), String> {
    let name = path.display();
    let mut input = Lines::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut rows = 0u64;
    let mut objects = Vec::new();
    while let Some((_, text)) = input
        .next_line()
        .map_err(|e| format!("reading {name}: {e}"))?
    {
        let Text::Text(text) = text else { continue };
        let Ok(Some(line)) = Line::parse(text) else {
            continue;
        };
        if nested == Nested::Struct {
            let Ok(object) = batch::parts_object(&line) else {
                continue;
            };
            objects.push(object);
        }
        rows += 1;
    }
    if nested == Nested::Json {
        return Ok((rows, None));
    }
    let schema = infer_json_schema_from_iterator(objects.iter().map(Ok))
        .map_err(|e| format!("{name}: no struct types for its nested parts: {e}"))?;
    Ok((rows, Some(schema)))
}

/// The files being written, in turn.
struct Writer {
    schema: SchemaRef,
    props: WriterProperties,
    nested: Nested,
    targets: std::vec::IntoIter<PathBuf>,
    open: Option<ArrowWriter<Output>>,
    done: Vec<Output>,
    in_file: u64,
    per_file: u64,
}

impl Writer {
    /// Whether the next row starts a new file.
    fn turns(&self) -> bool {
        self.open.is_none() || (self.in_file >= self.per_file && self.targets.len() > 0)
    }

    /// Rows the file the next row goes to still takes (the last file: no limit).
    fn room(&self) -> u64 {
        if self.turns() {
            return self.per_file;
        }
        if self.targets.len() == 0 {
            return u64::MAX;
        }
        self.per_file.saturating_sub(self.in_file)
    }

    /// Writes `lines` (emptied), moving to the next file when this one is full.
    fn write(&mut self, lines: &mut Vec<Line>) -> Result<u64, String> {
        let count = lines.len() as u64;
        if lines.is_empty() {
            if self.open.is_none() && self.done.is_empty() {
                self.next()?;
            }
            return Ok(0);
        }
        if self.turns() {
            self.next()?;
        }
        let batch = batch::build(lines, &self.schema, self.nested).map_err(|e| {
            format!("cannot build the columns (with --nested struct, a member needs one type throughout: try --nested json): {e}")
        })?;
        if let Some(writer) = self.open.as_mut() {
            writer
                .write(&batch)
                .map_err(|e| format!("cannot write Parquet: {e}"))?;
        }
        self.in_file += count;
        lines.clear();
        Ok(count)
    }

    fn next(&mut self) -> Result<(), String> {
        self.close()?;
        let Some(path) = self.targets.next() else {
            return Err("more rows than the files were sized for".into());
        };
        let output = Output::create(&path)?;
        let writer = ArrowWriter::try_new(output, self.schema.clone(), Some(self.props.clone()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.open = Some(writer);
        self.in_file = 0;
        Ok(())
    }

    fn close(&mut self) -> Result<(), String> {
        if let Some(writer) = self.open.take() {
            let output = writer
                .into_inner()
                .map_err(|e| format!("cannot finish a Parquet file: {e}"))?;
            self.done.push(output);
        }
        Ok(())
    }

    /// Closes the last file, writes the files never reached (empty) and puts all in place.
    fn finish(mut self) -> Result<(), String> {
        self.close()?;
        while self.targets.len() > 0 {
            self.next()?;
            self.close()?;
        }
        for output in self.done {
            output.commit()?;
        }
        Ok(())
    }
}
