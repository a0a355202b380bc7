//! LeadPulse: live lead-intent scoring.
//!
//! Three layers, one direction of dependency (docs/design.md):
//! - [`core`]: pure Rust, time passed in, no I/O, no wasm types;
//! - `wasm` (wasm32 only): thin wasm-bindgen adapters, one file per JS class;
//! - `src/bin/leadpulse`: the native command (`cli` feature).

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The crate version, as stamped into the npm package and every summary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
