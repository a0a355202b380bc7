#!/usr/bin/env bash
# Installs everything the build and the tests need (see "Running it" in DESIGN.md).
# Idempotent: prints nothing when everything is already in place. Works as root or via
# sudo, in CI (no stdin). Needs rustup, Node >= 20 and npm on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null || { say "missing $1: $2"; exit 1; }; }
need rustup "install Rust with rustup (https://rustup.rs)"
need npm "install Node.js >= 20 with npm"

# --- Rust: wasm target and lint components ---------------------------------------------
# (lists captured first: `grep -q` closing a pipe early would fail the pipeline)
targets=$(rustup target list --installed)
grep -qx wasm32-unknown-unknown <<<"$targets" || {
  say "adding rust target wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
components=$(rustup component list --installed)
for c in clippy rustfmt; do
  grep -q "^$c" <<<"$components" || { say "adding $c"; rustup component add "$c"; }
done

# --- wasm-bindgen-cli, exactly the version of the wasm-bindgen crate in Cargo.lock -------
wb_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
[[ -n $wb_version ]] || { say "no wasm-bindgen package in Cargo.lock"; exit 1; }

# Prints the crate whose locked version the registry cannot supply, from a cargo error log.
locked_but_missing() { sed -n 's/.*failed to select a version for the requirement `\([^ ]*\) = .*(locked to .*/\1/p' "$1" | head -n1; }

install_wasm_bindgen() {
  local log pkg src=""
  log=$(mktemp)
  cargo install --quiet --locked wasm-bindgen-cli --version "$wb_version" 2>"$log" && { rm -f "$log"; return; }
  # NOTE: the crate's published Cargo.lock can pin a dependency version that the registry no
  # longer serves (0.2.130 pins webpki-roots 1.0.11). Then build the crate's own source (which
  # that failed attempt unpacked) with its own lockfile, moving only the missing packages.
  for _ in 1 2 3 4 5; do
    pkg=$(locked_but_missing "$log")
    [[ -n $pkg ]] || break
    if [[ -z $src ]]; then
      src=$(mktemp -d)
      cp -r "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"wasm-bindgen-cli-$wb_version"/. "$src"
    fi
    say "its Cargo.lock pins a $pkg version the registry does not serve: relocking $pkg only"
    (cd "$src" && cargo update --quiet -p "$pkg")
    cargo install --quiet --locked --path "$src" 2>"$log" && { rm -rf "$src" "$log"; return; }
  done
  tail -n 30 "$log" >&2
  say "cargo install wasm-bindgen-cli $wb_version failed (full log: $log)"
  exit 1
}

wb_installed() { [[ $(wasm-bindgen --version 2>/dev/null) == "wasm-bindgen $wb_version" ]]; }
if ! wb_installed; then
  # Another shell may already be installing it: wait instead of building it twice.
  while pgrep -f "cargo install.*wasm-bindgen-cli" >/dev/null; do
    say "waiting for a running 'cargo install wasm-bindgen-cli'"; sleep 15
  done
  wb_installed || { say "installing wasm-bindgen-cli $wb_version (several minutes)"; install_wasm_bindgen; }
fi

# --- npm dev tools (wasm-opt, playwright-core, workerd, deno, ...) from the lockfile --------
# npm writes node_modules/.package-lock.json on every install: it is the stamp.
# NOTE: not `npm ci`: it refuses a lockfile that lacks other platforms' optional binaries
# (@deno/darwin-arm64 …) when the registry mirror does not serve them. `install --no-save`
# installs the same locked versions and leaves package-lock.json untouched.
if [[ ! -e node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dev dependencies"
  npm install --no-save --no-audit --no-fund --loglevel=error
fi

# --- Debian packages: headless Chromium + chromedriver, the PostgreSQL server ---------------
# PostgreSQL: the collector's suite runs on it too (make serve-test-postgres starts a throwaway
# cluster from its binaries, tests/serve/pg-cluster.sh; no service is needed or started).
packages=()
[[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] || packages+=(chromium chromium-driver)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
if [[ ${#packages[@]} -gt 0 ]]; then
  sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  # Lock::Timeout: wait for another apt/dpkg run to finish instead of failing on its lock.
  apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=900)
  say "installing ${packages[*]}"
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >/dev/null
fi
