//! Decimal text → f64 (the guarantees are in the module docs).
use std::cmp::Ordering;

use super::super::bignum::Big;
use super::decompose;

/// Powers of ten that an f64 holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
const MAX_DIGITS: u32 = 19;
const INFINITY_BITS: u64 = 0x7ff0_0000_0000_0000;

/// A decimal number as it is read: `mantissa × 10^exp10`, plus whether non-zero digits
/// beyond the 19th were dropped.
#[derive(Debug, Default, Clone, Copy)]
pub struct Decimal {
    pub mantissa: u64,
    pub exp10: i64,
    digits: u32,
    pub truncated: bool,
}

impl Decimal {
    /// Adds one digit (0–9) before or after the decimal point.
    pub fn push(&mut self, digit: u8, after_point: bool) {
        if self.mantissa == 0 && digit == 0 {
            // A leading zero: only its position counts.
            self.exp10 -= i64::from(after_point);
        } else if self.digits < MAX_DIGITS {
            self.mantissa = self.mantissa * 10 + u64::from(digit);
            self.digits += 1;
            self.exp10 -= i64::from(after_point);
        } else {
            self.truncated |= digit != 0;
            self.exp10 += i64::from(!after_point);
        }
    }

    /// Applies an explicit exponent (`e-7`).
    pub fn scale(&mut self, exp10: i64) {
        self.exp10 = self.exp10.saturating_add(exp10);
    }

    /// The nearest f64 (non-negative; infinite when out of range).
    pub fn to_f64(self) -> f64 {
        to_f64(self.mantissa, self.exp10, self.truncated)
    }
}

/// Reads a number the way Rust's `str::parse::<f64>` does (`+1.5e3`, `.5`, `5.`), except
/// that `inf`/`nan` and out-of-range values give `None`: the callers only want finite numbers.
pub fn parse_finite(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, mut pos) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut decimal = Decimal::default();
    let mut seen_digit = false;
    let mut after_point = false;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'0'..=b'9' => {
                decimal.push(b - b'0', after_point);
                seen_digit = true;
            }
            b'.' if !after_point => after_point = true,
            _ => break,
        }
        pos += 1;
    }
    if !seen_digit {
        return None;
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        let (exp, end) = read_exponent(bytes, pos + 1)?;
        decimal.scale(exp);
        pos = end;
    }
    let value = decimal.to_f64();
    (pos == bytes.len() && value.is_finite()).then_some(if negative { -value } else { value })
}

/// `[+-]digits` from `pos`: the exponent (saturated far beyond any f64) and where it ends.
pub fn read_exponent(bytes: &[u8], pos: usize) -> Option<(i64, usize)> {
    let (negative, mut pos) = match bytes.get(pos) {
        Some(b'-') => (true, pos + 1),
        Some(b'+') => (false, pos + 1),
        _ => (false, pos),
    };
    let start = pos;
    let mut exp: i64 = 0;
    while let Some(d) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
        exp = (exp * 10 + i64::from(d - b'0')).min(1_000_000);
        pos += 1;
    }
    (pos > start).then_some((if negative { -exp } else { exp }, pos))
}

/// The f64 nearest to `mantissa × 10^exp10` (plus a little more when `truncated`).
pub(super) fn to_f64(mantissa: u64, exp10: i64, truncated: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    // mantissa < 10^19: anything above 10^310 overflows, anything below 10^-325 is zero.
    if exp10 > 310 {
        return f64::INFINITY;
    }
    if exp10 < -343 {
        return 0.0;
    }
    let exact = !truncated && mantissa < (1 << 53);
    match (exact, POW10.get(exp10.unsigned_abs() as usize)) {
        (true, Some(&pow)) if exp10 >= 0 => return mantissa as f64 * pow,
        (true, Some(&pow)) => return mantissa as f64 / pow,
        _ => {}
    }
    let bits = correct(
        mantissa,
        exp10,
        truncated,
        approximate(mantissa, exp10).to_bits(),
    );
    f64::from_bits(bits)
}

/// Within a few ulps of the true value: each step rounds once.
fn approximate(mantissa: u64, mut exp10: i64) -> f64 {
    let mut x = mantissa as f64;
    while exp10 > 22 {
        x *= 1e22;
        exp10 -= 22;
    }
    while exp10 < -22 {
        x /= 1e22;
        exp10 += 22;
    }
    let pow = POW10
        .get(exp10.unsigned_abs() as usize)
        .copied()
        .unwrap_or(1.0);
    if exp10 >= 0 {
        x * pow
    } else {
        x / pow
    }
}

/// Moves `bits` (a non-negative f64, possibly infinite) one ulp at a time until the decimal
/// lies within half an ulp of it; exact halves go to the even neighbour.
fn correct(mantissa: u64, exp10: i64, truncated: bool, mut bits: u64) -> u64 {
    for _ in 0..64 {
        if bits < INFINITY_BITS {
            match compare(mantissa, exp10, truncated, midpoint(bits)) {
                Some(Ordering::Greater) => {
                    bits += 1;
                    continue;
                }
                Some(Ordering::Equal) => return bits + (bits & 1),
                Some(Ordering::Less) => {}
                None => return bits,
            }
        }
        if bits > 0 {
            match compare(mantissa, exp10, truncated, midpoint(bits - 1)) {
                Some(Ordering::Less) => {
                    bits -= 1;
                    continue;
                }
                Some(Ordering::Equal) => return bits - (bits & 1),
                Some(Ordering::Greater) | None => {}
            }
        }
        break;
    }
    bits
}

/// The exact midpoint between the f64 with `bits` and the next one up, as `(m, e)`.
fn midpoint(bits: u64) -> (u64, i64) {
    let (m1, e1) = decompose(bits);
    let (m2, e2) = decompose(bits + 1);
    let m2 = m2 << u32::from(e2 > e1);
    (m1 + m2, e1 - 1)
}

/// The decimal (`truncated`: a little more than it) against `m × 2^e`; `None` when unsure.
fn compare(mantissa: u64, exp10: i64, truncated: bool, binary: (u64, i64)) -> Option<Ordering> {
    match compare_exact(mantissa, exp10, binary)? {
        // NOTE: when truncated, the true value lies in (mantissa, mantissa + 1) × 10^exp10;
        // a boundary inside that gap would take the dropped digits to place: this rounds
        // toward the kept ones (the documented one-ulp leeway).
        Ordering::Equal if truncated => Some(Ordering::Greater),
        order => Some(order),
    }
}

fn compare_exact(mantissa: u64, exp10: i64, (m, e): (u64, i64)) -> Option<Ordering> {
    let (mut decimal, mut binary) = (Big::from_u64(mantissa), Big::from_u64(m));
    let pow = u32::try_from(exp10.unsigned_abs()).ok()?;
    let shift = u32::try_from(e.unsigned_abs()).ok()?;
    if exp10 >= 0 {
        decimal.mul_pow10(pow);
    } else {
        binary.mul_pow10(pow);
    }
    if e >= 0 {
        binary.shl(shift);
    } else {
        decimal.shl(shift);
    }
    (!decimal.overflow && !binary.overflow).then(|| decimal.compare(&binary))
}
