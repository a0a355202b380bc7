//! Output files written whole or not at all: each is written to a temporary file beside its
//! target and renamed over it only when the command succeeded, so a run that fails leaves the
//! previous file (or none) — never a half-written one, nor one a later step then disowned.
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written; `commit` puts it in place.
pub struct Output {
    file: NamedTempFile,
    path: PathBuf,
}

impl Output {
    /// A temporary file in `path`'s folder (so the rename stays on one file system).
    pub fn create(path: &Path) -> Result<Output, String> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".leadpulse-").suffix(".tmp");
        // NOTE: as File::create would (0666 less the umask); tempfile's default is 0600.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let file = builder
            .tempfile_in(folder)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Output {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Flushes and renames the file over its target.
    pub fn commit(mut self) -> Result<(), String> {
        let path = self.path;
        self.file
            .flush()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.file
            .persist(&path)
            .map(drop)
            .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes every `(path, bytes)`: each temporary file first, then all renamed, so an error
/// writing any leaves all targets as they were.
pub fn write_all(files: &[(&Path, &[u8])]) -> Result<(), String> {
    let mut outputs = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut output = Output::create(path)?;
        output
            .write_all(bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        outputs.push(output);
    }
    outputs.into_iter().try_for_each(Output::commit)
}
