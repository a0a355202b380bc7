//! f64 → decimal text (the guarantees are in the module docs).
use std::cmp::Ordering;

use super::super::bignum::Big;
use super::super::write::write_u64;
use super::decompose;
use super::read::to_f64;

/// How a tie between two equally close shortest candidates is broken.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// serde_json's formatter (zmij), like Ryū.
    Even,
    /// Rust's `Display`.
    Up,
}

/// The shortest digits that read back as `value` (finite), the closest such:
/// `|value| ≈ digits × 10^exp10`, without trailing zeros.
pub fn shortest(value: f64, ties: Ties) -> (u64, i64) {
    let value = value.abs();
    if value < 9_007_199_254_740_992.0 && (value as u64) as f64 == value {
        // Whole numbers below 2^53 are their own shortest digits.
        return strip_zeros(value as u64, 0);
    }
    let bits = value.to_bits();
    let (m, e) = decompose(bits);
    let (digits, k, sticky) = exact_digits(m, e);
    // The closest candidate of `p` digits that reads back, if one does.
    let candidate = |p: usize| -> Option<(u64, i64)> {
        let head = digits
            .iter()
            .take(p)
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d));
        let mut rest = digits.iter().skip(p);
        let up_is_closer = match rest.next() {
            Some(&5) if ties == Ties::Even && head % 2 == 0 => rest.any(|&d| d != 0) || sticky,
            next => next.is_some_and(|&d| d >= 5),
        };
        let exp10 = k - (p as i64 - 1);
        let order = if up_is_closer {
            [head + 1, head]
        } else {
            [head, head + 1]
        };
        let found = order
            .into_iter()
            .find(|&c| to_f64(c, exp10, false).to_bits() == bits)?;
        Some(strip_zeros(found, exp10))
    };
    // NOTE: 17 digits always read back (the 18th only tells which 17 are closest), and if
    // `p` digits read back so do `p + 1`: a binary search finds the fewest.
    let (mut low, mut high) = (1, digits.len() - 1);
    let mut best = candidate(high);
    while low < high {
        let mid = (low + high) / 2;
        match candidate(mid) {
            Some(found) => {
                best = Some(found);
                high = mid;
            }
            None => low = mid + 1,
        }
    }
    best.unwrap_or((0, 0))
}

fn strip_zeros(mut digits: u64, mut exp10: i64) -> (u64, i64) {
    while digits != 0 && digits % 10 == 0 {
        digits /= 10;
        exp10 += 1;
    }
    (digits, exp10)
}

/// The first 18 significant digits of `m × 2^e` exactly (truncated), the decimal exponent
/// of the first, and whether anything non-zero follows the 18th.
fn exact_digits(m: u64, e: i64) -> ([u8; 18], i64, bool) {
    let top_bit = e + 63 - i64::from(m.leading_zeros());
    // ⌊top_bit × log10(2)⌋, off by at most one either way: corrected below.
    let mut k = (top_bit * 78_913) >> 18;
    let (mut num, mut den) = (Big::from_u64(m), Big::from_u64(1));
    let (pow, shift) = (k.unsigned_abs() as u32, e.unsigned_abs() as u32);
    if e >= 0 {
        num.shl(shift);
    } else {
        den.shl(shift);
    }
    if k >= 0 {
        den.mul_pow10(pow);
    } else {
        num.mul_pow10(pow);
    }
    if num.compare(&den) == Ordering::Less {
        num.mul_small(10);
        k -= 1;
    }
    let mut den10 = den.clone();
    den10.mul_small(10);
    if num.compare(&den10) != Ordering::Less {
        k += 1;
        den = den10;
    }
    let mut digits = [0u8; 18];
    for slot in digits.iter_mut() {
        let mut digit = 0;
        while digit < 9 && num.compare(&den) != Ordering::Less {
            num.sub(&den);
            digit += 1;
        }
        *slot = digit;
        num.mul_small(10);
    }
    (digits, k, !num.is_zero())
}

/// Appends `value` as serde_json prints an f64 (its formatter, zmij, lays out the shortest
/// digits so: `1.0`, `0.5`, `0.00001`, `1e+16`, `1.5e-7`), and `null` when it is not
/// finite (JSON has no NaN or infinity).
pub fn write_json(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    if value.is_sign_negative() {
        out.push('-');
    }
    if value == 0.0 {
        out.push_str("0.0");
        return;
    }
    let (digits, k) = shortest(value, Ties::Even);
    let text = digits_text(digits);
    let length = text.len() as i64;
    let exp10 = length + k - 1; // 10^exp10 <= value < 10^(exp10 + 1)
    if (-5..=15).contains(&exp10) && k >= 0 {
        out.push_str(&text);
        push_zeros(out, k);
        out.push_str(".0");
    } else if (0..=15).contains(&exp10) {
        let (int, frac) = text
            .split_at_checked(exp10 as usize + 1)
            .unwrap_or((&text, ""));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if (-5..0).contains(&exp10) {
        out.push_str("0.");
        push_zeros(out, -exp10 - 1);
        out.push_str(&text);
    } else {
        let (first, more) = text.split_at_checked(1).unwrap_or((&text, ""));
        out.push_str(first);
        if !more.is_empty() {
            out.push('.');
            out.push_str(more);
        }
        out.push_str(if exp10 < 0 { "e-" } else { "e+" });
        write_u64(out, exp10.unsigned_abs());
    }
}

/// `value` as Rust's `Display` prints an f64 — `5`, `0.5`, `1000000000000000000000`,
/// `0.00000015`, `-0`, `inf`, `NaN` — for messages and the text form of numbers.
pub fn display(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    let mut out = String::new();
    if value.is_sign_negative() {
        out.push('-');
    }
    if value.is_infinite() {
        out.push_str("inf");
    } else if value == 0.0 {
        out.push('0');
    } else {
        let (digits, k) = shortest(value, Ties::Up);
        let text = digits_text(digits);
        let point = text.len() as i64 + k;
        if k >= 0 {
            out.push_str(&text);
            push_zeros(&mut out, k);
        } else if point > 0 {
            let (int, frac) = text.split_at_checked(point as usize).unwrap_or((&text, ""));
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            push_zeros(&mut out, -point);
            out.push_str(&text);
        }
    }
    out
}

fn digits_text(digits: u64) -> String {
    let mut text = String::new();
    write_u64(&mut text, digits);
    text
}

fn push_zeros(out: &mut String, count: i64) {
    for _ in 0..count {
        out.push('0');
    }
}
