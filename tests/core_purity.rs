//! The core stays pure: no wasm types, no clock, no randomness, no I/O (DESIGN.md).
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_imports_nothing_impure() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"),
        &mut files,
    );
    assert!(files.len() > 10, "found the core sources");
    let forbidden = [
        "wasm_bindgen",
        "js_sys",
        "web_sys",
        "serde_wasm_bindgen",
        "SystemTime",
        "Instant::",
        "std::fs",
        "std::net",
        "std::io",
        "std::env",
        "rand::",
        "getrandom",
        "thread::",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            assert!(!text.contains(word), "{} mentions {word}", file.display());
        }
    }
}
