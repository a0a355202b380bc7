//! Running the `leadpulse` command from a test, in a scratch directory of its own.
#![allow(dead_code)]

/// A fresh, empty directory `name` under the test target's temporary folder.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Runs the `leadpulse` command: its exit code, standard output and standard error.
pub fn leadpulse<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadpulse"))
        .args(args)
        .output()
        .expect("the leadpulse command runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 errors"),
    )
}
