//! Compiled models: the built-in one embedded in the engine is the compiled `builtin.json`,
//! and any model survives compiling unchanged; a corrupt or foreign one is refused clearly.
//!
//! `LEADPULSE_BLESS=1 cargo test -p leadpulse --test core model_compiled::` rewrites `src/core/model/builtin.lpm`
//! after a change of `builtin.json` or of the model structs (then bump `compiled::FORMAT`).
use crate::common;

use leadpulse::core::model::{compiled, Model, BUILTIN_COMPILED, BUILTIN_JSON};

#[test]
fn the_embedded_builtin_model_is_the_compiled_json_one() {
    let model = Model::from_json_text(BUILTIN_JSON).unwrap();
    let bytes = compiled::encode(&model);
    if std::env::var("LEADPULSE_BLESS").is_ok_and(|v| v == "1") {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/core/model/builtin.lpm");
        std::fs::write(path, &bytes).unwrap();
        return;
    }
    assert!(
        BUILTIN_COMPILED == bytes.as_slice(),
        "src/core/model/builtin.lpm is stale: run LEADPULSE_BLESS=1 cargo test -p leadpulse --test core model_compiled::"
    );
    assert_eq!(Model::builtin(), model);
    assert_eq!(Model::builtin().hash, model.hash);
}

#[test]
fn a_model_survives_compiling_as_bytes_and_as_text() {
    let model = common::model_with(
        serde_json::json!([
            { "id": "docs", "when": { "page": "/docs/**" }, "points": 4, "halfLifeDays": 10 },
            { "id": "cto", "when": { "trait": "title", "equals": "CTO" }, "points": 12 },
            { "id": "flag", "when": { "trait": "beta", "equals": true }, "points": 3 },
            { "id": "size", "when": { "trait": "company.size", "equals": 250 }, "points": 3 }
        ]),
        serde_json::json!({}),
    );
    assert_eq!(compiled::decode(&compiled::encode(&model)).unwrap(), *model);
    let text = compiled::encode_text(&model);
    assert!(compiled::is_compiled_text(&text));
    assert_eq!(compiled::decode_text(&text).unwrap(), *model);
}

#[test]
fn corrupt_foreign_and_other_format_models_are_refused() {
    let bytes = compiled::encode(&Model::builtin());
    let mut flipped = bytes.clone();
    flipped[40] ^= 1;
    assert_eq!(
        compiled::decode(&flipped),
        Err(compiled::CompiledError::Checksum)
    );
    let mut other = bytes.clone();
    other[3] = compiled::FORMAT + 1;
    let error = compiled::decode(&other).unwrap_err();
    assert!(error.describe().contains("compile it again"), "{error}");
    assert_eq!(
        compiled::decode(b"{\"version\": 1}"),
        Err(compiled::CompiledError::NotCompiled)
    );
    assert_eq!(
        compiled::decode(&bytes[..10]),
        Err(compiled::CompiledError::Checksum)
    );
    assert!(compiled::decode_text("TFBN***").is_err());
}
