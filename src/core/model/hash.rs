//! Content hashing. FNV-1a 64: tiny, deterministic on every platform, and enough to tell
//! models and qualifications apart (this is an identifier, not a security boundary; the
//! edge signs with HMAC-SHA256).

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(OFFSET, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

/// 16 lower-case hex digits, as `{:016x}` prints them.
pub fn hex16(n: u64) -> String {
    (0..16)
        .rev()
        .map(|i| char::from_digit(((n >> (i * 4)) & 15) as u32, 16).unwrap_or('0'))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_reference_vectors() {
        assert_eq!(super::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::hex16(0xaf63_dc4c_8601_ec8c), "af63dc4c8601ec8c");
        assert_eq!(super::hex16(1), "0000000000000001");
    }
}
