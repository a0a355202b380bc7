#!/usr/bin/env bash
# Edge test layer (called by `make test`): the edge core's unit tests (Node, fake collector),
# the example worker in real workerd in front of a real `leadpulse serve` (with and without a
# shadow model; collectors and workers restarted under new secrets), then the package under
# Deno; and the edge declarations type-checked. Needs pkg/ (make pkg) and the release binary.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --quiet --release -p leadpulse-cli --bin leadpulse
[ -f pkg/edge.js ] || { echo "tests/edge: pkg/edge.js missing: run 'make pkg' first" >&2; exit 1; }

# edge.d.ts: typed, no `any` (a comment may say "any").
if grep -nE '(:|<|,|\||\()\s*any\b' pkg/edge.d.ts; then echo "tests/edge: 'any' in pkg/edge.d.ts" >&2; exit 1; fi
node_modules/.bin/tsc -p tests/edge

node --test tests/edge/edge-core.test.mjs tests/edge/cookie.test.mjs tests/edge/cookie-rotation.test.mjs \
  tests/edge/keys.test.mjs tests/edge/delivery.test.mjs tests/edge/shadow.test.mjs tests/edge/edge.test.mjs \
  tests/edge/rotation-workerd.test.mjs tests/edge/shadow-workerd.test.mjs

# Deno resolves nothing from the network here: no config, no npm, no remote imports.
NO_COLOR=1 DENO_NO_UPDATE_CHECK=1 node_modules/.bin/deno test --no-config --no-npm --no-remote --allow-read --allow-net=127.0.0.1 \
  tests/edge/deno.test.mjs
