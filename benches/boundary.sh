#!/usr/bin/env bash
# Row 6: the browser wasm's JS-input boundary, two ways, side by side:
#   js-sys walk         the default (crates/leadpulse-wasm/src/input.rs walks the JS objects with js-sys);
#   serde-wasm-bindgen  cargo feature `swb-input`.
# Each is built as scripts/build-pkg.sh builds pkg/leadpulse_core* (cargo --profile wasm-browser,
# wasm-bindgen --target web, wasm-opt -Oz with the same flags, the snippet moved to
# leadpulse_step.js), into a temp dir, never pkg/. Its own cargo target dir (target/bench) so
# a concurrent `make pkg` cannot swap target/…/leadpulse_wasm.wasm under it (first run: a full build).
# Then benches/boundary-report.mjs prints wasm raw / gzip -9 bytes and track() µs in Node.
#   benches/boundary.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TARGET_DIR=${BOUNDARY_TARGET_DIR:-$PWD/target/bench}

# The same as scripts/build-pkg.sh (see its NOTE on why the features are listed).
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

out=$(mktemp -d /tmp/leadpulse-boundary.XXXXXX)
trap 'rm -rf "$out"' EXIT

# build DIR [FEATURES]
build() {
  local dir=$1 features=${2:-}
  cargo build --quiet -p leadpulse-wasm --lib --target wasm32-unknown-unknown --profile wasm-browser ${features:+--features "$features"}
  wasm-bindgen --target web --out-name leadpulse_core --out-dir "$dir" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-browser/leadpulse_wasm.wasm"
  node_modules/.bin/wasm-opt -Oz "${WASM_OPT_FEATURES[@]}" \
    --strip-debug --strip-producers --strip-target-features \
    "$dir/leadpulse_core_bg.wasm" -o "$dir/leadpulse_core_bg.wasm"
  local snippet
  snippet=$(find "$dir/snippets" -name inline0.js | head -n 1)
  [[ -n $snippet ]] || { echo "boundary: no wasm-bindgen snippet in $dir" >&2; exit 1; }
  mv "$snippet" "$dir/leadpulse_step.js"
  rm -rf "$dir/snippets"
  sed -i -E "s#'\./snippets/[^']+/inline0\.js'#'./leadpulse_step.js'#" "$dir/leadpulse_core.js"
  grep -q "'./leadpulse_step.js'" "$dir/leadpulse_core.js" || { echo "boundary: snippet import not rewritten" >&2; exit 1; }
}
build "$out/walk"
build "$out/swb" swb-input

node benches/boundary-report.mjs "$out/walk" "$out/swb"
