//! CRM credentials come from the environment only, never from flags (command lines show in
//! `ps` and shell histories): `NAME`, or the file `NAME_FILE` names (a container's or
//! systemd's secret file). They are never logged: `Debug` shows no part of them.
use reqwest::Url;

/// A token or secret, as read; shown nowhere.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Reads the environment (a function, so tests need not change the process's own).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `name`, or the contents of the file `name_FILE` names, trimmed; `None` if neither is set.
/// Errors name the variable, never its value.
pub fn secret(env: Env, name: &str) -> Result<Option<Secret>, String> {
    let file_var = format!("{name}_FILE");
    let value = match (env(name), env(&file_var)) {
        (Some(_), Some(_)) => return Err(format!("set {name} or {file_var}, not both")),
        (Some(value), None) => value,
        (None, Some(path)) => std::fs::read_to_string(path.trim())
            .map_err(|e| format!("{file_var}: cannot read {}: {e}", path.trim()))?,
        (None, None) => return Ok(None),
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("{name} is empty"));
    }
    Ok(Some(Secret(value.to_string())))
}

/// An http(s) URL from `name`, else `default`.
pub fn url(env: Env, name: &str, default: Option<&str>) -> Result<Option<Url>, String> {
    let Some(text) = env(name).or_else(|| default.map(str::to_string)) else {
        return Ok(None);
    };
    let url = Url::parse(text.trim()).map_err(|e| format!("{name} '{text}': {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(format!("{name} '{text}': expected an http or https URL"));
    }
    Ok(Some(url))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn from_the_variable_or_its_file_never_shown() {
        let dir = std::env::temp_dir().join(format!("leadpulse-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "pat-from-a-file\n").unwrap();
        let path = file.display().to_string();
        let env = |name: &str| match name {
            "A" => Some(" pat-in-env ".to_string()),
            "B_FILE" => Some(path.clone()),
            "C" | "C_FILE" => Some("x".to_string()),
            "E" => Some("  ".to_string()),
            _ => None,
        };
        assert_eq!(secret(&env, "A").unwrap().unwrap().expose(), "pat-in-env");
        assert_eq!(
            secret(&env, "B").unwrap().unwrap().expose(),
            "pat-from-a-file"
        );
        assert!(secret(&env, "C").unwrap_err().contains("not both"));
        assert_eq!(secret(&env, "E").unwrap_err(), "E is empty");
        assert!(secret(&env, "D").unwrap().is_none());
        let shown = format!("{:?}", secret(&env, "A").unwrap());
        assert!(!shown.contains("pat-in-env"), "{shown}");
    }
}
