//! Warehouse histories (docs/warehouse.md): the same events as JSONL and as Parquet give the
//! same `replay` bytes, the same refused rows (line N ↔ row N), the same `fit` model and the
//! same `compare` figures; Parquet's own column kinds (timestamps, structs, maps, snake_case
//! names) read as their JSON equivalents; unusable columns are refused by file and column.
//! Every Parquet input here is written by `leadpulse export` from the JSONL it is compared
//! with, or by hand with arrow where `export` does not write that kind of column.
#![cfg(feature = "warehouse")]
#[path = "cli/command.rs"]
mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, Int64Array, MapBuilder, RecordBatch, StringArray, StringBuilder, StructArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::parquet::arrow::ArrowWriter;
use serde_json::Value;

use common::{leadpulse, scratch};

fn s(path: &Path) -> String {
    path.display().to_string()
}

/// `leadpulse export JSONL --out OUT extra…`, which must write every line.
fn export(jsonl: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["export".to_string(), s(jsonl), "--out".into(), s(out)];
    args.extend(extra.iter().map(|a| a.to_string()));
    let (code, _, stderr) = leadpulse(&args);
    assert_eq!(code, 0, "export {extra:?}: {stderr}");
}

/// The events of every shared fixture case, one per line, in case order: valid journeys and
/// the rejected-events case's bad events (all of which a Parquet column can hold).
fn fixture_history(dir: &Path) -> PathBuf {
    let cases =
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/fixtures/cases");
    let mut names: Vec<PathBuf> = std::fs::read_dir(cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut lines = String::new();
    for name in names {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(name).unwrap()).unwrap();
        for event in case["events"].as_array().into_iter().flatten() {
            // NOTE: a timestamp that is not a time has no Parquet timestamp cell (export
            // leaves the line out, tested in export's own unit tests).
            let unreadable = event["timestamp"]
                .as_str()
                .is_some_and(|t| leadpulse::core::time::parse_iso(t).is_none());
            if !unreadable {
                writeln!(lines, "{event}").unwrap();
            }
        }
    }
    // Bad rows of Parquet's own kind, each refused as on a JSONL line.
    for bad in [
        r#"{"type":"page","timestamp":"2026-11-10T09:00:00Z","properties":{"path":"/x"}}"#,
        r#"{"type":"page","anonymousId":"","timestamp":"2026-11-10T09:00:00Z","properties":{"path":"/x"}}"#,
        r#"{"type":"page","anonymousId":"late","timestamp":"2026-11-12T09:00:00Z","properties":{"path":"/pricing"}}"#,
        r#"{"type":"page","anonymousId":"late","timestamp":"2026-11-10T09:00:00Z","properties":{"path":"/pricing"},"messageId":"m1"}"#,
        r#"{"type":"page","anonymousId":"late","timestamp":"2026-11-10T09:01:00Z","properties":{"path":"/pricing"},"messageId":"m1"}"#,
        r#"{"type":"track","anonymousId":"late","timestamp":1794000000000,"event":"Demo Requested","context":"web"}"#,
        r#"{"type":"identify","userId":"u-9","timestamp":1794000000000,"traits":["not","an","object"]}"#,
    ] {
        writeln!(lines, "{bad}").unwrap();
    }
    let path = dir.join("history.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

/// (line or row number, reason) of each refused input, from stderr.
fn refused(stderr: &str) -> Vec<(u64, String)> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line
                .split_once("line ")
                .or_else(|| line.split_once("row "))?
                .1;
            let (number, why) = rest.split_once(": ")?;
            Some((number.parse().ok()?, why.to_string()))
        })
        .collect()
}

