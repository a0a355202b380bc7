//! Lines as an Arrow record batch with the columns docs/warehouse.md lists: the top-level
//! fields as strings, `timestamp` as a UTC millisecond timestamp, and the nested parts as JSON
//! text or, with `--nested struct`, as structs of the types inferred over the whole history
//! (arrow-json's inference: one type per member, a struct per object).
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringBuilder, TimestampMillisecondBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::json::ReaderBuilder;
use serde_json::{Map, Value};

use super::line::{Line, PARTS};

/// How the nested parts are stored.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nested {
    /// A string column of JSON text each (what most warehouse exports have).
    Json,
    /// A struct column each, its members inferred from the whole history.
    Struct,
}

const TEXT: [&str; 3] = ["type", "anonymousId", "userId"];
const TEXT_AFTER: [&str; 2] = ["messageId", "event"];

fn utc() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The file's schema; `structs` is the nested parts' inferred schema (struct mode).
pub fn schema(nested: Nested, structs: Option<&Schema>) -> SchemaRef {
    let mut fields: Vec<Field> = TEXT
        .iter()
        .map(|n| Field::new(*n, DataType::Utf8, true))
        .collect();
    fields.push(Field::new("timestamp", utc(), true));
    fields.extend(
        TEXT_AFTER
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, true)),
    );
    for part in PARTS {
        match (nested, structs) {
            (Nested::Json, _) => fields.push(Field::new(part, DataType::Utf8, true)),
            (Nested::Struct, Some(s)) => {
                // NOTE: Parquet has no empty struct: a part that never had a member is left out.
                if let Ok(field) = s.field_with_name(part) {
                    if matches!(field.data_type(), DataType::Struct(f) if !f.is_empty()) {
                        fields.push(field.clone().with_nullable(true));
                    }
                }
            }
            (Nested::Struct, None) => {}
        }
    }
    Arc::new(Schema::new(fields))
}

/// The nested parts of a line as one object, for inference and decoding (struct mode); an
/// error when a part is not an object, which a struct column cannot hold.
pub fn parts_object(line: &Line) -> Result<Value, String> {
    let mut object = Map::new();
    for (part, value) in PARTS.iter().zip(&line.parts) {
        match value {
            None => {}
            Some(Value::Object(_)) => {
                object.insert(part.to_string(), value.clone().unwrap_or_default());
            }
            Some(_) => {
                return Err(format!(
                    "{part} is not an object; --nested struct holds objects only (--nested json holds any value)"
                ))
            }
        }
    }
    Ok(Value::Object(object))
}

/// `lines` as a batch of `schema`.
pub fn build(
    lines: &[Line],
    schema: &SchemaRef,
    nested: Nested,
) -> Result<RecordBatch, ArrowError> {
    let text = |get: &dyn Fn(&Line) -> Option<&str>| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(lines.len(), lines.len() * 16);
        for line in lines {
            b.append_option(get(line));
        }
        Arc::new(b.finish())
    };
    let mut columns: Vec<ArrayRef> = vec![
        text(&|l| l.kind.as_deref()),
        text(&|l| l.anonymous_id.as_deref()),
        text(&|l| l.user_id.as_deref()),
    ];
    let mut times = TimestampMillisecondBuilder::with_capacity(lines.len());
    for line in lines {
        times.append_option(line.timestamp);
    }
    columns.push(Arc::new(times.finish().with_timezone("UTC")));
    columns.push(text(&|l| l.message_id.as_deref()));
    columns.push(text(&|l| l.event.as_deref()));
    match nested {
        Nested::Json => {
            for i in 0..PARTS.len() {
                let mut b = StringBuilder::with_capacity(lines.len(), lines.len() * 32);
                for line in lines {
                    match line.parts.get(i).and_then(Option::as_ref) {
                        Some(value) => b.append_value(value.to_string()),
                        None => b.append_null(),
                    }
                }
                columns.push(Arc::new(b.finish()));
            }
        }
        Nested::Struct => columns.extend(structs(lines, schema)?),
    }
    RecordBatch::try_new(schema.clone(), columns)
}

/// The struct columns of `schema` (those after the six top-level ones), decoded by arrow-json.
fn structs(lines: &[Line], schema: &SchemaRef) -> Result<Vec<ArrayRef>, ArrowError> {
    let nested: Vec<Field> = schema
        .fields()
        .iter()
        .skip(TEXT.len() + 1 + TEXT_AFTER.len())
        .map(|f| f.as_ref().clone())
        .collect();
    if nested.is_empty() {
        return Ok(Vec::new());
    }
    let objects: Vec<Value> = lines
        .iter()
        .map(|l| parts_object(l).unwrap_or_default())
        .collect();
    let mut decoder = ReaderBuilder::new(Arc::new(Schema::new(nested)))
        .with_batch_size(lines.len().max(1))
        .build_decoder()?;
    decoder.serialize(&objects)?;
    Ok(decoder
        .flush()?
        .map(|batch| batch.columns().to_vec())
        .unwrap_or_default())
}
