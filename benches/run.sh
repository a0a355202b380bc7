#!/usr/bin/env bash
# `make bench`: every performance row against its peers in the same run, then one summary.
#   1 embed weight        benches/embed-size.mjs      vs posthog-js, Segment, GrowthBook
#   2 per-event cost      benches/js-track.mjs        vs json-logic-js, json-rules-engine, plain JS
#   3 tag ready (Chromium) benches/chromium-start.mjs vs posthog-js
#   4 native replay       benches/replay.mjs          vs python3 json.loads
#   5 edge CPU            benches/edge-load.sh        vs a pass-through worker (real workerd)
#   6 input boundary      benches/boundary.sh         js-sys walk vs serde-wasm-bindgen
# Timings are reported, never asserted; a script that finds a real failure (wrong scores, a
# missing build) exits non-zero: the others still run, and so does this script's exit status.
# Knobs: RUNS (Chromium cold loads, default 21), DURATION / SAMPLES (edge, default 5 s / 300).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
BENCH_RESULTS=$(mktemp /tmp/leadpulse-bench-results.XXXXXX)
export BENCH_RESULTS
trap 'rm -f "$BENCH_RESULTS"' EXIT

# Every row but 4 needs pkg/ (make bench depends on `pkg`; alone, build it if missing).
[[ -f pkg/leadpulse.js && -f pkg/node.js && -f pkg/edge.js ]] || make pkg || exit 1

failed=()
run() {
  local name=$1 t0=$SECONDS status=0
  shift
  printf '\n=== %s\n' "$name"
  "$@" || { status=$?; failed+=("$name"); }
  printf '(%s: %d s)\n' "$name" $((SECONDS - t0))
  return $status
}
run "1. embed weight" node benches/embed-size.mjs
run "2. per-event cost in Node" node benches/js-track.mjs
run "3. Chromium tag ready" node benches/chromium-start.mjs "${RUNS:-21}"
# Row 4 runs the release binary: built here (a no-op when up to date); when it does not build,
# the row is not run rather than measured on a stale binary.
if run "release binary for row 4" cargo build --quiet --release -p leadpulse-cli --bin leadpulse; then
  run "4. native replay" node benches/replay.mjs
else
  failed+=("4. native replay (not run)")
fi
run "5. edge CPU per request" env DURATION="${DURATION:-5}" SAMPLES="${SAMPLES:-300}" benches/edge-load.sh
run "6. input boundary" benches/boundary.sh

node benches/summary.mjs "$BENCH_RESULTS" "${failed[@]}"
((${#failed[@]} == 0))