#[test]
fn replay_of_parquet_is_the_jsonl_replay_byte_for_byte() {
    let dir = scratch("warehouse-replay");
    let jsonl = fixture_history(&dir);
    let file = dir.join("history.parquet");
    export(&jsonl, &file, &[]);
    let parts = dir.join("parts");
    export(&jsonl, &parts, &["--files", "3", "--row-group-rows", "4"]);
    std::fs::write(parts.join("_SUCCESS"), "").unwrap();
    for at in [None, Some("2026-12-01T00:00:00Z")] {
        let args = |input: &Path, threads: Option<&str>| {
            let mut a = vec!["replay".to_string()];
            if let Some(at) = at {
                a.extend(["--at".into(), at.to_string()]);
            }
            if let Some(n) = threads {
                a.extend(["--threads".into(), n.to_string()]);
            }
            a.push(s(input));
            a
        };
        let (code, expected, stderr) = leadpulse(&args(&jsonl, None));
        assert_eq!(code, 1, "the history has bad lines: {stderr}");
        let bad = refused(&stderr);
        assert!(bad.len() >= 9, "{stderr}");
        assert!(expected.lines().count() >= 12, "{expected}");
        for (input, threads) in [(&file, "1"), (&file, "2"), (&parts, "2")] {
            let (code, got, errors) = leadpulse(&args(input, Some(threads)));
            assert_eq!(code, 1, "{errors}");
            assert!(
                got == expected,
                "{} on {threads} thread(s), at {at:?}:\n{got}\n---\n{expected}",
                s(input)
            );
            if input == &file {
                assert_eq!(
                    refused(&errors),
                    bad,
                    "row N is line N, with the same reason"
                );
                assert!(errors.contains(&format!("{}: row ", s(&file))), "{errors}");
            } else {
                assert_eq!(refused(&errors).len(), bad.len(), "{errors}");
                assert!(errors.contains("part-00002.parquet: row "), "{errors}");
            }
        }
    }
}

