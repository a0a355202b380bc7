//! `X-LeadPulse-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, from the edge. While
//! a secret is rotated, two secrets are accepted: the current one and the previous one.
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "x-leadpulse-signature";

#[derive(Debug, PartialEq)]
pub enum Rejection {
    Missing,
    Malformed,
    Mismatch,
}

impl Rejection {
    pub fn message(&self) -> &'static str {
        match self {
            Rejection::Missing => "a signature is required (X-LeadPulse-Signature)",
            Rejection::Malformed => "X-LeadPulse-Signature must be sha256=<64 hex digits>",
            Rejection::Mismatch => "X-LeadPulse-Signature does not match the body",
        }
    }
}

/// Whether `body` counts as verified. Without a secret nothing can be verified, so a header
/// is ignored; with secrets, a present header must be valid for one of them, and `required`
/// makes it mandatory.
pub fn check(
    secrets: &[Vec<u8>],
    header: Option<&str>,
    body: &[u8],
    required: bool,
) -> Result<bool, Rejection> {
    if secrets.is_empty() {
        return Ok(false);
    }
    let Some(header) = header else {
        return if required {
            Err(Rejection::Missing)
        } else {
            Ok(false)
        };
    };
    let expected = parse_header(header).ok_or(Rejection::Malformed)?;
    // NOTE: verify_slice compares in constant time; every secret is tried, so the time taken
    // does not say which one matched.
    let matched: Vec<bool> = secrets
        .iter()
        .map(|secret| {
            Hmac::<Sha256>::new_from_slice(secret).is_ok_and(|mut mac| {
                mac.update(body);
                mac.verify_slice(&expected).is_ok()
            })
        })
        .collect();
    match matched.iter().position(|&m| m) {
        Some(0) => Ok(true),
        Some(_) => {
            // NOTE: what tells an operator that a rotation has not drained yet.
            tracing::info!(
                "collect: a summary verified with the previous signing secret \
                 (the edge has not switched, or re-sends one signed before it did)"
            );
            Ok(true)
        }
        None => Err(Rejection::Mismatch),
    }
}

fn parse_header(header: &str) -> Option<[u8; 32]> {
    let hex = header.trim().strip_prefix("sha256=")?.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (hi, lo) = match pair {
            [hi, lo] => (hex_digit(*hi)?, hex_digit(*lo)?),
            _ => return None,
        };
        *byte = (hi << 4) | lo;
    }
    Some(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231, test case 2.
    const KEY: &[u8] = b"Jefe";
    const DATA: &[u8] = b"what do ya want for nothing?";
    const MAC: &str = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    fn one(key: &[u8]) -> Vec<Vec<u8>> {
        vec![key.to_vec()]
    }

    #[test]
    fn verifies_rfc_4231_vector() {
        assert_eq!(check(&one(KEY), Some(MAC), DATA, true), Ok(true));
        let upper = MAC.to_uppercase().replace("SHA256=", "sha256=");
        assert_eq!(check(&one(KEY), Some(&upper), DATA, false), Ok(true));
    }

    #[test]
    fn either_secret_of_a_rotation_verifies() {
        let rotating = vec![b"the-new-one".to_vec(), KEY.to_vec()];
        assert_eq!(check(&rotating, Some(MAC), DATA, true), Ok(true));
        let swapped = vec![KEY.to_vec(), b"the-new-one".to_vec()];
        assert_eq!(check(&swapped, Some(MAC), DATA, true), Ok(true));
        let neither = vec![b"the-new-one".to_vec(), b"another".to_vec()];
        assert_eq!(
            check(&neither, Some(MAC), DATA, true),
            Err(Rejection::Mismatch)
        );
    }

    #[test]
    fn rejects_tampering_and_bad_headers() {
        assert_eq!(
            check(&one(KEY), Some(MAC), b"what do ya want for nothing!", false),
            Err(Rejection::Mismatch)
        );
        assert_eq!(
            check(&one(b"jefe"), Some(MAC), DATA, false),
            Err(Rejection::Mismatch)
        );
        for bad in ["5bdcc146", "sha1=5bdc", &MAC[..70], &MAC.replace('5', "g")] {
            assert_eq!(
                check(&one(KEY), Some(bad), DATA, false),
                Err(Rejection::Malformed)
            );
        }
    }

    #[test]
    fn unsigned_is_unverified_unless_required() {
        assert_eq!(check(&one(KEY), None, DATA, false), Ok(false));
        assert_eq!(check(&one(KEY), None, DATA, true), Err(Rejection::Missing));
        assert_eq!(check(&[], Some("sha256=00"), DATA, false), Ok(false));
    }
}
