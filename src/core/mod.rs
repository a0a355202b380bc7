//! The scoring engine: pure Rust. No clock, no randomness, no I/O, no wasm types.
// NOTE: no panics in the core: these lints hold for all non-test code (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![forbid(unsafe_code)]
// No clock, no files, no sockets, no environment from std either (clippy.toml lists them; the
// crate's manifest already keeps out every dependency that could do I/O).
#![deny(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod contract;
pub mod encoding;
pub mod engine;
pub mod event;
pub mod glob;
pub mod json;
pub mod model;
pub mod number;
pub mod request;
pub mod snapshot;
pub mod sort;
pub mod sorted_map;
pub mod state;
pub mod summary;
pub mod text;
pub mod time;