/// `leads` synthetic leads whose conversion follows a demo request and a buyer role.
fn leads(dir: &Path, leads: usize) -> (PathBuf, PathBuf) {
    let (mut events, mut outcomes) = (String::new(), String::from("visitor,converted\n"));
    let start = 1_767_225_600_000i64; // 2026-01-01
    for i in 0..leads {
        let id = format!("lead-{i}");
        let t = start + i as i64 * 60_000;
        let (demo, buyer) = (i % 3 == 0, i % 5 < 2);
        writeln!(events, r#"{{"type":"page","anonymousId":"{id}","timestamp":{t},"properties":{{"path":"/pricing"}}}}"#).unwrap();
        if demo {
            writeln!(events, r#"{{"type":"track","anonymousId":"{id}","timestamp":{},"event":"Demo Requested","properties":{{"seats":{}}}}}"#, t + 1000, 5 + i % 40).unwrap();
        }
        let role = if buyer { "buyer" } else { "student" };
        writeln!(events, r#"{{"type":"identify","anonymousId":"{id}","userId":"u-{i}","timestamp":{},"traits":{{"role":"{role}"}}}}"#, t + 2000).unwrap();
        let converted = (demo && (buyer || i % 7 == 0)) || (buyer && i % 11 == 0);
        writeln!(outcomes, "{id},{}", u8::from(converted)).unwrap();
    }
    let (e, o) = (dir.join("events.jsonl"), dir.join("outcomes.csv"));
    std::fs::write(&e, events).unwrap();
    std::fs::write(&o, outcomes).unwrap();
    (e, o)
}

/// An output with the history's path (which names the input) replaced.
fn unnamed(text: &str, history: &Path) -> String {
    text.replace(&s(history), "HISTORY")
}

#[test]
fn fit_and_compare_read_parquet_as_they_read_jsonl() {
    let dir = scratch("warehouse-fit");
    let (jsonl, outcomes) = leads(&dir, 900);
    let parts = dir.join("parts");
    export(&jsonl, &parts, &["--files", "2", "--nested", "struct"]);
    let fit = |events: &Path, name: &str| {
        let (model, report) = (
            dir.join(format!("{name}.json")),
            dir.join(format!("{name}-report.json")),
        );
        let (code, _, stderr) = leadpulse(&[
            "fit",
            "--events",
            &s(events),
            "--outcomes",
            &s(&outcomes),
            "--out",
            &s(&model),
            "--report",
            &s(&report),
            "--min-support",
            "20",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let read = |path: &Path| unnamed(&std::fs::read_to_string(path).unwrap(), events);
        // NOTE: the model's hash covers its description, which names the history.
        let mut report: Value = serde_json::from_str(&read(&report)).unwrap();
        report.as_object_mut().unwrap().remove("model");
        (read(&model), report)
    };
    let (model_jsonl, report_jsonl) = fit(&jsonl, "from-jsonl");
    let (model_parquet, report_parquet) = fit(&parts, "from-parquet");
    assert_eq!(model_parquet, model_jsonl, "the same fitted model");
    assert_eq!(report_parquet, report_jsonl, "the same report");

    let fitted = dir.join("from-jsonl.json");
    let compare = |events: &Path| {
        let (code, stdout, stderr) = leadpulse(&[
            "compare",
            "--events",
            &s(events),
            "--outcomes",
            &s(&outcomes),
            "--json",
            "--show",
            "50",
            &s(&fitted),
            &s(&fitted),
        ]);
        assert_eq!(code, 0, "{stderr}");
        unnamed(&stdout, events)
    };
    let figures = compare(&jsonl);
    assert!(figures.contains(r#""visitors": 900"#), "{figures}");
    assert_eq!(compare(&parts), figures);
}

#[test]
fn the_time_window_keeps_the_same_events_from_either_input() {
    let dir = scratch("warehouse-window");
    let (jsonl, _) = leads(&dir, 200);
    let file = dir.join("events.parquet");
    export(&jsonl, &file, &["--row-group-rows", "50"]);
    // Leads are a minute apart from 2026-01-01T00:00Z: keep leads 30 to 89.
    let window = [
        "--from",
        "2026-01-01T00:30:00Z",
        "--to",
        "2026-01-01T01:30:00Z",
    ];
    let replay = |input: &Path| {
        let mut args: Vec<String> = vec!["replay".into()];
        args.extend(window.iter().map(|a| a.to_string()));
        args.push(s(input));
        let (code, stdout, stderr) = leadpulse(&args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let expected = replay(&jsonl);
    assert_eq!(expected.lines().count(), 60);
    assert!(
        expected.starts_with(r#"{"visitor":"lead-30","#),
        "{expected}"
    );
    assert_eq!(replay(&file), expected);
    let (code, _, stderr) = leadpulse(&[
        "replay",
        "--from",
        "2026-02-01",
        "--to",
        "2026-01-01",
        &s(&file),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("must be before --to"), "{stderr}");
}

fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn text(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

#[test]
fn timestamps_structs_maps_and_snake_case_names_read_as_their_json() {
    let dir = scratch("warehouse-kinds");
    let jsonl = dir.join("events.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            r#"{"type":"page","anonymousId":"a","timestamp":"2026-11-10T09:00:00.123Z","properties":{"path":"/pricing","referrer":"https://www.google.com/"}}"#, "\n",
            r#"{"type":"identify","anonymousId":"a","userId":"u-1","timestamp":"2026-11-10T09:05:00Z","traits":{"title":"VP Marketing","company":{"name":"Acme","employee_count":240}}}"#, "\n",
            r#"{"type":"track","anonymousId":"b","timestamp":"2026-11-11T10:00:00Z","event":"Demo Requested","properties":{"plan":"team"}}"#, "\n",
        ),
    )
    .unwrap();
    // Microsecond timestamps (finer digits dropped), a map for properties, a struct for
    // traits, Segment's snake_case names, upper-case TYPE.
    let mut props = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for pairs in [
        &[
            ("path", "/pricing"),
            ("referrer", "https://www.google.com/"),
        ][..],
        &[][..],
        &[("plan", "team")][..],
    ] {
        for (k, v) in pairs {
            props.keys().append_value(k);
            props.values().append_value(v);
        }
        props.append(!pairs.is_empty()).unwrap();
    }
    let company = StructArray::from(vec![
        (
            Arc::new(Field::new("name", DataType::Utf8, true)),
            text(&[None, Some("Acme"), None]),
        ),
        (
            Arc::new(Field::new("employee_count", DataType::Int64, true)),
            Arc::new(Int64Array::from(vec![None, Some(240), None])) as ArrayRef,
        ),
    ]);
    let traits = StructArray::try_new(
        vec![
            Field::new("title", DataType::Utf8, true),
            Field::new("company", company.data_type().clone(), true),
        ]
        .into(),
        vec![text(&[None, Some("VP Marketing"), None]), Arc::new(company)],
        Some(vec![false, true, false].into()),
    )
    .unwrap();
    let micros = |iso: &str| leadpulse::core::time::parse_iso(iso).unwrap() * 1000 + 456;
    let file = dir.join("events.parquet");
    write_parquet(
        &file,
        vec![
            (
                "TYPE",
                text(&[Some("page"), Some("identify"), Some("track")]),
            ),
            ("anonymous_id", text(&[Some("a"), Some("a"), Some("b")])),
            ("user_id", text(&[None, Some("u-1"), None])),
            (
                "timestamp",
                Arc::new(TimestampMicrosecondArray::from(vec![
                    micros("2026-11-10T09:00:00.123Z"),
                    micros("2026-11-10T09:05:00Z"),
                    micros("2026-11-11T10:00:00Z"),
                ])),
            ),
            ("event", text(&[None, None, Some("Demo Requested")])),
            ("properties", Arc::new(props.finish())),
            ("traits", Arc::new(traits)),
            (
                "received_at",
                text(&[Some("ignored"), Some("ignored"), Some("ignored")]),
            ),
        ],
    );
    let (code, expected, stderr) = leadpulse(&["replay", &s(&jsonl)]);
    assert_eq!(code, 0, "{stderr}");
    let (code, got, stderr) = leadpulse(&["replay", &s(&file)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(got, expected);
    assert!(
        got.contains(r#""firstSeen":"2026-11-10T09:00:00.123Z""#),
        "{got}"
    );
}

#[test]
fn columns_the_reader_cannot_use_are_refused_naming_file_column_and_type() {
    let dir = scratch("warehouse-refused");
    let file = dir.join("bad.parquet");
    write_parquet(
        &file,
        vec![
            ("type", text(&[Some("page")])),
            ("anonymousId", text(&[Some("a")])),
            (
                "timestamp",
                Arc::new(datafusion::arrow::array::BooleanArray::from(vec![true])),
            ),
            ("traits", Arc::new(Int64Array::from(vec![1]))),
        ],
    );
    let (code, stdout, stderr) = leadpulse(&["replay", &s(&file)]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    for expected in [
        format!("{}: column 'timestamp' (timestamp) has type Boolean; expected a timestamp", s(&file)),
        format!("{}: column 'traits' (traits) has type Int64; expected a string (JSON text), a struct or a map", s(&file)),
        "docs/warehouse.md".to_string(),
    ] {
        assert!(stderr.contains(&expected), "{expected}\n in:\n{stderr}");
    }
    let keyless = dir.join("keyless.parquet");
    write_parquet(&keyless, vec![("type", text(&[Some("page")]))]);
    let outcomes = dir.join("outcomes.csv");
    std::fs::write(&outcomes, "visitor,converted\na,1\n").unwrap();
    let model = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("tests/fixtures/compare/a.json");
    let (code, _, stderr) = leadpulse(&[
        "compare",
        "--events",
        &s(&keyless),
        "--outcomes",
        &s(&outcomes),
        &s(&model),
        &s(&model),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no column anonymousId"), "{stderr}");

    let empty = dir.join("empty");
    std::fs::create_dir_all(empty.join("dt=2026-11-10")).unwrap();
    std::fs::write(empty.join("dt=2026-11-10/_SUCCESS"), "").unwrap();
    let (code, _, stderr) = leadpulse(&["replay", &s(&empty)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds no .parquet file"), "{stderr}");

    let not_parquet = dir.join("events.parquet");
    std::fs::write(&not_parquet, "{\"type\":\"page\"}\n").unwrap();
    let (code, _, stderr) = leadpulse(&["replay", &s(&not_parquet)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a readable Parquet file"), "{stderr}");
}
