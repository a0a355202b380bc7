//! The store's one parameter and column type, so one query serves SQLite and PostgreSQL: what
//! goes in is made a [`Value`] ([`ToValue`]), what comes out is read from one ([`FromValue`]).
//! Each backend converts a `Value` to and from its own types (sqlite.rs, postgres.rs).
use super::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Integers and booleans (SQLite has no booleans; PostgreSQL's are read as 0 and 1).
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

pub trait ToValue {
    fn value(&self) -> Value;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::value)
    }
}

impl ToValue for i64 {
    fn value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ToValue for i32 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for u32 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for u64 {
    fn value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for usize {
    fn value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for str {
    fn value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for [u8] {
    fn value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

/// A row as read: its columns by position.
#[derive(Debug)]
pub struct Row(pub(super) Vec<Value>);

impl Row {
    /// Column `i` as a `T`; a missing column or another type is an error, not a panic.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, Error> {
        let value = self
            .0
            .get(i)
            .ok_or_else(|| Error::Failed(format!("no column {i} in the row")))?;
        T::from_value(value).ok_or_else(|| {
            Error::Failed(format!(
                "column {i}: expected {}, found {value:?}",
                std::any::type_name::<T>()
            ))
        })
    }
}

pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).and_then(|n| u64::try_from(n).ok())
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).map(|n| n != 0)
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(x) => Some(*x),
            // NOTE: SQLite stores a whole amount (24000.0) as an integer.
            Value::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}
