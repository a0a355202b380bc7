//! A row of the warehouse table as the core's event: each mapped cell becomes the field's
//! JSON value in a `RawEvent`, which the core's one event reader checks (`RawEvent::check`),
//! so a bad row is refused with the same JSON path and message as the same event on a JSONL
//! line. Only what Parquet adds is decided here: how a typed cell reads (columns.rs) and
//! cells that cannot be read at all (JSON text that is not JSON, an oversized struct).
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, UInt64Type};
use datafusion::error::Result as DfResult;
use leadpulse::core::event::{Defaults, Event, EventError, RawEvent};
use leadpulse::core::json::{Bounded, Limits, ProblemKind, Value};
use leadpulse::core::time::{self, Millis};
use serde::de::DeserializeSeed;

use super::cells::{self, string, Budget, CellError};
use super::columns::{Columns, Field, Kind};

/// One field's column in a batch, ready to read row by row.
struct Cells {
    array: ArrayRef,
    kind: Kind,
    field: Field,
}

/// A batch's columns, in [`Field::ALL`] order (`None`: the table has no such column).
pub struct Rows {
    cells: Vec<Option<Cells>>,
}

impl Rows {
    /// `arrays` holds one array per field of [`Field::ALL`], the absent ones as nulls.
    pub fn new(columns: &Columns, arrays: &[ArrayRef]) -> DfResult<Rows> {
        let mut cells = Vec::with_capacity(Field::ALL.len());
        for (field, array) in Field::ALL.iter().zip(arrays) {
            let Some(column) = columns.get(*field) else {
                cells.push(None);
                continue;
            };
            // NOTE: dictionaries (rare in exports) are unpacked once per batch, so that each
            // cell is read from plain strings.
            let array = match array.data_type() {
                DataType::Dictionary(_, values) => cast(array, values)?,
                _ => array.clone(),
            };
            cells.push(Some(Cells {
                array,
                kind: column.kind.clone(),
                field: *field,
            }));
        }
        Ok(Rows { cells })
    }

    /// The event in `row`, or the first problem with its JSON path.
    pub fn event(&self, row: usize) -> Result<Event, EventError> {
        let mut raw = RawEvent::default();
        for cells in self.cells.iter().flatten() {
            let value = cells.read(row).map_err(|e| EventError {
                path: e.path,
                kind: ProblemKind::Type,
                message: e.message,
            })?;
            let slot = match cells.field {
                Field::Type => &mut raw.kind,
                Field::AnonymousId => &mut raw.anonymous_id,
                Field::UserId => &mut raw.user_id,
                Field::Timestamp => &mut raw.timestamp,
                Field::MessageId => &mut raw.message_id,
                Field::Event => &mut raw.event,
                Field::Properties => &mut raw.properties,
                Field::Traits => &mut raw.traits,
                Field::Context => &mut raw.context,
            };
            *slot = value;
        }
        raw.check(Defaults::default())
    }
}

/// The time in a `timestamp` cell as the event reader will take it (`None`: absent, or not a
/// time the reader accepts).
pub fn time(kind: &Kind, array: &dyn Array, row: usize) -> Option<Millis> {
    let ms = match read(kind, Field::Timestamp.name(), array, row).ok()?? {
        Value::Number(ms) => (ms.fract() == 0.0).then_some(ms as Millis),
        Value::String(text) => time::parse_iso(&text),
        _ => None,
    }?;
    (time::FIRST_EVENT..=time::MAX_TIME)
        .contains(&ms)
        .then_some(ms)
}

impl Cells {
    fn read(&self, row: usize) -> Result<Option<Value>, CellError> {
        read(&self.kind, self.field.name(), self.array.as_ref(), row)
    }
}

/// A field's value in `row`; `None` for null (an absent field, as in JSON).
fn read(
    kind: &Kind,
    path: &str,
    array: &dyn Array,
    row: usize,
) -> Result<Option<Value>, CellError> {
    if array.is_null(row) {
        return Ok(None);
    }
    let value = match kind {
        Kind::Text => string(array, row).map(|s| Value::String(s.to_string())),
        Kind::Millis => array
            .as_primitive_opt::<Int64Type>()
            .map(|a| a.value(row) as f64)
            .or_else(|| {
                array
                    .as_primitive_opt::<UInt64Type>()
                    .map(|a| a.value(row) as f64)
            })
            .map(Value::Number),
        Kind::Float => array
            .as_primitive_opt::<Float64Type>()
            .map(|a| Value::Number(a.value(row))),
        Kind::Instant(unit) => cells::millis(array, *unit, row).map(|ms| Value::Number(ms as f64)),
        Kind::Json => return string(array, row).map_or(Ok(None), |text| json(text, path)),
        Kind::Nested => Some(cells::value(array, row, path, 0, &mut Budget::new())?),
    };
    match value {
        Some(value) => Ok(Some(value)),
        None => Err(CellError {
            path: path.to_string(),
            message: format!(
                "a {} cell where the schema promised otherwise",
                array.data_type()
            ),
        }),
    }
}

/// A JSON text cell, read like the same part of a JSONL line (bounded alike); empty text is
/// an absent part, as warehouses write one.
fn json(text: &str, path: &str) -> Result<Option<Value>, CellError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = Bounded::new(Limits::EVENT_PART)
        .deserialize(&mut reader)
        .and_then(|v| reader.end().map(|()| v))
        .map_err(|e| CellError {
            path: path.to_string(),
            message: format!("not JSON text: {e}"),
        })?;
    Ok((!value.is_null()).then_some(value))
}
