//! People who use the API, each with their own token (docs/collector.md, "Users and roles").
//! Only a token's SHA-256 hash is stored; a revoked user keeps their row, so their name stays
//! meaningful in the history, and can be given a new token by adding them again.
use leadpulse::core::time::format_iso;
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::db::Result;
use super::Store;

/// What a user may do: a rep works leads; an admin also manages users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Rep,
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Admin => "admin",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        match name {
            "rep" => Some(Role::Rep),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A user as `leadpulse users list` and `GET /api/users` show them: never their token.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What adding a user found.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    New,
    /// The name was revoked before: it has a token again.
    Restored,
    /// The name has a token that works: nothing changed.
    Taken,
}

/// What revoking a user found.
#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    Now,
    Already,
    NotFound,
}

/// How stale `last_used_ms` may get before a request writes it again: one write a minute per
/// user rather than one per request.
const LAST_USED_STEP_MS: i64 = 60_000;

impl Store {
    /// Adds `name` with a token whose hash is `token_hash`.
    pub fn add_user(&self, name: &str, role: Role, token_hash: &str, now: i64) -> Result<Added> {
        self.write(|tx| {
            let sql = format!(
                "SELECT revoked_ms FROM users WHERE name = ?1{}",
                tx.for_update()
            );
            let revoked: Option<Option<i64>> = match tx.query_opt(&sql, &[&name])? {
                Some(row) => Some(row.get(0)?),
                None => None,
            };
            Ok(match revoked {
                Some(None) => Added::Taken,
                Some(Some(_)) => {
                    tx.execute(
                        "UPDATE users SET role = ?2, token_hash = ?3, created_ms = ?4,
                             last_used_ms = NULL, revoked_ms = NULL
                         WHERE name = ?1",
                        &[&name, &role.name(), &token_hash, &now],
                    )?;
                    Added::Restored
                }
                None => {
                    tx.execute(
                        "INSERT INTO users (name, role, token_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
                        &[&name, &role.name(), &token_hash, &now],
                    )?;
                    Added::New
                }
            })
        })
    }

    /// Every user, by name; revoked ones too (with `revokedAt`).
    pub fn users(&self) -> Result<Vec<User>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT name, role, created_ms, last_used_ms, revoked_ms FROM users ORDER BY name",
                &[],
            )?;
            rows.iter()
                .map(|row| {
                    let role: String = row.get(1)?;
                    Ok(User {
                        name: row.get(0)?,
                        // NOTE: a role edited by hand into something unknown grants the least.
                        role: Role::from_name(&role).unwrap_or(Role::Rep),
                        created_at: format_iso(row.get(2)?),
                        last_used_at: row.get::<Option<i64>>(3)?.map(format_iso),
                        revoked_at: row.get::<Option<i64>>(4)?.map(format_iso),
                    })
                })
                .collect()
        })
    }

    /// Revokes `name`'s token: the next request with it gets 401.
    pub fn revoke_user(&self, name: &str, now: i64) -> Result<Revoked> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE users SET revoked_ms = ?2 WHERE name = ?1 AND revoked_ms IS NULL",
                &[&name, &now],
            )?;
            if changed > 0 {
                return Ok(Revoked::Now);
            }
            let exists: bool = tx.value(
                "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)",
                &[&name],
            )?;
            Ok(if exists {
                Revoked::Already
            } else {
                Revoked::NotFound
            })
        })
    }

    /// The user whose token hashes to `token_hash` (not revoked), and notes the use.
    pub fn user_by_token(&self, token_hash: &str, now: i64) -> Result<Option<(String, Role)>> {
        type Found = (i64, String, String, String, Option<i64>);
        let rows = self.read(|tx| -> Result<Vec<Found>> {
            tx.query(
                "SELECT id, name, role, token_hash, last_used_ms FROM users WHERE revoked_ms IS NULL",
                &[],
            )?
            .iter()
            .map(|row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
            .collect()
        })?;
        // NOTE: every active hash is compared, in constant time and without stopping at a
        // match, so the time taken says nothing about which user (if any) a token is near.
        let mut found: Option<&Found> = None;
        for row in &rows {
            if bool::from(row.3.as_bytes().ct_eq(token_hash.as_bytes())) {
                found = Some(row);
            }
        }
        let Some((id, name, role, _, last_used)) = found else {
            return Ok(None);
        };
        if last_used.is_none_or(|at| now - at >= LAST_USED_STEP_MS) {
            self.write(|tx| {
                tx.execute(
                    "UPDATE users SET last_used_ms = ?2 WHERE id = ?1",
                    &[id, &now],
                )
            })?;
        }
        Ok(Some((
            name.clone(),
            Role::from_name(role).unwrap_or(Role::Rep),
        )))
    }
}
