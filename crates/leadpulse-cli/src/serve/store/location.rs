//! Where the store is (`--db`, `LEADPULSE_DB`): a SQLite file, or a `postgres://` URL. A URL's
//! password never leaves this type: it is shown (logs, errors, `Debug`) without it.
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(Url),
}

/// A PostgreSQL URL, and how it is shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    secret: String,
    shown: String,
}

impl Url {
    /// The URL itself, password and all: only for connecting.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl Location {
    /// Reads `--db`; the error says what is wrong with it (never echoing a password).
    pub fn parse(text: &str) -> Result<Location, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("expected a SQLite file or a postgres:// URL, found nothing".into());
        }
        let Some((scheme, _)) = text.split_once("://") else {
            return Ok(Location::Sqlite(PathBuf::from(text)));
        };
        if !matches!(scheme, "postgres" | "postgresql") {
            return Err(format!(
                "'{scheme}://…' is not a database this collector uses: give a SQLite file \
                 (a path) or a postgres:// URL"
            ));
        }
        let shown = redacted(text);
        // NOTE: checked here, so a mistake stops `serve` before it does anything else.
        text.parse::<postgres::Config>()
            .map_err(|e| format!("{shown} is not a usable PostgreSQL URL: {e}"))?;
        Ok(Location::Postgres(Url {
            secret: text.to_string(),
            shown,
        }))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Location::Postgres(_))
    }
}

/// `postgres://ana:pw@db:5432/leads?password=pw` → `postgres://ana:***@db:5432/leads?password=***`.
fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&url.shown),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        let url =
            "postgres://ana:s3cret-pw@db.example.com:5432/leads?sslmode=disable&password=s3cret-pw";
        let location = Location::parse(url).unwrap();
        let shown = format!("{location} {location:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://ana:***@db.example.com:5432/leads"),
            "{shown}"
        );
        assert_eq!(
            redacted("postgresql://u@h/d"),
            "postgresql://u@h/d",
            "no password, nothing hidden"
        );
    }

    #[test]
    fn bad_locations_say_what_is_wrong() {
        let e = Location::parse("mysql://root:pw@db/leads").unwrap_err();
        assert!(e.contains("'mysql://…'") && !e.contains("pw"), "{e}");
        let e = Location::parse("postgres://ana:pw@db:notaport/leads").unwrap_err();
        assert!(
            e.contains("not a usable PostgreSQL URL") && !e.contains(":pw@"),
            "{e}"
        );
        assert!(Location::parse("").is_err());
        assert_eq!(
            Location::parse("leads.db").unwrap(),
            Location::Sqlite("leads.db".into())
        );
    }
}
