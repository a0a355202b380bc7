//! Writes the seed corpora, `fuzz/corpus/<target>/`, from the repository's own inputs (the
//! built-in model, the shared fixtures, the valid summary, the import example) and the
//! hostile cases of issue 11. Deterministic: run it again after a fixture changes and commit
//! the difference (`cargo run --example seeds` in `fuzz/`, docs/fuzzing.md).
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadpulse::core::encoding::base64url;
use leadpulse::core::engine::Session;
use leadpulse::core::event::{Defaults, Event};
use leadpulse::core::model::{compiled, Model, BUILTIN_COMPILED, BUILTIN_JSON};
use leadpulse::core::state;
use leadpulse::core::summary::SummaryOptions;
use serde_json::{json, Value};

struct Seeds {
    dir: PathBuf,
    count: usize,
}

impl Seeds {
    fn new(root: &Path, target: &str) -> Seeds {
        let dir = root.join("corpus").join(target);
        fs::create_dir_all(&dir).unwrap();
        Seeds { dir, count: 0 }
    }
    fn add(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
        fs::write(self.dir.join(name), bytes).unwrap();
        self.count += 1;
    }
    fn json(&mut self, name: &str, value: &Value) {
        self.add(name, serde_json::to_string(value).unwrap());
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every fixture case, without its `expected` block (what the engine is fed, not checked).
fn fixtures() -> Vec<(String, Value)> {
    let dir = repo().join("tests/fixtures/cases");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let mut case: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            let case_obj = case.as_object_mut().unwrap();
            case_obj.remove("expected");
            case_obj.remove("rejected");
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, case)
        })
        .collect()
}

fn builtin_doc() -> Value {
    serde_json::from_str(BUILTIN_JSON).unwrap()
}

/// The built-in model with `edit` applied.
fn builtin_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc = builtin_doc();
    edit(&mut doc);
    doc
}

