#!/usr/bin/env bash
# Edge load run: bounded (DURATION s × 4 scenarios, CONNECTIONS connections, SAMPLES sequential
# requests × 4), loopback only, stops by itself. Builds the release binary (the origin) and
# pkg/ (the worker's modules, listed in benches/edge-load.capnp) when missing. See edge-load.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --features cli --bin leadpulse
for f in edge.js leadpulse_author.js leadpulse_step.js leadpulse_author_bg.wasm; do
  [ -f "pkg/$f" ] || { make pkg; break; }
done
exec node benches/edge-load.mjs
