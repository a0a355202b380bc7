//! Byte encodings shared by saved state and compiled models: base64url text and CRC-32.
//!
//! NOTE: hand-written (≈ 90 lines) rather than the `base64` and `crc32fast` crates: both run
//! on a few hundred bytes per save, and the crates' generic engines and tables would weigh
//! more in the browser's wasm than these loops (see benches/README.md, "Size").
pub mod base64url;
pub mod crc32;