fn model_seeds(root: &Path) -> usize {
    let mut s = Seeds::new(root, "model_read");
    s.add("builtin.json", BUILTIN_JSON);
    s.add("builtin.lpm", compiled::encode_text(&Model::builtin()));
    s.add("builtin.lpm.bin", BUILTIN_COMPILED);
    // The compiled body alone: what the framed half of the target wraps.
    s.add(
        "builtin.body.bin",
        &BUILTIN_COMPILED[4..BUILTIN_COMPILED.len() - 4],
    );
    for (name, case) in fixtures() {
        if case["model"].is_object() {
            s.json(&format!("fixture-{name}.json"), &case["model"]);
        }
    }
    // Issue 11: grade labels of 40 + 40 characters, and empty ones (refused since).
    s.json(
        "hostile-grade-40.json",
        &builtin_with(|d| {
            d["grades"]["fit"][0]["grade"] = json!("A".repeat(40));
            d["grades"]["engagement"][0]["grade"] = json!("1".repeat(40));
        }),
    );
    s.json(
        "hostile-grade-empty.json",
        &builtin_with(|d| d["grades"]["fit"][0]["grade"] = json!("")),
    );
    s.json(
        "hostile-grade-multibyte.json",
        &builtin_with(|d| {
            d["grades"]["fit"][0]["grade"] = json!("ÅÅÅÅ");
            d["grades"]["engagement"][0]["grade"] = json!("①①");
        }),
    );
    // Issue 11: page globs that took seconds with the backtracking matcher.
    s.json(
        "hostile-globs.json",
        &builtin_with(|d| {
            d["rules"][0]["when"]["page"] = json!("/**/**/**/**/pricing");
            d["rules"][9]["when"]["page"] = json!("/*a*a*a*a*b");
        }),
    );
    s.json(
        "hostile-glob-long.json",
        &builtin_with(|d| d["rules"][0]["when"]["page"] = json!(format!("/{}", "*".repeat(300)))),
    );
    // Issue 19: every new condition at its bounds — property tests of each kind, sources of
    // each field and touch, a combination of four parts (the most), and mistakes in each.
    s.json(
        "conditions-issue-19.json",
        &builtin_with(|d| {
            let rules = d["rules"].as_array_mut().unwrap();
            rules.push(json!({"id": "q_range", "when": {"event": "Quote Requested", "properties": {"seats": {"range": {"min": 50, "max": 1e6}}, "plan": {"contains": ["enterprise"]}, "coupon": {"exists": true}}}, "points": 9}));
            rules.push(json!({"id": "q_text", "when": {"event": "Plan Viewed", "properties": {"plan": {"oneOf": ["team"]}, "tier": {"endsWith": ["plus"]}, "n": {"equals": 3}}}, "points": 2}));
            rules.push(json!({"id": "s_first", "when": {"source": "utm_medium", "oneOf": ["cpc"]}, "points": 4}));
            rules.push(json!({"id": "s_last", "when": {"source": "referrer", "touch": "last", "endsWith": ["g2.com"]}, "points": 4}));
            rules.push(json!({"id": "s_campaign", "when": {"source": "utm_campaign", "contains": ["launch"]}, "points": -3}));
            rules.push(json!({"id": "all_four", "when": {"all": [
                {"trait": "title", "contains": ["vp"]},
                {"source": "utm_source", "exists": true},
                {"event": "Quote Requested", "properties": {"seats": {"range": {"min": 50}}}},
                {"engagedSeconds": 60, "per": "visitor"}
            ]}, "points": 25}));
            rules.push(json!({"id": "all_two", "when": {"all": [{"page": "/pricing"}, {"session": 2}]}, "points": 5}));
        }),
    );
    s.json(
        "conditions-issue-19-mistakes.json",
        &builtin_with(|d| {
            let rules = d["rules"].as_array_mut().unwrap();
            rules.push(json!({"id": "m1", "when": {"event": "E", "properties": {"n": {"range": {"min": 5, "max": 1}}, "m": {"below": 1}}}, "points": 1}));
            rules.push(json!({"id": "m2", "when": {"source": "utm_sorce", "touch": "middle"}, "points": 1}));
            rules.push(json!({"id": "m3", "when": {"all": [{"all": [{"page": "/a"}, {"page": "/b"}]}, {"engagedSeconds": 5}, {"page": "/c", "repeat": {"count": 2, "withinDays": 1}}, {"session": 0}, {"page": "/d"}]}, "points": 1}));
        }),
    );
    // Points far beyond any cap the contract allows for, and no caps to hold them.
    s.json(
        "hostile-points-huge.json",
        &builtin_with(|d| {
            d["rules"][2]["points"] = json!(1e308);
            d["rules"][3]["points"] = json!(1e308);
            d.as_object_mut().unwrap().remove("caps");
        }),
    );
    s.json(
        "hostile-points-1e9.json",
        &builtin_with(|d| {
            d["rules"][2]["points"] = json!(1e9);
            d.as_object_mut().unwrap().remove("caps");
        }),
    );
    s.json(
        "minimal.json",
        &json!({"version": 1, "name": "m", "rules": [
            {"id": "p", "when": {"page": "/p"}, "points": 40}],
            "grades": {"fit": [{"grade": "A"}], "engagement": [{"grade": "1"}]},
            "status": {"warm": 10, "hot": 30},
            "stages": {"mql": {"enter": 30, "exit": 20}, "sql": {"enter": 60, "exit": 50}},
            "handoff": ["mql"]}),
    );
    s.add("not-json.txt", "{\"version\": 1, \"name\": ");
    s.count
}

