//! Which column holds which contract field, and whether its type can hold it. A column is
//! found by the field's name with case and underscores ignored (`anonymousId`,
//! `anonymous_id`, `ANONYMOUS_ID`); other columns are ignored, as extra JSON fields are.
//! The accepted types are the table in docs/warehouse.md; anything else is refused up front,
//! naming the column, its type and what would do.
use datafusion::arrow::datatypes::{DataType, Schema, TimeUnit};

/// The contract's top-level fields, in the order the scan hands them to `rows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Type,
    AnonymousId,
    UserId,
    Timestamp,
    MessageId,
    Event,
    Properties,
    Traits,
    Context,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Type,
        Field::AnonymousId,
        Field::UserId,
        Field::Timestamp,
        Field::MessageId,
        Field::Event,
        Field::Properties,
        Field::Traits,
        Field::Context,
    ];

    /// The field's name in the event contract (docs/contracts.md).
    pub fn name(self) -> &'static str {
        match self {
            Field::Type => "type",
            Field::AnonymousId => "anonymousId",
            Field::UserId => "userId",
            Field::Timestamp => "timestamp",
            Field::MessageId => "messageId",
            Field::Event => "event",
            Field::Properties => "properties",
            Field::Traits => "traits",
            Field::Context => "context",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Field::Timestamp => {
                "a timestamp, an integer (epoch milliseconds), a float (whole epoch milliseconds) or a string (ISO-8601)"
            }
            Field::Properties | Field::Traits | Field::Context => {
                "a string (JSON text), a struct or a map with string keys"
            }
            _ => "a string",
        }
    }
}

/// How a column's cells become the field's JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Utf8, LargeUtf8, Utf8View (or a dictionary of them): the text itself.
    Text,
    /// `timestamp` as epoch milliseconds in an integer column.
    Millis,
    /// `timestamp` as epoch milliseconds in a float column (whole, as JSON numbers must be).
    Float,
    /// `timestamp` as a Parquet/Arrow timestamp: read at millisecond precision.
    Instant(TimeUnit),
    /// `properties`/`traits`/`context` as JSON text.
    Json,
    /// `properties`/`traits`/`context` as a struct or a map: an object.
    Nested,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// The column of each field ([`Field::ALL`] order), if the table has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns(pub [Option<Column>; 9]);

/// A column the warehouse reader cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub column: String,
    pub message: String,
}

impl Columns {
    pub fn get(&self, field: Field) -> Option<&Column> {
        let index = Field::ALL.iter().position(|f| *f == field)?;
        self.0.get(index)?.as_ref()
    }

    /// Maps `schema`'s columns to the contract's fields; every problem, not the first.
    pub fn of(schema: &Schema) -> Result<Columns, Vec<Refused>> {
        let mut found: [Option<Column>; 9] = Default::default();
        let mut named = [false; 9];
        let mut refused = Vec::new();
        for ((slot, named), field) in found.iter_mut().zip(named.iter_mut()).zip(Field::ALL) {
            let matching: Vec<_> = schema
                .fields()
                .iter()
                .filter(|f| normal(f.name()) == normal(field.name()))
                .collect();
            let Some(column) = matching.first() else {
                continue;
            };
            *named = true;
            if matching.len() > 1 {
                let names: Vec<&str> = matching.iter().map(|f| f.name().as_str()).collect();
                refused.push(Refused {
                    column: names.join(", "),
                    message: format!(
                        "columns {} all name the field '{}': keep one",
                        names.join(", "),
                        field.name()
                    ),
                });
                continue;
            }
            match kind(field, column.data_type()) {
                Some(kind) => {
                    *slot = Some(Column {
                        name: column.name().clone(),
                        kind,
                    })
                }
                None => refused.push(Refused {
                    column: column.name().clone(),
                    message: format!(
                        "column '{}' ({}) has type {}; expected {}",
                        column.name(),
                        field.name(),
                        column.data_type(),
                        field.expected()
                    ),
                }),
            }
        }
        let columns = Columns(found);
        let [kind, anonymous, user, ..] = named;
        if !anonymous && !user {
            refused.push(Refused {
                column: String::new(),
                message: "no column anonymousId (anonymous_id) or userId (user_id): an event needs a visitor key".into(),
            });
        }
        if !kind {
            refused.push(Refused {
                column: String::new(),
                message: "no column type: every event needs one (page, track, identify, engagement, answer)".into(),
            });
        }
        if refused.is_empty() {
            Ok(columns)
        } else {
            Err(refused)
        }
    }
}

/// `anonymous_id`, `ANONYMOUSID`, `anonymousId` → `anonymousid`.
fn normal(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => {
            matches!(
                values.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        }
        _ => false,
    }
}

fn kind(field: Field, data_type: &DataType) -> Option<Kind> {
    match field {
        Field::Timestamp => match data_type {
            t if is_text(t) => Some(Kind::Text),
            DataType::Int64 | DataType::UInt64 => Some(Kind::Millis),
            DataType::Float64 => Some(Kind::Float),
            DataType::Timestamp(unit, _) => Some(Kind::Instant(*unit)),
            _ => None,
        },
        Field::Properties | Field::Traits | Field::Context => match data_type {
            t if is_text(t) => Some(Kind::Json),
            DataType::Struct(_) => Some(Kind::Nested),
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) if kv.first().is_some_and(|k| is_text(k.data_type())) => {
                    Some(Kind::Nested)
                }
                _ => None,
            },
            _ => None,
        },
        _ => is_text(data_type).then_some(Kind::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::Field as ArrowField;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| ArrowField::new(*n, t.clone(), true))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn names_match_whatever_their_case_and_underscores() {
        let s = schema(&[
            ("TYPE", DataType::Utf8),
            ("anonymous_id", DataType::Utf8View),
            (
                "Timestamp",
                DataType::Timestamp(TimeUnit::Microsecond, None),
            ),
            ("properties", DataType::LargeUtf8),
            ("received_at", DataType::Int64),
        ]);
        let c = Columns::of(&s).unwrap();
        assert_eq!(c.get(Field::AnonymousId).unwrap().name, "anonymous_id");
        assert_eq!(
            c.get(Field::Timestamp).unwrap().kind,
            Kind::Instant(TimeUnit::Microsecond)
        );
        assert_eq!(c.get(Field::Properties).unwrap().kind, Kind::Json);
        assert!(c.get(Field::UserId).is_none());
    }

    #[test]
    fn every_refused_column_is_named_with_its_type_and_what_would_do() {
        let s = schema(&[
            ("type", DataType::Int32),
            ("anonymousId", DataType::Utf8),
            ("anonymous_id", DataType::Utf8),
            ("timestamp", DataType::Boolean),
            ("traits", DataType::Int64),
        ]);
        let refused = Columns::of(&s).unwrap_err();
        let text: Vec<&str> = refused.iter().map(|r| r.message.as_str()).collect();
        assert!(
            text.iter()
                .any(|m| m.contains("column 'type' (type) has type Int32; expected a string")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|m| m.contains("anonymousId, anonymous_id")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|m| m.contains("'timestamp' (timestamp) has type Boolean")),
            "{text:?}"
        );
        assert!(text.iter().any(|m| m.contains("'traits' (traits) has type Int64; expected a string (JSON text), a struct or a map")), "{text:?}");
    }
}
