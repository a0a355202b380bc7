//! LeadPulse: live lead-intent scoring — the core.
//!
//! Three crates, one direction of dependency (docs/design.md, "Crates"):
//! - this one, [`core`]: pure Rust, time passed in, no I/O, no wasm types (its dependencies:
//!   serde, serde_json, serde_path_to_error, postcard — nothing that could do I/O on its own);
//! - `crates/leadpulse-wasm`: thin wasm-bindgen adapters, one file per JS class;
//! - `crates/leadpulse-cli`: the native `leadpulse` command.

pub mod core;

/// The crate version, as stamped into the npm package and every summary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
