//! A small fixed-capacity unsigned big integer: just enough for the exact decimal ⇄ binary
//! comparisons of [`super::float`] (every value they build stays under 1,280 bits).
//!
//! NOTE: nothing here can panic. A result that would not fit sets `overflow` instead, and
//! callers then fall back to their approximate answer.
use std::cmp::Ordering;

const LIMBS: usize = 40;

#[derive(Clone)]
pub struct Big {
    /// Little-endian base-2³² digits; `limbs[len..]` are zero.
    limbs: [u32; LIMBS],
    len: usize,
    pub overflow: bool,
}

impl Big {
    pub fn from_u64(n: u64) -> Big {
        let mut big = Big {
            limbs: [0; LIMBS],
            len: 0,
            overflow: false,
        };
        big.push(n as u32);
        big.push((n >> 32) as u32);
        big.trim();
        big
    }

    fn push(&mut self, limb: u32) {
        match self.limbs.get_mut(self.len) {
            Some(slot) => {
                *slot = limb;
                self.len += 1;
            }
            None => self.overflow |= limb != 0,
        }
    }

    fn trim(&mut self) {
        while self.len > 0 && self.limbs.get(self.len - 1) == Some(&0) {
            self.len -= 1;
        }
    }

    pub fn is_zero(&self) -> bool {
        self.len == 0
    }

    /// `self *= factor`.
    pub fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in self.limbs.iter_mut().take(self.len) {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.push(carry as u32);
        }
    }

    /// `self *= 5^n`, thirteen fives at a time (5¹³ is the largest power of five in a u32).
    pub fn mul_pow5(&mut self, mut n: u32) {
        while n >= 13 {
            self.mul_small(1_220_703_125);
            n -= 13;
        }
        self.mul_small(5u32.pow(n));
    }

    /// `self *= 10^n`.
    pub fn mul_pow10(&mut self, n: u32) {
        self.mul_pow5(n);
        self.shl(n);
    }

    /// `self *= 2^bits`.
    pub fn shl(&mut self, bits: u32) {
        if self.is_zero() {
            return;
        }
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        if self.len + words + 1 > LIMBS {
            self.overflow = true;
            return;
        }
        let old = self.limbs;
        let mut out = [0u32; LIMBS];
        for (i, limb) in old.iter().take(self.len).enumerate() {
            let wide = u64::from(*limb) << bits;
            if let Some(slot) = out.get_mut(i + words) {
                *slot |= wide as u32;
            }
            if let Some(slot) = out.get_mut(i + words + 1) {
                *slot |= (wide >> 32) as u32;
            }
        }
        self.limbs = out;
        self.len += words + 1;
        self.trim();
    }

    /// `self -= other`; the caller guarantees `self >= other`.
    pub fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate().take(self.len) {
            let rhs = other.limbs.get(i).copied().unwrap_or(0);
            let diff = i64::from(*limb) - i64::from(rhs) - borrow;
            borrow = i64::from(diff < 0);
            *limb = diff.rem_euclid(1 << 32) as u32;
        }
        self.trim();
    }

    pub fn compare(&self, other: &Big) -> Ordering {
        self.len.cmp(&other.len).then_with(|| {
            let (a, b) = (
                self.limbs.iter().take(self.len),
                other.limbs.iter().take(other.len),
            );
            a.rev().cmp(b.rev())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(big: &Big) -> u128 {
        big.limbs
            .iter()
            .take(big.len)
            .rev()
            .fold(0u128, |acc, &l| (acc << 32) | u128::from(l))
    }

    #[test]
    fn arithmetic_matches_u128() {
        let mut a = Big::from_u64(0xdead_beef_1234_5678);
        a.mul_pow10(7);
        assert_eq!(value(&a), 0xdead_beef_1234_5678u128 * 10_000_000);
        a.shl(13);
        assert_eq!(value(&a), 0xdead_beef_1234_5678u128 * 10_000_000 * 8192);
        let b = Big::from_u64(u64::MAX);
        let before = value(&a);
        a.sub(&b);
        assert_eq!(value(&a), before - u128::from(u64::MAX));
        assert_eq!(a.compare(&b), Ordering::Greater);
        assert_eq!(b.compare(&a), Ordering::Less);
        assert_eq!(Big::from_u64(0).compare(&Big::from_u64(0)), Ordering::Equal);
    }

    #[test]
    fn too_large_sets_overflow_instead_of_panicking() {
        let mut a = Big::from_u64(3);
        a.mul_pow10(400);
        assert!(a.overflow);
        let mut b = Big::from_u64(1);
        b.shl(5000);
        assert!(b.overflow);
    }
}
