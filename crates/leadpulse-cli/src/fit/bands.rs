//! Where a numeric signal is cut into bands for `fit` (docs/learning.md, "Proposed rules"):
//! quantile steps that keep enough leads on either side, rounded to thresholds people set.
use serde_json::{json, Value};

use super::candidates::Settings;

/// Steps for a numeric signal: the smallest positive value (when some leads have none: zero
/// is a band of its own) and the quantiles k/(bands+1), made readable by `nice`; each step
/// must leave at least `min_support` leads on either side.
pub fn steps(values: &[f64], settings: &Settings, nice: fn(f64) -> f64) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let (Some(&lowest), true) = (sorted.first(), n > 0) else {
        return Vec::new();
    };
    let mut at: Vec<f64> = Vec::new();
    if lowest <= 0.0 {
        if let Some(&first) = sorted.iter().find(|&&v| v > 0.0) {
            at.push(nice(first));
        }
    }
    for k in 1..=settings.bands {
        if let Some(&q) = sorted.get(n * k / (settings.bands + 1)) {
            at.push(nice(q));
        }
    }
    at.sort_by(f64::total_cmp);
    at.dedup();
    // NOTE: two steps that split the leads alike are one feature twice: the first is kept.
    let mut last_above = usize::MAX;
    at.retain(|&t| {
        let above = n - sorted.partition_point(|&v| v < t);
        let keep = t > lowest
            && above != last_above
            && above >= settings.min_support
            && n - above >= settings.min_support;
        last_above = above;
        keep
    });
    at
}

/// Whole numbers, at least 1.
pub fn whole(v: f64) -> f64 {
    v.floor().max(1.0)
}

/// Two significant digits, rounded down (1082 → 1000, 247 → 240, 0.37 → 0.37).
pub fn two_digits(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let unit = 10f64.powi(v.log10().floor() as i32 - 1);
    let rounded = (v / unit).floor() * unit;
    // NOTE: printed through f64 → JSON; strip the binary noise of the division.
    (rounded * 1e6).round() / 1e6
}

/// One significant digit, rounded down, for event properties (a quote for 50 seats, not
/// 57: the thresholds people set are round): 57 → 50, 1250 → 1000, 7 → 7, 0.37 → 0.3.
pub fn one_digit(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let unit = 10f64.powi(v.log10().floor() as i32);
    ((v / unit).floor() * unit * 1e6).round() / 1e6
}

/// A threshold as JSON: an integer when it is whole.
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_start_a_band_at_zero_and_keep_support_on_both_sides() {
        let settings = Settings {
            min_support: 2,
            bands: 3,
        };
        let values = [0.0, 0.0, 0.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        // 1 and 3 split the leads alike (none below 3 but the zeros): 1 stands for both.
        assert_eq!(steps(&values, &settings, whole), vec![1.0, 5.0, 7.0]);
        let settings = Settings {
            min_support: 4,
            bands: 3,
        };
        assert_eq!(steps(&values, &settings, whole), vec![5.0]);
    }

    #[test]
    fn readable_thresholds() {
        assert_eq!(two_digits(1082.0), 1000.0);
        assert_eq!(two_digits(247.0), 240.0);
        assert_eq!(two_digits(0.37), 0.37);
        assert_eq!(one_digit(57.0), 50.0);
        assert_eq!(one_digit(1250.0), 1000.0);
        assert_eq!(one_digit(7.0), 7.0);
        assert_eq!(one_digit(0.37), 0.3);
    }
}