fn event_seeds(root: &Path) -> usize {
    let mut s = Seeds::new(root, "event_apply");
    for (name, case) in fixtures() {
        s.json(&format!("fixture-{name}.json"), &case);
    }
    let page = |visitor: &str, t: &str, path: &str| json!({"type": "page", "anonymousId": visitor, "timestamp": t, "properties": {"path": path}});
    // Issue 11: control characters in UTM values (a 4.7 KB summary, refused with 413).
    let control = "\u{1}\u{2}\u{7}\u{1b}[31m\u{7f}\u{85}".repeat(20);
    let utm = format!(
        "?utm_source={control}&utm_medium={control}&utm_campaign={control}&utm_term={control}&utm_content={control}"
    );
    let referrer = format!("https://{}.example/", "\u{202e}x".repeat(40));
    s.json(
        "hostile-utm-control.json",
        &json!([
            {"type": "page", "anonymousId": "utm", "timestamp": "2026-11-10T09:00:00Z",
             "properties": {"path": "/pricing", "search": utm, "referrer": referrer}},
            {"type": "identify", "anonymousId": "utm", "timestamp": "2026-11-10T09:01:00Z",
             "traits": {"email": "a@b.io", "title": format!("VP {control}"),
                        "company": {"employee_count": 300, "industry": "software", "name": control}}},
            {"type": "track", "anonymousId": "utm", "timestamp": "2026-11-10T09:02:00Z",
             "event": "Demo Requested"},
            {"type": "answer", "anonymousId": "utm", "timestamp": "2026-11-10T09:03:00Z",
             "properties": {"slot": "budget", "value": "approved"}},
            {"type": "answer", "anonymousId": "utm", "timestamp": "2026-11-10T09:04:00Z",
             "properties": {"slot": "timeline", "value": "asap"}},
            {"type": "page", "anonymousId": "utm", "timestamp": "2026-11-10T09:05:00Z",
             "properties": {"path": "/pricing", "search": utm}}
        ]),
    );
    // Issue 11: visitor ids of 128, 129 and more bytes; NUL and right-to-left characters.
    for (name, visitor) in [
        ("visitor-128", "v".repeat(128)),
        ("visitor-129", "v".repeat(129)),
        ("visitor-4k", "v".repeat(4096)),
        ("visitor-nul", "anon\u{0}42".to_string()),
        ("visitor-rtl", "anon\u{202e}24".to_string()),
        ("visitor-multibyte-128", "é".repeat(64)),
    ] {
        s.json(
            &format!("hostile-{name}.json"),
            &json!([
                page(&visitor, "2026-11-10T09:00:00Z", "/pricing"),
                page(&visitor, "2026-11-10T09:01:00Z", "/careers")
            ]),
        );
    }
    // Issue 11: years 0000 and 9999, epoch milliseconds at the edges.
    s.json(
        "hostile-years.json",
        &json!([page("y", "0000-01-01T00:00:00Z", "/pricing"),
                page("y", "9999-12-31T23:59:59.999Z", "/pricing"),
                page("y", "2000-01-01T00:00:00Z", "/pricing"),
                {"type": "page", "anonymousId": "y", "timestamp": 253_402_300_799_999_i64,
                 "properties": {"path": "/pricing"}},
                {"type": "page", "anonymousId": "y", "timestamp": -1,
                 "properties": {"path": "/pricing"}}]),
    );
    // Scores of ±1e308 where a number is read: engagement seconds, scroll, trait values.
    s.json(
        "hostile-numbers.json",
        &json!([
            {"type": "engagement", "anonymousId": "n", "timestamp": "2026-11-10T09:00:00Z",
             "properties": {"path": "/blog/x", "seconds": 1e308, "scroll": 1e308}},
            {"type": "engagement", "anonymousId": "n", "timestamp": "2026-11-10T09:00:01Z",
             "properties": {"path": "/blog/x", "seconds": -1e308, "scroll": -1e308}},
            {"type": "identify", "anonymousId": "n", "timestamp": "2026-11-10T09:00:02Z",
             "traits": {"email": "n@acme.io", "company": {"employee_count": 1e308}, "score": -1e308}}
        ]),
    );
    // A hostile glob path: 2 KB of segments against the built-in rules.
    s.json(
        "hostile-long-path.json",
        &json!([page(
            "g",
            "2026-11-10T09:00:00Z",
            &format!("/{}", "a/".repeat(1024))
        )]),
    );
    // A bot, duplicate message ids, a late event, JSON lines, one event alone.
    s.json(
        "bot-and-duplicates.json",
        &json!([
            {"type": "page", "anonymousId": "b", "timestamp": "2026-11-10T09:00:00Z", "messageId": "m1",
             "properties": {"path": "/pricing"}, "context": {"userAgent": "Mozilla/5.0 HeadlessChrome"}},
            {"type": "page", "anonymousId": "b", "timestamp": "2026-11-10T09:00:00Z", "messageId": "m1",
             "properties": {"path": "/pricing"}},
            {"type": "track", "anonymousId": "b", "timestamp": "2026-11-09T09:00:00Z",
             "event": "Demo Requested", "context": {"webdriver": true}}
        ]),
    );
    let lines: Vec<String> = [
        page("l", "2026-11-10T09:00:00Z", "/pricing"),
        json!({"type": "track", "userId": "u-1", "timestamp": "2026-11-10T09:01:00Z", "event": "Demo Requested"}),
        json!({"type": "identify", "anonymousId": "l", "userId": "u-1", "timestamp": "2026-11-10T09:02:00Z",
               "traits": {"email": "l@acme.io", "title": "CTO", "company": {"employee_count": 120}}}),
    ]
    .iter()
    .map(Value::to_string)
    .collect();
    s.add("jsonl.txt", lines.join("\n"));
    s.json(
        "one-event.json",
        &page("o", "2026-11-10T09:00:00Z", "/pricing?utm_source=x"),
    );
    s.count
}

/// The body of a saved state (what the framed target wraps) and its text.
fn saved(session: &Session) -> (Vec<u8>, String) {
    let text = state::save(session);
    let bytes = base64url::decode(&text).unwrap();
    (bytes[3..bytes.len() - 4].to_vec(), text)
}

