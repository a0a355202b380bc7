//! `--crm` refuses to start on a configuration that cannot work, saying what to fix: a
//! missing or doubled credential (named, never shown), a mapping file's mistakes (every one,
//! with its JSON path).
use crate::harness::{serve_command, site};

/// `serve ARGS` with `env`: its exit code and stderr (it must not start).
fn refused(name: &str, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = site(name);
    let map = dir.join("crm-map.json");
    std::fs::write(
        &map,
        r#"{"owners": {"ana": "ana"}, "hubspot": {"properties": {"hubspot_owner_id": "owner", "industry": "trait:"}},
            "salesforce": {"externalId": "LeadPulse Id", "statuses": {"won": 1}}}"#,
    )
    .unwrap();
    let map = map.display().to_string();
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "MAP" { map.as_str() } else { a })
        .collect();
    let output = serve_command(&dir, &args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_crm_without_its_credentials_is_refused_naming_them() {
    let (code, stderr) = refused("crm-no-token", &["--crm", "hubspot"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--crm hubspot needs LEADPULSE_HUBSPOT_TOKEN"),
        "{stderr}"
    );

    let (code, stderr) = refused(
        "crm-no-instance",
        &["--crm", "salesforce"],
        &[("LEADPULSE_SALESFORCE_TOKEN", "x")],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--crm salesforce needs LEADPULSE_SALESFORCE_URL"),
        "{stderr}"
    );

    let env = [
        (
            "LEADPULSE_SALESFORCE_URL",
            "https://example.my.salesforce.com",
        ),
        ("LEADPULSE_SALESFORCE_TOKEN", "00Dsecret-token-value"),
        ("LEADPULSE_SALESFORCE_CLIENT_ID", "3MVGsecret-client-id"),
    ];
    let (code, stderr) = refused("crm-two-credentials", &["--crm", "salesforce"], &env);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("set LEADPULSE_SALESFORCE_TOKEN alone, or LEADPULSE_SALESFORCE_CLIENT_ID with LEADPULSE_SALESFORCE_CLIENT_SECRET"), "{stderr}");
    assert!(
        !stderr.contains("secret-token-value") && !stderr.contains("secret-client-id"),
        "{stderr}"
    );
}

#[test]
fn a_mapping_files_mistakes_are_listed_with_their_paths() {
    let env = [("LEADPULSE_HUBSPOT_TOKEN", "pat-na1-secret-value")];
    let (code, stderr) = refused(
        "crm-bad-map",
        &["--crm", "hubspot", "--crm-map", "MAP"],
        &env,
    );
    assert_eq!(code, Some(2), "{stderr}");
    for expected in [
        "owners.ana: expected the rep's e-mail address",
        "hubspot.properties.hubspot_owner_id: written by the collector itself",
        "hubspot.properties.industry: expected one of lead, score",
        "salesforce.externalId: expected a field's API name",
        "salesforce.statuses.won: expected a Lead Status value, or null",
    ] {
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
    assert!(!stderr.contains("pat-na1-secret-value"), "{stderr}");
    let (code, stderr) = refused("crm-map-alone", &["--crm-map", "MAP"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--crm-map needs --crm hubspot or --crm salesforce"),
        "{stderr}"
    );
}
