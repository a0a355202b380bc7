#!/usr/bin/env bash
# Browser end-to-end tests: the demo site in headless Chromium against the real collector.
# Builds what they need if missing: the release `leadpulse` binary and the wasm package (pkg/).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -x target/release/leadpulse || -n $(find src crates Cargo.toml Cargo.lock -newer target/release/leadpulse -print -quit) ]]; then
  echo "e2e: building target/release/leadpulse" >&2
  cargo build --release -p leadpulse-cli --quiet
fi
if [[ ! -f pkg/leadpulse.js || ! -f pkg/leadpulse_core_bg.wasm ]]; then
  echo "e2e: building pkg/ (make pkg)" >&2
  make pkg
fi
[[ -x /usr/bin/chromium ]] || { echo "e2e: /usr/bin/chromium missing (scripts/setup.sh installs it)" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || { echo "e2e: playwright-core missing (npm ci)" >&2; exit 1; }

mkdir -p tests/artifacts/screenshots
# One file at a time: each starts its own collector and browser, and the machine is small.
exec node --test --test-concurrency=1 "$@" tests/e2e/