fn played(case: &Value) -> Vec<Session> {
    let model = match &case["model"] {
        Value::Object(_) => {
            Model::from_json_text(&case["model"].to_string()).unwrap_or_else(|_| Model::builtin())
        }
        _ => Model::builtin(),
    };
    let model = Arc::new(model);
    let mut sessions: Vec<Session> = Vec::new();
    for event in case["events"].as_array().unwrap() {
        let Ok(event) = Event::from_json(&event.to_string(), Defaults::default()) else {
            continue;
        };
        let index = match sessions.iter().position(|s| s.visitor() == event.visitor) {
            Some(i) => i,
            None => {
                sessions.push(Session::new(model.clone(), &event.visitor));
                sessions.len() - 1
            }
        };
        let _ = sessions[index].track(&event, event.time);
    }
    sessions
}

fn state_seeds(root: &Path) -> (usize, usize) {
    let mut s = Seeds::new(root, "state_decode");
    let mut summaries = Seeds::new(root, "summary_check");
    for (name, case) in fixtures() {
        // Only the built-in model's states: the target restores with it.
        let builtin = !case["model"].is_object();
        for (i, session) in played(&case).iter().enumerate() {
            if builtin {
                let (body, text) = saved(session);
                // First byte: version 2 (odd), any visitor (0x80).
                let mut framed = vec![0x81];
                framed.extend_from_slice(&body);
                s.add(&format!("fixture-{name}-{i}.bin"), framed);
                s.add(&format!("fixture-{name}-{i}.txt"), text);
            }
            let now = session.state().last_seen;
            let options = SummaryOptions {
                include_email: true,
                ..SummaryOptions::default()
            };
            if let Some(summary) = session.summary(now, options) {
                summaries.add(&format!("fixture-{name}-{i}.json"), summary.to_json());
            }
        }
    }
    s.add("empty-body.bin", [0x01]);
    // A body with a 129-byte visitor: refused (`visitor: count over its bound`).
    let mut long = vec![0x81, 129];
    long.extend(std::iter::repeat_n(b'v', 129));
    s.add("hostile-visitor-129.bin", long);
    // A body with NUL and RTL in the visitor.
    let mut odd = vec![0x81, 9];
    odd.extend_from_slice("a\u{0}\u{202e}bcd".as_bytes());
    s.add("hostile-visitor-nul-rtl.bin", odd);
    (s.count, summaries.count)
}

fn summary_seeds(root: &Path) -> usize {
    let mut s = Seeds::new(root, "summary_check");
    let valid: Value = serde_json::from_slice(
        &fs::read(repo().join("tests/fixtures/summary/valid.json")).unwrap(),
    )
    .unwrap();
    s.json("valid.json", &valid);
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = valid.clone();
        edit(&mut v);
        v
    };
    // Issue 11: what the collector accepted and should not have.
    let cases: Vec<(&str, Value)> = vec![
        ("score-1e308", with(&|v| v["score"] = json!(1e308))),
        ("score-minus-1e308", with(&|v| v["score"] = json!(-1e308))),
        ("fit-huge", with(&|v| v["fit"] = json!(i64::MAX))),
        (
            "reason-points-huge",
            with(&|v| v["reasons"][0]["points"] = json!(i64::MIN)),
        ),
        (
            "year-0000",
            with(&|v| v["firstSeen"] = json!("0000-01-01T00:00:00.000Z")),
        ),
        (
            "year-9999",
            with(&|v| v["qualifiedAt"] = json!("9999-12-31T23:59:59.999Z")),
        ),
        ("stage-visitor", with(&|v| v["stage"] = json!("visitor"))),
        (
            "visitor-nul",
            with(&|v| v["visitor"] = json!("anon\u{0}42")),
        ),
        (
            "visitor-rtl",
            with(&|v| v["visitor"] = json!("anon\u{202e}24")),
        ),
        (
            "visitor-129",
            with(&|v| v["visitor"] = json!("v".repeat(129))),
        ),
        (
            "grade-80",
            with(&|v| v["grade"] = json!(format!("{}{}", "A".repeat(40), "1".repeat(40)))),
        ),
        ("grade-empty", with(&|v| v["grade"] = json!(""))),
        (
            "utm-control",
            with(&|v| v["source"]["first"]["utm"]["source"] = json!("\u{1}\u{1b}[31mgoogle\u{7f}")),
        ),
        ("unknown-field", with(&|v| v["extra"] = json!(1))),
        (
            "shadow",
            with(&|v| {
                v["shadow"] = json!({"model": "5986895c28dbc3ee", "score": 12, "stage": "lead"})
            }),
        ),
        (
            "number-1e3",
            with(&|v| v["traits"]["company.employee_count"] = json!(1000.0)),
        ),
    ];
    for (name, value) in cases {
        s.json(&format!("hostile-{name}.json"), &value);
    }
    s.add("not-json.txt", "{\"version\": 1,");
    s.count
}

