//! The held-out split `fit` learns around and `compare --holdout` measures on
//! (docs/learning.md, "The held-out split").
use leadpulse::core::model::fnv1a64;

/// A lead is held out when the FNV-1a 64 hash of "SEED:KEY" modulo 1,000,000 is below
/// SHARE × 1,000,000 — the same lead always lands on the same side, whatever the file order.
pub fn held_out(key: &str, share: f64, seed: u64) -> bool {
    let hash = fnv1a64(format!("{seed}:{key}").as_bytes());
    ((hash % 1_000_000) as f64) < share * 1_000_000.0
}
