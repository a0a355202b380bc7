#!/usr/bin/env bash
# The core's hand-written pieces that exist to save bytes, each weighed against what it
# replaces (benches/README.md, "What the hand-written pieces save"). One browser wasm per
# variant — HEAD, and HEAD with benches/size-alternatives/<variant>.patch applied (the standard
# library's or a well-kept crate's version swapped in) — built, bound and optimised as
# scripts/build-pkg.sh does; the table gives each variant's size and its difference to HEAD.
#
#   benches/size-alternatives.sh          # one release wasm build per variant: minutes
#
# Expects `make setup` (wasm-bindgen, node_modules). Works in a scratch git worktree of HEAD
# with its own target directory, so neither the checkout nor `make pkg`'s build is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

WASM_OPT_FEATURES=(--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

tree=$(mktemp -d /tmp/leadpulse-size-alternatives.XXXXXX)
out=$(mktemp -d /tmp/leadpulse-size-out.XXXXXX)
export CARGO_TARGET_DIR="$root/target/size-alternatives"
git worktree add --detach --quiet "$tree/src" HEAD
trap 'git -C "$root" worktree remove --force "$tree/src"; rm -rf "$tree" "$out"' EXIT

# size LABEL: builds the browser wasm of the worktree as it stands; prints "bytes gzip".
size() {
  (cd "$tree/src" && cargo build --quiet -p leadpulse-wasm --lib --target wasm32-unknown-unknown --profile wasm-browser)
  rm -rf "$out/$1" && mkdir -p "$out/$1"
  wasm-bindgen --target web --out-name x --out-dir "$out/$1" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-browser/leadpulse_wasm.wasm"
  "$root/node_modules/.bin/wasm-opt" -Oz "${WASM_OPT_FEATURES[@]}" \
    --strip-debug --strip-producers --strip-target-features "$out/$1/x_bg.wasm" -o "$out/$1/o.wasm"
  echo "$(stat -c %s "$out/$1/o.wasm") $(gzip -9c "$out/$1/o.wasm" | wc -c)"
}

echo "size-alternatives: HEAD ($(git rev-parse --short HEAD))" >&2
read -r base_bytes base_gzip < <(size head)
printf '%-26s %10s %10s %12s\n' variant bytes gzip 'Δ gzip'
printf '%-26s %10d %10d %12s\n' 'HEAD (hand-written)' "$base_bytes" "$base_gzip" '-'
for patch in benches/size-alternatives/*.patch; do
  name=$(basename "$patch" .patch)
  echo "size-alternatives: $name" >&2
  git -C "$tree/src" apply "$root/$patch"
  read -r bytes gzip < <(size "$name")
  git -C "$tree/src" checkout --quiet -- .
  printf '%-26s %10d %10d %+12d\n' "$name" "$bytes" "$gzip" "$((gzip - base_gzip))"
done
