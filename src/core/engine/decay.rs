//! Decay: a hit's weight halves every half-life.
//!
//! NOTE: the wasm build uses the in-house [`exp2`] below: the standard library's is libm's
//! there, whose 4 KB table of doubles is a sizeable, incompressible part of the module.
//! Native builds keep the platform's, which is faster (decay runs for every decayed rule of
//! every read). Both are within an ulp of the exact value, which is all scores need: they
//! are rounded to whole points.

use crate::core::time::Millis;

/// The weight of a hit `age` ago: halves every `half_life`; no decay without one.
pub fn decay(half_life: Option<Millis>, age: Millis) -> f64 {
    match half_life {
        Some(h) if h > 0 => power_of_two(-(age.max(0) as f64) / h as f64),
        _ => 1.0,
    }
}

#[cfg(target_arch = "wasm32")]
fn power_of_two(x: f64) -> f64 {
    exp2(x)
}

#[cfg(not(target_arch = "wasm32"))]
fn power_of_two(x: f64) -> f64 {
    x.exp2()
}

/// `1/k!` for k = 2…13.
const C: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// 2^x, correctly rounded but for rare near-ties (within 0.53 ulp); exact for whole `x`.
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
    // x = n + r with n whole and |r| ≤ 1/2, so 2^x = 2^n · e^t with t = r·ln 2, |t| < 0.35.
    let n = (x + 0.5).floor();
    let r = x - n;
    // t as an unevaluated sum t_hi + t_lo, from products that are exact: r is split in a
    // 21-bit head and the rest, and ln 2 = LN2_HI (21 bits) + LN2_LO.
    const LN2_HI: f64 = 0.693_147_180_369_123_8; // 0x3fe6_2e42_fee0_0000
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10; // 0x3dea_39ef_3579_3c76
    let r_head = f64::from_bits(r.to_bits() & 0xffff_ffff_0000_0000);
    let (a, b) = (r_head * LN2_HI, (r - r_head) * LN2_HI);
    let t_hi = a + b;
    let t_lo = two_sum_error(a, b, t_hi) + r * LN2_LO;
    // e^t = 1 + t + t²/2! + … (Taylor to degree 13: exact to well under an ulp here), with
    // the leading `1 + t_hi` kept exact as `head + error` until the final rounding.
    // Σ t^(k-2)/k! for k = 2…13 in Estrin's scheme: independent pairs rather than one long
    // Horner chain (this runs for every decayed rule of every read).
    let [c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13] = C;
    let (t, t2) = (t_hi, t_hi * t_hi);
    let t4 = t2 * t2;
    let low = (c2 + c3 * t) + (c4 + c5 * t) * t2;
    let mid = (c6 + c7 * t) + (c8 + c9 * t) * t2;
    let high = (c10 + c11 * t) + (c12 + c13 * t) * t2;
    let tail = low + (mid + high * t4) * t4;
    let q = t2 * tail;
    let head = 1.0 + t_hi;
    let error = (1.0 - head) + t_hi;
    let e = head + (error + q + t_lo * (1.0 + t_hi + q));
    scale(e, n as i32)
}

/// The rounding error of `sum = a + b` (Knuth's TwoSum: exact whatever the magnitudes).
fn two_sum_error(a: f64, b: f64, sum: f64) -> f64 {
    let b_virtual = sum - a;
    let a_virtual = sum - b_virtual;
    (a - a_virtual) + (b - b_virtual)
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
    fn exp2_is_within_an_ulp_of_the_platform_and_exact_on_whole_numbers() {
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
        assert!(worst <= 1, "worst difference {worst} ulp");
        assert_eq!(exp2(-2000.0), 0.0);
        assert_eq!(exp2(2000.0), f64::INFINITY);
        assert!(exp2(f64::NAN).is_nan());
    }
}
