//! The scoring engine: pure Rust. No clock, no randomness, no I/O, no wasm types.
