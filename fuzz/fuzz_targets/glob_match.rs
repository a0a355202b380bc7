//! Page globs: `pattern\npath` (the first line is the pattern). On short inputs (≤ 12 bytes
//! each) `glob::matches` equals the backtracking definition; on any input it takes time
//! linear in the path (bounded here at 250 ms for at most 64 KB against a 256-byte pattern,
//! where the old backtracking matcher took seconds on 200 characters), and it agrees with
//! `matches_normalized` on normalised inputs. The time bound is checked only when fuzzing
//! (`cfg(fuzzing)`, set by cargo-fuzz): the seed replay of `make test` asserts no timing.
#![no_main]

use leadpulse::core::glob::{matches, matches_normalized, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, path) = text.split_once('\n').unwrap_or((text, ""));
    #[cfg(fuzzing)]
    let started = std::time::Instant::now();
    let got = matches(pattern, path);
    #[cfg(fuzzing)]
    {
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_millis(250),
            "{took:?} for a {}-byte pattern on a {}-byte path",
            pattern.len(),
            path.len()
        );
    }
    assert_eq!(got, matches_normalized(normalize(pattern), normalize(path)));
    if pattern.len() <= 12 && path.len() <= 12 {
        let want = leadpulse_fuzz::glob_reference(pattern, path);
        assert_eq!(got, want, "{pattern:?} on {path:?}");
    }
});
