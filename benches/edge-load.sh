#!/usr/bin/env bash
# Edge load run: bounded (DURATION s × 4 scenarios, CONNECTIONS connections), loopback only,
# stops by itself. Needs pkg/ (make pkg) and the release binary. See benches/edge-load.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --features cli --bin leadpulse
[ -f pkg/edge.js ] || make pkg
exec node benches/edge-load.mjs