fn mapping_seeds(root: &Path) -> usize {
    let mut s = Seeds::new(root, "mapping_read");
    if let Ok(example) = fs::read(repo().join("examples/x-education/map.json")) {
        s.add("x-education.json", example);
    }
    s.json(
        "every-kind.json",
        &json!({
            "version": 1,
            "id": "id",
            "outcome": {"column": "won", "converted": ["yes"], "notConverted": ["no"],
                        "amount": "amount", "closedAt": "closed"},
            "time": {"column": "created", "missing": ["", "n/a"]},
            "visitGapHours": 12,
            "pagePath": "/",
            "maxEventsPerLead": 100,
            "traits": [
                {"column": "title", "trait": "title", "type": "text"},
                {"column": "size", "trait": "company.employee_count", "type": "number", "min": 1, "max": 1e6},
                {"column": "industry", "trait": "company.industry", "categories": ["software", "retail"],
                 "notGiven": ["Select"], "notGivenAs": "not given"}
            ],
            "engagement": [
                {"column": "visits", "as": "visits"}, {"column": "pages", "as": "pages"},
                {"column": "ppv", "as": "pagesPerVisit"}, {"column": "secs", "as": "seconds"},
                {"column": "mins", "as": "minutes"}, {"column": "demos", "as": "count", "event": "Demo Requested"}
            ],
            "events": [
                {"column": "demo", "event": "Demo Requested", "when": ["1"], "properties": {"form": "demo", "n": 1, "b": true}},
                {"column": "activity", "eventFromValue": true}
            ]
        }),
    );
    s.json(
        "hostile.json",
        &json!({"version": 2, "id": "", "outcome": {"column": "x", "converted": [], "notConverted": []},
                "time": {"start": "0000-01-01T00:00:00Z", "column": "t"}, "visitGapHours": -1e308,
                "traits": [{"column": "a", "trait": "a", "type": "number", "min": 5, "max": 1},
                           {"column": "a", "trait": "a", "notGivenAs": ""}],
                "engagement": [{"column": "c", "as": "count"}, {"column": "v", "as": "visits", "event": "x"}],
                "events": [{"column": "e"}, {"column": "f", "eventFromValue": true, "when": ["1"],
                            "properties": {"nested": {"a": 1}}}], "unknown": true}),
    );
    s.add("not-json.txt", "{\"id\": ");
    s.count
}

fn glob_seeds(root: &Path) -> usize {
    let mut s = Seeds::new(root, "glob_match");
    // Issue 11: 30 s and 16.8 s with the backtracking matcher.
    s.add(
        "hostile-double-star.txt",
        format!("/**/**/**/**/pricing\n/{}", "a".repeat(2047)),
    );
    s.add(
        "hostile-star-a.txt",
        format!("/*a*a*a*a*b\n/{}", "a".repeat(199)),
    );
    s.add(
        "hostile-many-stars.txt",
        format!("{}b\n/{}", "**a".repeat(80), "a".repeat(3000)),
    );
    s.add(
        "hostile-over-limit.txt",
        format!("/{}\n/a", "*".repeat(300)),
    );
    for (name, case) in [
        ("exact", "/pricing\n/Pricing/#plans"),
        ("blog", "/blog/*\n/blog/how-to"),
        ("blog-deep", "/blog/*\n/blog/2026/how-to"),
        ("docs", "/docs/**\n/docs/a/b/c"),
        ("prefix", "**/pricing\n/en/pricing"),
        ("middle", "/a**c\n/aX/bYc"),
        ("root", "/\n/"),
        ("query", "/case-studies/*\n/case-studies/acme?utm_source=x"),
        ("short", "*a*\n/ba"),
    ] {
        s.add(&format!("{name}.txt"), case);
    }
    s.count
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus");
    let counts = [
        ("model_read", model_seeds(root)),
        ("event_apply", event_seeds(root)),
        ("mapping_read", mapping_seeds(root)),
        ("glob_match", glob_seeds(root)),
    ];
    let summary = summary_seeds(root);
    let (states, engine_summaries) = state_seeds(root);
    for (target, count) in counts {
        println!("{target}: {count} seeds");
    }
    println!("state_decode: {states} seeds");
    println!("summary_check: {} seeds", summary + engine_summaries);
    println!("in {}", corpus.display());
}
