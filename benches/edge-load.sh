#!/usr/bin/env bash
# Edge load run: bounded (DURATION s × 4 scenarios, CONNECTIONS connections, SAMPLES sequential
# requests × 4), loopback only, stops by itself. Builds pkg/ (the worker's modules, listed in
# benches/edge-load.capnp) when a file is missing. See benches/edge-load.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in edge.js edge/core.js leadpulse_author.js leadpulse_step.js leadpulse_author_bg.wasm; do
  [ -f "pkg/$f" ] || { make pkg; break; }
done
exec node benches/edge-load.mjs
