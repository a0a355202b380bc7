//! Property tests of the column mapping: any event line `export` writes reads back, through
//! the Parquet columns and `rows`, as the very event (or the very refusal) the JSONL reader
//! makes of the line — with nested parts as JSON text, and as structs (whose members come in
//! the struct's order, so events are compared with their members sorted).
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::json::reader::infer_json_schema_from_iterator;
use leadpulse::core::event::{Defaults, Event, EventKind};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

use super::columns::Columns;
use super::export::batch::{self, Nested};
use super::export::line::Line;
use super::rows::Rows;

/// 2026-11-10T09:00:00Z.
const START: i64 = 1_794_387_600_000;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(|n| json!(n)),
        (-1.0e6..1.0e6f64).prop_map(|f| json!(f)),
        any::<bool>().prop_map(|b| json!(b)),
        "[a-z /é_-]{0,12}".prop_map(|s| json!(s)),
        Just(Value::Null),
    ]
}

/// A part (`properties`, `traits`, `context`) with any JSON in it.
fn any_part() -> impl Strategy<Value = Value> {
    let value = leaf().prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((select(vec!["x", "y", "z"]), inner), 0..3).prop_map(|m| {
                Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    });
    let keys = select(vec![
        "path",
        "url",
        "referrer",
        "seconds",
        "scroll",
        "slot",
        "value",
        "title",
        "email",
        "company",
        "userAgent",
        "webdriver",
        "plan",
        "seats",
    ]);
    prop_oneof![
        prop::collection::vec((keys, value), 0..5).prop_map(|members| {
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>(),
            )
        }),
        leaf(),
    ]
}

/// A part whose every member has one type (by its name), as a struct column needs.
fn struct_part() -> impl Strategy<Value = Value> {
    let member = prop_oneof![
        "/[a-z]{0,8}".prop_map(|s| ("path", json!(s))),
        (0u32..3600).prop_map(|n| ("seconds", json!(n))),
        (0.0..100.0f64).prop_map(|f| ("scroll", json!(f))),
        any::<bool>().prop_map(|b| ("webdriver", json!(b))),
        "[A-Za-z ]{1,10}".prop_map(|s| ("title", json!(s))),
        ("[a-z]{1,6}", 1u32..5000)
            .prop_map(|(n, c)| ("company", json!({"name": n, "employee_count": c}))),
        prop::collection::vec("[a-z]{1,4}", 1..3).prop_map(|v| ("tags", json!(v))),
    ];
    prop::collection::vec(member, 1..5).prop_map(|members| {
        Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

fn event(part: BoxedStrategy<Value>) -> impl Strategy<Value = String> {
    // Mostly valid events (so that the events themselves are compared), some refused ones.
    let id = prop::option::weighted(
        0.8,
        prop_oneof![
            12 => select(vec!["a", "b", "visitor-3"]),
            1 => select(vec!["", "u\u{202e}x"]),
        ],
    );
    let time = prop_oneof![
        4 => (0i64..100_000_000).prop_map(|d| json!(START + d)),
        4 => (0i64..100_000_000).prop_map(|d| json!(leadpulse::core::time::format_iso(START + d))),
        1 => prop_oneof![Just(json!(946_684_799_000i64)), Just(Value::Null)],
    ]
    .boxed();
    (
        select(vec![
            "page",
            "page",
            "track",
            "identify",
            "identify",
            "engagement",
            "answer",
            "click",
        ]),
        id.clone(),
        id,
        time,
        prop::option::of(select(vec!["m1", "m2"])),
        prop::option::weighted(0.8, select(vec!["Demo Requested", "Asset Downloaded", ""])),
        prop::option::of(part.clone()),
        prop::option::of(part.clone()),
        prop::option::of(part),
    )
        .prop_map(
            |(kind, anonymous, user, time, message, name, properties, traits, context)| {
                let mut e = Map::new();
                e.insert("type".into(), json!(kind));
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(v) = value {
                        e.insert(key.into(), v);
                    }
                };
                put("anonymousId", anonymous.map(|s| json!(s)));
                put("userId", user.map(|s| json!(s)));
                put("timestamp", Some(time));
                put("messageId", message.map(|s| json!(s)));
                put("event", name.map(|s| json!(s)));
                put("properties", properties);
                put("traits", traits);
                put("context", context);
                Value::Object(e).to_string()
            },
        )
}

/// What each line reads as through Parquet's columns.
fn through_columns(lines: &[String], nested: Nested) -> Vec<Result<Event, String>> {
    let parsed: Vec<Line> = lines
        .iter()
        .map(|l| {
            Line::parse(l)
                .expect("the generator writes what a column holds")
                .expect("not blank")
        })
        .collect();
    let structs = (nested == Nested::Struct).then(|| {
        let objects: Vec<Value> = parsed
            .iter()
            .map(|l| batch::parts_object(l).unwrap())
            .collect();
        infer_json_schema_from_iterator(objects.iter().map(Ok)).unwrap()
    });
    let schema = batch::schema(nested, structs.as_ref());
    let record = batch::build(&parsed, &schema, nested).unwrap();
    // The batch's columns in the contract's order, an absent part as a null column.
    let columns = Columns::of(&schema).unwrap();
    let arrays: Vec<ArrayRef> = super::columns::Field::ALL
        .iter()
        .map(|f| match record.column_by_name(f.name()) {
            Some(a) => a.clone(),
            None => {
                Arc::new(datafusion::arrow::array::NullArray::new(record.num_rows())) as ArrayRef
            }
        })
        .collect();
    let rows = Rows::new(&columns, &arrays).unwrap();
    (0..lines.len())
        .map(|i| rows.event(i).map_err(|p| p.to_string()))
        .collect()
}

/// Members in name order (a struct keeps its own order, JSON text the event's).
fn sorted(mut event: Event) -> Event {
    if let EventKind::Track { properties, .. } = &mut event.kind {
        properties.sort_by(|a, b| a.0.cmp(&b.0));
    }
    event
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn json_text_columns_read_as_the_jsonl_line(lines in prop::collection::vec(
        event(prop_oneof![2 => struct_part(), 1 => any_part()].boxed()), 1..12)
    ) {
        let got = through_columns(&lines, Nested::Json);
        for (line, got) in lines.iter().zip(got) {
            let expected = Event::from_json(line, Defaults::default()).map_err(|p| p.to_string());
            prop_assert_eq!(got, expected, "{}", line);
        }
    }

    #[test]
    fn struct_columns_read_as_the_jsonl_line(lines in prop::collection::vec(event(struct_part().boxed()), 1..12)) {
        let got = through_columns(&lines, Nested::Struct);
        for (line, got) in lines.iter().zip(got) {
            let expected = Event::from_json(line, Defaults::default()).map_err(|p| p.to_string());
            prop_assert_eq!(got.map(sorted), expected.map(sorted), "{}", line);
        }
    }
}
