//! Managing people: a new user gets a random token, shown once, of which only the SHA-256
//! hash is kept; revoking one makes their token useless at once. Shared by `leadpulse users`
//! and the admin's `/api/users`.
use rand::Rng;
use sha2::{Digest, Sha256};

use super::store::{Added, Revoked, Role, Store};

/// Who acts through the shared `--api-token` (automation): recorded as this in the history.
pub const SHARED_TOKEN_USER: &str = "api";
/// Who acts on its own (new leads, SLA reminders and reassignments).
pub const COLLECTOR_USER: &str = "leadpulse";

/// The longest user name.
const MAX_NAME: usize = 64;

/// Why a user could not be added or revoked; the message says what to do.
#[derive(Debug)]
pub enum PeopleError {
    BadName(String),
    Taken(String),
    NotFound(String),
    AlreadyRevoked(String),
    Store(super::store::Error),
}

impl std::fmt::Display for PeopleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeopleError::BadName(why) => f.write_str(why),
            PeopleError::Taken(name) => write!(
                f,
                "{name} already has a token: revoke it first to give them a new one"
            ),
            PeopleError::NotFound(name) => write!(f, "no user {name}"),
            PeopleError::AlreadyRevoked(name) => write!(f, "{name}'s token is already revoked"),
            PeopleError::Store(e) => write!(f, "the store: {e}"),
        }
    }
}

impl std::error::Error for PeopleError {}

impl From<super::store::Error> for PeopleError {
    fn from(e: super::store::Error) -> Self {
        PeopleError::Store(e)
    }
}

/// A user name: what the history records as `by` and owners are named by.
pub fn check_name(name: &str) -> Result<(), PeopleError> {
    let allowed = |c: char| c.is_alphanumeric() || "._-@+' ".contains(c);
    let well_formed = !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name.chars().all(allowed)
        && name.trim() == name
        && !name.contains("  ");
    if !well_formed {
        return Err(PeopleError::BadName(format!(
            "'{name}' is not a user name: 1 to {MAX_NAME} letters, digits, single spaces or \
             . _ - @ + '"
        )));
    }
    // NOTE: these two already mean someone in the history; a user of that name would blur it.
    if [SHARED_TOKEN_USER, COLLECTOR_USER].contains(&name) {
        return Err(PeopleError::BadName(format!(
            "'{name}' is reserved: the history records the shared API token as '{SHARED_TOKEN_USER}' \
             and the collector itself as '{COLLECTOR_USER}'"
        )));
    }
    Ok(())
}

/// A new token: 32 random bytes, hex, with a prefix that secret scanners can look for.
fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("lpu_{hex}")
}

/// The hex SHA-256 of a token: what the store keeps and looks tokens up by. NOTE: a plain hash
/// suffices: the token is 256 random bits, not a password a dictionary could find.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Adds a user (or gives a revoked one a token again); their new token, to be shown once.
pub fn add(store: &Store, name: &str, role: Role, now: i64) -> Result<String, PeopleError> {
    check_name(name)?;
    let token = new_token();
    match store.add_user(name, role, &hash(&token), now)? {
        Added::New | Added::Restored => Ok(token),
        Added::Taken => Err(PeopleError::Taken(name.to_string())),
    }
}

pub fn revoke(store: &Store, name: &str, now: i64) -> Result<(), PeopleError> {
    match store.revoke_user(name, now)? {
        Revoked::Now => Ok(()),
        Revoked::Already => Err(PeopleError::AlreadyRevoked(name.to_string())),
        Revoked::NotFound => Err(PeopleError::NotFound(name.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        // echo -n abc | sha256sum
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn names_are_checked() {
        for good in [
            "ana",
            "ben.b",
            "eve@example.com",
            "dora-2",
            "Ana Ruiz",
            "Dan O'Neil",
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            " ana",
            "ana ",
            "a  b",
            "a\tb",
            "api",
            "leadpulse",
            "x;y",
            &"n".repeat(65),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
