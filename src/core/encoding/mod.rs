//! Byte encodings shared by saved state and compiled models: base64url text and CRC-32.
//!
//! NOTE: hand-written (≈ 90 lines) rather than the `base64` and `crc32fast` crates: both run
//! on a few hundred bytes per save, and the crates' generic engines and tables weigh more in
//! the browser's wasm than these loops: `base64` 3,479 B gzip, `crc32fast` 17,251 B gzip
//! (benches/size-alternatives.sh, benches/README.md).
pub mod base64url;
pub mod crc32;
