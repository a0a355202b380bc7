//! One cell of a struct, map or list column as the core's JSON value, within the limits the
//! JSONL reader puts on an event's parts (`Limits::EVENT_PART`, `MAX_DEPTH`): an oversized or
//! unreadable cell rejects its row, naming the path inside it, and never panics.
//!
//! NOTE: a struct member that is null is left out, not read as `null`: Parquet keeps one
//! struct type for the whole column, so a member an event did not have is null in that row,
//! and reading it as `null` would give the event a property it never sent. A map keeps its
//! nulls (a map row holds only the keys its event had).
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use leadpulse::core::json::{index, join, Limits, Value, MAX_DEPTH};
use leadpulse::core::time::{self, Millis, DAY};

/// Why a cell could not be read: the JSON path inside the event, and the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub path: String,
    pub message: String,
}

/// What is left of an event part's allowance as its cells are read.
pub struct Budget {
    nodes: usize,
}

impl Budget {
    pub fn new() -> Budget {
        Budget {
            nodes: Limits::EVENT_PART.nodes,
        }
    }

    fn take(&mut self, path: &str) -> Result<(), CellError> {
        match self.nodes.checked_sub(1) {
            Some(left) => {
                self.nodes = left;
                Ok(())
            }
            None => Err(CellError {
                path: path.to_string(),
                message: format!("more than {} values", Limits::EVENT_PART.nodes),
            }),
        }
    }
}

fn text(s: &str, path: &str) -> Result<String, CellError> {
    if s.len() > Limits::EVENT_PART.string_bytes {
        return Err(CellError {
            path: path.to_string(),
            message: format!(
                "a string longer than {} bytes",
                Limits::EVENT_PART.string_bytes
            ),
        });
    }
    Ok(s.to_string())
}

fn number(n: f64, path: &str) -> Result<Value, CellError> {
    if n.is_finite() {
        Ok(Value::Number(n))
    } else {
        Err(CellError {
            path: path.to_string(),
            message: "not a finite number".into(),
        })
    }
}

/// Epoch milliseconds of a timestamp cell, at millisecond precision (finer digits dropped,
/// rounding down, so that a time is never moved later than it was).
pub fn millis(array: &dyn Array, unit: TimeUnit, row: usize) -> Option<Millis> {
    if array.is_null(row) {
        return None;
    }
    let value = match unit {
        TimeUnit::Second => array
            .as_primitive_opt::<TimestampSecondType>()?
            .value(row)
            .checked_mul(1000)?,
        TimeUnit::Millisecond => array
            .as_primitive_opt::<TimestampMillisecondType>()?
            .value(row),
        TimeUnit::Microsecond => array
            .as_primitive_opt::<TimestampMicrosecondType>()?
            .value(row)
            .div_euclid(1000),
        TimeUnit::Nanosecond => array
            .as_primitive_opt::<TimestampNanosecondType>()?
            .value(row)
            .div_euclid(1_000_000),
    };
    Some(value)
}

