//! Decimal text → number, for trait values given as text (`"250"` employees, `"1.5"`).
//!
//! NOTE: not `str::parse::<f64>`, whose correctly rounded algorithm carries code and power
//! tables into the browser's wasm: 14,243 B gzip more (benches/size-alternatives.sh). Here: digits into an integer and one division or
//! multiplication by an exact power of ten, which is correctly rounded for up to 15
//! significant digits and exponents to ±22 (every value a model compares) and within an ulp
//! or so beyond; every runtime runs the same arithmetic, so all agree.

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (surrounding blanks ignored); `None` for
/// anything else, and for values that are not finite.
pub fn parse(text: &str) -> Option<f64> {
    let bytes = text.trim().as_bytes();
    let (negative, mut rest) = match bytes {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    let mut mantissa: u64 = 0;
    let mut exponent: i32 = 0;
    let mut digits = 0;
    let mut take = |rest: &mut &[u8], fraction: bool| {
        while let [d @ b'0'..=b'9', tail @ ..] = *rest {
            digits += 1;
            if mantissa < 100_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
                exponent -= i32::from(fraction);
            } else {
                exponent += i32::from(!fraction);
            }
            *rest = tail;
        }
    };
    take(&mut rest, false);
    if let [b'.', tail @ ..] = rest {
        rest = tail;
        take(&mut rest, true);
    }
    if digits == 0 {
        return None;
    }
    if let [b'e' | b'E', tail @ ..] = rest {
        let (sign, mut tail) = match tail {
            [b'-', t @ ..] => (-1, t),
            [b'+', t @ ..] => (1, t),
            t => (1, t),
        };
        let mut power: i32 = 0;
        let mut any = false;
        while let [d @ b'0'..=b'9', t @ ..] = tail {
            power = power.saturating_mul(10).saturating_add(i32::from(d - b'0'));
            any = true;
            tail = t;
        }
        if !any {
            return None;
        }
        exponent = exponent.saturating_add(sign * power);
        rest = tail;
    }
    if !rest.is_empty() {
        return None;
    }
    let value = scale(mantissa as f64, exponent);
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

/// `m · 10^e`, exactly rounded while the power is exact (|e| ≤ 22).
fn scale(m: f64, e: i32) -> f64 {
    const EXACT: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let power = |k: i32| EXACT.get(k as usize).copied().unwrap_or(1e22);
    match e {
        0 => m,
        1..=22 => m * power(e),
        -22..=-1 => m / power(-e),
        e if e > 0 => scale(m * 1e22, e - 22),
        e => scale(m / 1e22, e + 22),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_decimal_numbers_as_the_standard_library_does() {
        for text in [
            "250",
            " 250 ",
            "-3",
            "+7",
            "0.5",
            "1.25",
            ".5",
            "5.",
            "1e3",
            "2.5E-3",
            "1000000",
            "0.1",
            "0.3",
            "123456.789",
            "9007199254740993",
            "-0.000125",
        ] {
            assert_eq!(parse(text), text.trim().parse::<f64>().ok(), "{text}");
        }
        // Far from the values models compare: within a few ulps.
        for text in [
            "1e300",
            "1e-300",
            "123456789012345678901234567890",
            "7.5e-200",
        ] {
            let (ours, exact) = (parse(text).unwrap(), text.parse::<f64>().unwrap());
            assert!(
                ours.to_bits().abs_diff(exact.to_bits()) <= 8,
                "{text}: {ours} vs {exact}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for text in [
            "", "-", ".", "e5", "1e", "1e+", "inf", "NaN", "1,000", "12px", "0x10", "1e400",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
