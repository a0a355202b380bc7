//! The native command, run as a user would: `leadpulse replay | validate | model`.
use std::io::Write;
use std::process::{Command, Stdio};

fn leadpulse(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const EVENTS: &str = r#"{"type":"page","anonymousId":"b","timestamp":"2026-11-10T09:00:00Z","properties":{"path":"/pricing"}}
{"type":"page","anonymousId":"a","timestamp":"2026-11-10T08:00:00Z","properties":{"path":"/blog/x"}}
this is not json
{"type":"engagement","anonymousId":"a","timestamp":"2026-11-10T08:01:00Z","properties":{"seconds":"ten"}}
{"type":"track","anonymousId":"b","timestamp":"2026-11-12T09:00:00Z","event":"Demo Requested"}
"#;

#[test]
fn replay_prints_one_line_per_visitor_and_reports_bad_lines() {
    let (code, stdout, stderr) = leadpulse(&["replay", "-"], EVENTS);
    assert_eq!(code, 1, "rejected lines make the exit code non-zero");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["visitor"].as_str(), lines[1]["visitor"].as_str()),
        (Some("b"), Some("a")),
        "order of first appearance"
    );
    assert_eq!(
        lines[0]["reasons"][0],
        serde_json::json!({"rule": "demo_request", "points": 20})
    );
    assert!(lines[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.as_object().unwrap().len() == 2));
    for key in [
        "score",
        "fit",
        "engagement",
        "grade",
        "stage",
        "status",
        "qualified",
        "qualifiedAt",
        "reasons",
        "frameworks",
        "nextQuestion",
        "action",
        "bot",
        "botReason",
        "sessions",
        "engagedSeconds",
        "firstSeen",
    ] {
        assert!(lines[0].get(key).is_some(), "snapshot field {key}");
    }
    assert!(
        stderr.contains("line 3: (root): not JSON: expected ident at line 1 column 2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4: properties.seconds: expected a number, found a string"),
        "{stderr}"
    );
}

#[test]
fn replay_at_a_later_time_applies_decay_and_reads_files() {
    let dir = std::env::temp_dir().join(format!("lp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("events.jsonl");
    let good: String = EVENTS
        .lines()
        .filter(|l| !l.contains("not json") && !l.contains("ten"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, good).unwrap();
    let (code, now, _) = leadpulse(&["replay", file.to_str().unwrap()], "");
    assert_eq!(code, 0);
    let (_, later, _) = leadpulse(
        &[
            "replay",
            "--at",
            "2027-06-01T00:00:00Z",
            file.to_str().unwrap(),
        ],
        "",
    );
    let score = |out: &str| {
        serde_json::from_str::<serde_json::Value>(out.lines().next().unwrap()).unwrap()["score"]
            .as_i64()
            .unwrap()
    };
    assert!(
        score(&later) < score(&now) / 2,
        "{} vs {}",
        score(&later),
        score(&now)
    );
    let (code, _, stderr) = leadpulse(&["replay", "--at", "soon", file.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("'soon' is neither an ISO-8601 time"),
        "{stderr}"
    );
    // Times events may not have are refused too, naming the range.
    for at in ["99999999999999999", "-1", "1999-12-31T23:59:59Z", "0"] {
        let flag = format!("--at={at}");
        let (code, _, stderr) = leadpulse(&["replay", &flag, file.to_str().unwrap()], "");
        assert_eq!(code, 2, "{at}");
        assert!(
            stderr.contains(&format!("'{at}' is outside the years events may have"))
                && stderr.contains("2000-01-01T00:00:00.000Z")
                && stderr.contains("9999-12-31T23:59:59.999Z"),
            "{at}: {stderr}"
        );
    }
}

#[test]
fn validate_lists_every_problem_and_model_prints_the_builtin() {
    let (code, builtin, _) = leadpulse(&["model"], "");
    assert_eq!(code, 0);
    let dir = std::env::temp_dir().join(format!("lp-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, &builtin).unwrap();
    let (code, stdout, _) = leadpulse(&["validate", good.to_str().unwrap()], "");
    assert_eq!(code, 0);
    assert!(stdout.contains("ok") && stdout.contains("BANT"), "{stdout}");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        builtin
            .replace("\"halfLifeDays\": 30", "\"halfLifeDayz\": 30")
            .replace("\"warm\": 20", "\"warm\": 99"),
    )
    .unwrap();
    let (code, _, stderr) = leadpulse(&["validate", bad.to_str().unwrap()], "");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("rules[0].halfLifeDayz: unknown field"),
        "{stderr}"
    );
    assert!(
        stderr.contains("status.hot: must be above status.warm"),
        "{stderr}"
    );
}

#[test]
fn every_command_answers_help_and_the_version() {
    let (code, stdout, _) = leadpulse(&["--version"], "");
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        format!("leadpulse {}", env!("CARGO_PKG_VERSION"))
    );
    for command in ["validate", "compile", "replay", "model", "serve"] {
        let (code, stdout, stderr) = leadpulse(&[command, "--help"], "");
        assert_eq!(code, 0, "{command}: {stderr}");
        assert!(
            stdout.contains(&format!("Usage: leadpulse {command}")),
            "{command}: {stdout}"
        );
    }
    let (_, stdout, _) = leadpulse(&["serve", "--help"], "");
    for flag in [
        "--listen",
        "--api-token",
        "--allow-origin",
        "--webhook",
        "--owner-rules",
        "--crm <CRM>",
        "LEADPULSE_HUBSPOT_TOKEN",
        "LEADPULSE_SALESFORCE_CLIENT_ID",
        "--crm-map",
        "--salesforce-poll",
    ] {
        assert!(stdout.contains(flag), "serve --help names {flag}");
    }
    let (code, _, stderr) = leadpulse(&["nonsense"], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unrecognized subcommand 'nonsense'"),
        "{stderr}"
    );
}

/// Runs `leadpulse ARGS` with raw bytes on stdin.
fn leadpulse_bytes(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin_pipe = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    // Written from a thread: the command may stop reading (and exit) before all is written.
    let writer = std::thread::spawn(move || {
        let _ = stdin_pipe.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn replay_skips_invalid_utf8_and_overlong_lines_and_stops_on_endless_ones() {
    let good = r#"{"type":"page","anonymousId":"a","timestamp":"2026-11-10T08:00:00Z","properties":{"path":"/pricing"}}"#;
    let mut input = Vec::new();
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\n{\"type\":\"page\",\"anonymousId\":\"b\xff\xfe\"}\n");
    input.extend_from_slice(&vec![b'x'; 70 * 1024]);
    input.extend_from_slice(b"\n");
    input.extend_from_slice(good.replace("\"a\"", "\"c\"").as_bytes());
    input.extend_from_slice(b"\n");
    let (code, stdout, stderr) = leadpulse_bytes(&["replay", "-"], &input);
    assert_eq!(code, 1, "bad lines make the exit code 1: {stderr}");
    assert_eq!(stdout.lines().count(), 2, "both good visitors: {stdout}");
    assert!(
        stderr.contains("line 2") && stderr.contains("not UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 3") && stderr.contains("longer than"),
        "{stderr}"
    );

    // A stream with no line end at all (think /dev/zero): stops with a clear error, bounded.
    let endless = vec![0u8; 20 * 1024 * 1024];
    let (code, _, stderr) = leadpulse_bytes(&["replay", "-"], &endless);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a JSONL file"), "{stderr}");
}
