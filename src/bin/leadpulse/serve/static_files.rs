//! The demo site and the package: `/pkg/*` from `ROOT/pkg/`, everything else from
//! `ROOT/www/`; `/` and folders → `index.html`; `/pricing` → `pricing.html` or
//! `pricing/index.html`. Nothing outside those two folders is ever served.
use std::path::{Path, PathBuf};

use super::http::Response;

pub struct StaticSite {
    /// Canonical.
    root: PathBuf,
    csp: Option<String>,
}

impl StaticSite {
    pub fn new(root: PathBuf, csp: Option<String>) -> Self {
        StaticSite { root, csp }
    }

    /// Answers GET/HEAD for `raw_path` (percent-encoded, without query).
    /// The folder holding `www/` and `pkg/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn serve(&self, method: &str, raw_path: &str) -> Response {
        if method != "GET" && method != "HEAD" {
            return Response::error(405, "method not allowed").with_header("Allow", "GET, HEAD");
        }
        match self.resolve(raw_path) {
            Some(file) => self.file(&file),
            None => not_found(),
        }
    }

    /// The file's bytes with its Content-Type (and the CSP for HTML), or 404.
    pub fn file(&self, file: &Path) -> Response {
        let Ok(bytes) = std::fs::read(file) else {
            return not_found();
        };
        let content_type = content_type(file);
        let response = Response::new(200, content_type, bytes);
        match &self.csp {
            Some(policy) if content_type.starts_with("text/html") => {
                response.with_header("Content-Security-Policy", policy.clone())
            }
            _ => response,
        }
    }

    fn resolve(&self, raw_path: &str) -> Option<PathBuf> {
        let segments = decode_segments(raw_path)?;
        let (folder, rest) = match segments.split_first() {
            Some((first, rest)) if first == "pkg" => ("pkg", rest),
            _ => ("www", segments.as_slice()),
        };
        let base = self.root.join(folder).canonicalize().ok()?;
        let candidate = rest.iter().fold(base.clone(), |path, s| path.join(s));
        let wants_folder = raw_path.ends_with('/');
        let chosen = if candidate.is_file() && !wants_folder {
            candidate
        } else if candidate.is_dir() {
            candidate.join("index.html")
        } else if !wants_folder && candidate.extension().is_none() {
            candidate.with_extension("html")
        } else {
            return None;
        };
        // NOTE: canonical paths also catch symlinks that lead out of the folder.
        let chosen = chosen.canonicalize().ok()?;
        (chosen.starts_with(&base) && chosen.is_file()).then_some(chosen)
    }
}

fn not_found() -> Response {
    Response::new(404, "text/plain; charset=utf-8", b"not found\n".to_vec())
}

/// Percent-decoded path segments; `None` for anything that could step outside the folder
/// or name a hidden file: `..`, `.x`, encoded `/` or `\`, NUL, invalid escapes or UTF-8.
fn decode_segments(raw_path: &str) -> Option<Vec<String>> {
    raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let decoded = percent_decode(s)?;
            let safe = !decoded.starts_with('.') && !decoded.contains(['/', '\\', '\0', ':']);
            safe.then_some(decoded)
        })
        .collect()
}

fn percent_decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = (bytes.next()? as char).to_digit(16)?;
            let lo = (bytes.next()? as char).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

pub fn content_type(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("webmanifest") => "application/manifest+json",
        Some("pdf") => "application/pdf",
        Some("txt" | "ts" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plain_and_encoded_segments() {
        assert_eq!(decode_segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(
            decode_segments("/pkg//a%20b.js").unwrap(),
            ["pkg", "a b.js"]
        );
        assert_eq!(decode_segments("/caf%C3%A9").unwrap(), ["café"]);
    }

    #[test]
    fn refuses_traversal_and_hidden_files() {
        for bad in [
            "/../x",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2e%2fx",
            "/a%2f..%2f..%2fx",
            "/..%5cx",
            "/.env",
            "/a%00.html",
            "/C:%5cwindows",
            "/%zz",
            "/%c3",
            "/%",
        ] {
            assert_eq!(decode_segments(bad), None, "{bad}");
        }
    }

    #[test]
    fn knows_the_web_content_types() {
        assert_eq!(
            content_type(Path::new("a/leadpulse_core_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            content_type(Path::new("x.MJS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("Makefile")),
            "application/octet-stream"
        );
    }
}
