#!/usr/bin/env bash
# The quick starts a site owner copies from README.md, docs/tracker.md and docs/edge.md, run as
# written in scratch projects outside the repository (tests/quickstart/*.test.mjs say how).
# Needs the package (make pkg), the release binary, Chromium, python3 (the plain static host).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -x target/release/leadpulse || -n $(find src crates Cargo.toml Cargo.lock -newer target/release/leadpulse -print -quit) ]]; then
  echo "quickstart: building target/release/leadpulse" >&2
  cargo build --release -p leadpulse-cli --quiet
fi
[[ -f pkg/.built ]] || { echo "quickstart: pkg/ is not built (make pkg)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "quickstart: python3 missing (the static file server)" >&2; exit 1; }
# One file at a time: each starts its own servers and browser, and the machine is small.
exec node --test --test-concurrency=1 "$@" tests/quickstart/