/// The cell at `row` of `array` as a JSON value; `path` names it in errors.
pub fn value(
    array: &dyn Array,
    row: usize,
    path: &str,
    depth: usize,
    budget: &mut Budget,
) -> Result<Value, CellError> {
    if depth > MAX_DEPTH {
        return Err(CellError {
            path: path.to_string(),
            message: format!("nested deeper than {MAX_DEPTH} levels"),
        });
    }
    budget.take(path)?;
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    // NOTE: each arm reads the type it matched, so the `_opt` casts cannot miss; a miss
    // would still be a refused cell, never a panic.
    macro_rules! int {
        ($t:ty) => {
            match array.as_primitive_opt::<$t>() {
                Some(a) => Ok(Value::Number(a.value(row) as f64)),
                None => unsupported(array, path),
            }
        };
    }
    match array.data_type() {
        DataType::Boolean => match array.as_boolean_opt() {
            Some(a) => Ok(Value::Bool(a.value(row))),
            None => unsupported(array, path),
        },
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float32 => match array.as_primitive_opt::<Float32Type>() {
            Some(a) => number(f64::from(a.value(row)), path),
            None => unsupported(array, path),
        },
        DataType::Float64 => match array.as_primitive_opt::<Float64Type>() {
            Some(a) => number(a.value(row), path),
            None => unsupported(array, path),
        },
        DataType::Decimal128(_, scale) => match array.as_primitive_opt::<Decimal128Type>() {
            Some(a) => number(a.value(row) as f64 / 10f64.powi(i32::from(*scale)), path),
            None => unsupported(array, path),
        },
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => match string(array, row) {
            Some(s) => Ok(Value::String(text(s, path)?)),
            None => unsupported(array, path),
        },
        DataType::Timestamp(unit, _) => match millis(array, *unit, row) {
            Some(ms) => Ok(Value::String(time::format_iso(ms))),
            None => unsupported(array, path),
        },
        DataType::Date32 => match array.as_primitive_opt::<Date32Type>() {
            Some(a) => {
                let iso = time::format_iso(i64::from(a.value(row)).saturating_mul(DAY));
                Ok(Value::String(iso.get(..10).unwrap_or(&iso).to_string()))
            }
            None => unsupported(array, path),
        },
        DataType::Struct(_) => {
            let Some(s) = array.as_struct_opt() else {
                return unsupported(array, path);
            };
            let mut members = Vec::new();
            for (field, column) in s.fields().iter().zip(s.columns()) {
                if column.is_null(row) {
                    continue;
                }
                let key = text(field.name(), path)?;
                let inner = join(path, &key);
                let v = value(column.as_ref(), row, &inner, depth + 1, budget)?;
                members.push((key, v));
            }
            Ok(Value::Object(members))
        }
        DataType::Map(_, _) => {
            let Some(map) = array.as_map_opt() else {
                return unsupported(array, path);
            };
            let entries = map.value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let mut members: Vec<(String, Value)> = Vec::new();
            for i in 0..entries.len() {
                let key = match value(keys.as_ref(), i, path, depth + 1, budget)? {
                    Value::String(key) => key,
                    other => {
                        return Err(CellError {
                            path: path.to_string(),
                            message: format!("a map key is {}, not a string", other.type_name()),
                        })
                    }
                };
                let inner = join(path, &key);
                let v = value(values.as_ref(), i, &inner, depth + 1, budget)?;
                // NOTE: a repeated key keeps its last value at its first place, as JSON text does.
                match members.iter_mut().find(|(k, _)| *k == key) {
                    Some(existing) => existing.1 = v,
                    None => members.push((key, v)),
                }
            }
            Ok(Value::Object(members))
        }
        DataType::List(_) => match array.as_list_opt::<i32>() {
            Some(a) => items(a.value(row).as_ref(), path, depth, budget),
            None => unsupported(array, path),
        },
        DataType::LargeList(_) => match array.as_list_opt::<i64>() {
            Some(a) => items(a.value(row).as_ref(), path, depth, budget),
            None => unsupported(array, path),
        },
        DataType::FixedSizeList(_, _) => match array.as_fixed_size_list_opt() {
            Some(a) => items(a.value(row).as_ref(), path, depth, budget),
            None => unsupported(array, path),
        },
        _ => unsupported(array, path),
    }
}

/// A string cell of any of Arrow's three string layouts.
pub fn string(array: &dyn Array, row: usize) -> Option<&str> {
    match array.data_type() {
        DataType::Utf8 => array.as_string_opt::<i32>().map(|a| a.value(row)),
        DataType::LargeUtf8 => array.as_string_opt::<i64>().map(|a| a.value(row)),
        DataType::Utf8View => array.as_string_view_opt().map(|a| a.value(row)),
        _ => None,
    }
}

fn items(
    list: &dyn Array,
    path: &str,
    depth: usize,
    budget: &mut Budget,
) -> Result<Value, CellError> {
    let mut out = Vec::with_capacity(list.len());
    for i in 0..list.len() {
        out.push(value(list, i, &index(path, i), depth + 1, budget)?);
    }
    Ok(Value::Array(out))
}

fn unsupported(array: &dyn Array, path: &str) -> Result<Value, CellError> {
    Err(CellError {
        path: path.to_string(),
        message: format!(
            "a {} value has no JSON form here (expected strings, numbers, booleans, timestamps, dates, structs, maps or lists)",
            array.data_type()
        ),
    })
}
