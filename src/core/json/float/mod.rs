//! Decimal ⇄ binary conversion of f64, in-house: core's `dec2flt` and `flt2dec` (what
//! `str::parse::<f64>` and `{}` on an f64 link in) are the largest pieces of a wasm build.
//!
//! Reading ([`read`]) is correctly rounded for up to 19 significant digits: Clinger's fast
//! path when it is exact, else an approximation corrected one ulp at a time against exact
//! big-integer comparisons. Digits beyond the 19th only count as "something follows", so a
//! longer input that lies extremely close to a rounding boundary may come out one ulp off.
//!
//! Writing ([`format`]) finds the shortest digits that read back as the same f64 (the
//! closest such when several are equally short): the digits that serde_json's formatter and
//! Rust's `Display` print.
mod format;
mod read;

pub use format::{display, shortest, write_json, Ties};
pub use read::{parse_finite, read_exponent, Decimal};

/// `(m, e)` with value `m × 2^e`; infinity reads as 2^1024, the next value after `MAX`.
fn decompose(bits: u64) -> (u64, i64) {
    let exponent = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent - 1075)
    }
}
