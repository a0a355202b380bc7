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
