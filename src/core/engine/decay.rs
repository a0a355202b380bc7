//! Decay: a hit's weight halves every half-life.
//!
//! NOTE: every build uses the in-house [`exp2`] below, so native and wasm scores are the same
//! by construction, not merely within an ulp (a score on the rounding edge would otherwise
//! differ between runtimes); and the standard library's is libm's in wasm, whose 4 KB table
//! of doubles would be a sizeable, incompressible part of the module.

use crate::core::time::Millis;

/// The weight of a hit `age` ago: halves every `half_life`; no decay without one.
pub fn decay(half_life: Option<Millis>, age: Millis) -> f64 {
    match half_life {
        Some(h) if h > 0 => exp2(-(age.max(0) as f64) / h as f64),
        _ => 1.0,
    }
}

/// 2^(j/64) for j = 0…63, as IEEE bits (`tests` checks them against the standard library).
const TABLE: [u64; 64] = [
    0x3ff0000000000000,
    0x3ff02c9a3e778061,
    0x3ff059b0d3158574,
    0x3ff0874518759bc8,
    0x3ff0b5586cf9890f,
    0x3ff0e3ec32d3d1a2,
    0x3ff11301d0125b51,
    0x3ff1429aaea92de0,
    0x3ff172b83c7d517b,
    0x3ff1a35beb6fcb75,
    0x3ff1d4873168b9aa,
    0x3ff2063b88628cd6,
    0x3ff2387a6e756238,
    0x3ff26b4565e27cdd,
    0x3ff29e9df51fdee1,
    0x3ff2d285a6e4030b,
    0x3ff306fe0a31b715,
    0x3ff33c08b26416ff,
    0x3ff371a7373aa9cb,
    0x3ff3a7db34e59ff7,
    0x3ff3dea64c123422,
    0x3ff4160a21f72e2a,
    0x3ff44e086061892d,
    0x3ff486a2b5c13cd0,
    0x3ff4bfdad5362a27,
    0x3ff4f9b2769d2ca7,
    0x3ff5342b569d4f82,
    0x3ff56f4736b527da,
    0x3ff5ab07dd485429,
    0x3ff5e76f15ad2148,
    0x3ff6247eb03a5585,
    0x3ff6623882552225,
    0x3ff6a09e667f3bcd,
    0x3ff6dfb23c651a2f,
    0x3ff71f75e8ec5f74,
    0x3ff75feb564267c9,
    0x3ff7a11473eb0187,
    0x3ff7e2f336cf4e62,
    0x3ff82589994cce13,
    0x3ff868d99b4492ed,
    0x3ff8ace5422aa0db,
    0x3ff8f1ae99157736,
    0x3ff93737b0cdc5e5,
    0x3ff97d829fde4e50,
    0x3ff9c49182a3f090,
    0x3ffa0c667b5de565,
    0x3ffa5503b23e255d,
    0x3ffa9e6b5579fdbf,
    0x3ffae89f995ad3ad,
    0x3ffb33a2b84f15fb,
    0x3ffb7f76f2fb5e47,
    0x3ffbcc1e904bc1d2,
    0x3ffc199bdd85529c,
    0x3ffc67f12e57d14b,
    0x3ffcb720dcef9069,
    0x3ffd072d4a07897c,
    0x3ffd5818dcfba487,
    0x3ffda9e603db3285,
    0x3ffdfc97337b9b5f,
    0x3ffe502ee78b3ff6,
    0x3ffea4afa2a490da,
    0x3ffefa1bee615a27,
    0x3fff50765b6e4540,
    0x3fffa7c1819e90d8,
];

/// 2^x within 2 ulp of the exact value, exact for whole `x`: 2^x = 2^k · 2^(j/64) · 2^r with
/// |r| ≤ 1/128, the middle factor from [`TABLE`], the last from five terms of e^(r·ln 2).
///
/// NOTE: by hand rather than `f64::exp2`, which links libm's into the browser's wasm: 2,303 B
/// gzip more (benches/size-alternatives.sh); and every runtime computes the same bits.
pub fn exp2(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x >= 1024.0 {
        return f64::INFINITY;
    }
    if x < -1075.0 {
        return 0.0;
    }
    // NOTE: x·64 and n/64 are exact (powers of two), so r is exact too.
    let n = (x * 64.0 + 0.5).floor();
    let r = x - n / 64.0;
    let n = n as i64;
    let (k, j) = (n.div_euclid(64), n.rem_euclid(64) as usize);
    let t = r * std::f64::consts::LN_2;
    let expm1 = t * (1.0 + t * (0.5 + t * (1.0 / 6.0 + t * (1.0 / 24.0 + t / 120.0))));
    let base = f64::from_bits(TABLE.get(j).copied().unwrap_or(0x3ff0_0000_0000_0000));
    scale(base + base * expm1, k as i32)
}

/// `value · 2^n` for `value` in [0.5, 2): exact unless the result is subnormal.
fn scale(value: f64, n: i32) -> f64 {
    let power = |n: i32| f64::from_bits(((n + 1023) as u64) << 52);
    if n < -1022 {
        value * power(-1022) * power((n + 1022).max(-1022))
    } else {
        value * power(n.min(1023))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_per_half_life() {
        let day = crate::core::time::DAY;
        assert_eq!(decay(Some(30 * day), 30 * day), 0.5);
        assert_eq!(decay(Some(30 * day), 60 * day), 0.25);
        assert_eq!(decay(None, 1000 * day), 1.0);
        assert_eq!(decay(Some(day), -day), 1.0);
    }

    #[test]
    fn the_table_holds_the_powers_it_names() {
        for (j, bits) in TABLE.iter().enumerate() {
            let expected = (j as f64 / 64.0).exp2();
            assert!(
                f64::from_bits(*bits).to_bits().abs_diff(expected.to_bits()) <= 1,
                "2^({j}/64)"
            );
        }
    }

    #[test]
    fn exp2_is_within_two_ulp_of_the_platform_and_exact_on_whole_numbers() {
        for n in -1074..1024 {
            assert_eq!(exp2(f64::from(n)), f64::from(n).exp2(), "2^{n}");
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut worst = 0;
        for i in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let unit = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let x = -unit * if i % 2 == 0 { 8.0 } else { 1100.0 };
            let ulps = exp2(x).to_bits().abs_diff(x.exp2().to_bits());
            worst = worst.max(ulps);
        }
        assert!(worst <= 2, "worst difference {worst} ulp");
        assert_eq!(exp2(-2000.0), 0.0);
        assert_eq!(exp2(2000.0), f64::INFINITY);
        assert!(exp2(f64::NAN).is_nan());
    }
}
