#!/usr/bin/env bash
# Builds the npm package into pkg/ (layout: docs/contracts.md) and prints its size table.
# Expects `make setup` to have run (wasm-bindgen at the Cargo.lock version, node_modules).
# `make pkg` runs it only when one of its inputs changed (Makefile: PKG_INPUTS).
#
# NOTE: built in a staging folder, then moved into pkg/ file by file (each a rename, atomic on
# one file system) and stale files removed: a server running from pkg/ (make demo, make edge)
# never finds it missing or half written.
#
# Two wasm modules from the same crate (crates/leadpulse-wasm):
#   leadpulse_core    the browser build: compiled models only (no model validator)
#   leadpulse_author  + the model reader and `compileModel` (Node, Deno, edge, `leadpulse/author`)
set -euo pipefail
cd "$(dirname "$0")/.."

# NOTE: the features rustc enables by default for wasm32-unknown-unknown
# (`rustc --print cfg --target wasm32-unknown-unknown`): wasm-opt must accept them, and it
# cannot always read them from the module (the target_features section goes with `strip`).
# The custom sections that only tools read are stripped from what ships.
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

OUT=target/pkg-staging
rm -rf "$OUT"
mkdir -p "$OUT" pkg

# build NAME PROFILE [FEATURES]: cargo build, wasm-bindgen (--target web), wasm-opt -Oz.
# The profiles are in Cargo.toml (wasm-browser: opt-level "s"; wasm: "z"), each measured.
build() {
  local name=$1 profile=$2 features=${3:-}
  cargo build --quiet -p leadpulse-wasm --lib --target wasm32-unknown-unknown --profile "$profile" ${features:+--features "$features"}
  wasm-bindgen --target web --out-name "$name" --out-dir "$OUT" \
    "target/wasm32-unknown-unknown/$profile/leadpulse_wasm.wasm"
  node_modules/.bin/wasm-opt -Oz "${WASM_OPT_FEATURES[@]}" \
    --strip-debug --strip-producers --strip-target-features \
    "$OUT/${name}_bg.wasm" -o "$OUT/${name}_bg.wasm"
}
build leadpulse_core wasm-browser
build leadpulse_author wasm author

# The glue imports its one JS snippet (crates/leadpulse-wasm/src/step.rs) from snippets/<crate-hash>/: give it a
# stable name that Workers configurations can list.
snippet=$(find "$OUT/snippets" -name inline0.js | head -n 1)
[[ -n $snippet ]] || { echo "build-pkg: no wasm-bindgen snippet found" >&2; exit 1; }
mv "$snippet" "$OUT/leadpulse_step.js"
rm -rf "$OUT/snippets"
for glue in "$OUT/leadpulse_core.js" "$OUT/leadpulse_author.js"; do
  sed -i -E "s#'\./snippets/[^']+/inline0\.js'#'./leadpulse_step.js'#" "$glue"
  grep -q "'./leadpulse_step.js'" "$glue" || { echo "build-pkg: $glue: snippet import not rewritten" >&2; exit 1; }
  # NOTE: bundlers (Vite, webpack, Rollup) copy an asset named by `new URL('./file',
  # import.meta.url)`; a bare 'file' would be looked up as a package.
  sed -i -E "s#new URL\('(leadpulse_[a-z]+_bg\.wasm)', import\.meta\.url\)#new URL('./\1', import.meta.url)#" "$glue"
  grep -q "new URL('./leadpulse_" "$glue" || { echo "build-pkg: $glue: wasm URL not rewritten" >&2; exit 1; }
done

# Everything in pkg-template/ (entries, tracker, edge worker, README, package.json).
cp -R pkg-template/. "$OUT/"

# The tracker ships as one minified module (its source modules stay in pkg-template/): one
# request instead of eleven before the first snapshot, and the size the budget counts. The
# glue stays a separate file that it imports.
node_modules/.bin/esbuild pkg-template/leadpulse.js --bundle --minify --format=esm \
  --target=es2020 --external:./leadpulse_core.js --log-level=warning --outfile="$OUT/leadpulse.js"
rm -rf "$OUT/tracker"

pkgid=$(cargo pkgid)                    # path+file:///…#leadpulse@0.1.0 (or …#0.1.0)
version=${pkgid##*[#@]}
node -e '
  const fs = require("fs"), [file, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(file, JSON.stringify({ ...pkg, version }, null, 2) + "\n");
' "$OUT/package.json" "$version"

# Into place: every file renamed over its old copy, then what the new build no longer has.
built=$(cd "$OUT" && find . -type f | sort)
while read -r file; do
  mkdir -p "pkg/$(dirname "$file")"
  mv -f "$OUT/$file" "pkg/$file"
done <<<"$built"
(cd pkg && find . -type f ! -name .built | sort) | comm -23 - <(echo "$built") | while read -r stale; do
  rm -f "pkg/$stale"
done
find pkg -mindepth 1 -type d -empty -delete
touch pkg/.built

node scripts/size-report.mjs pkg
