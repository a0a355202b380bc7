#!/usr/bin/env bash
# `make edge`: the demo site behind the example edge worker, all on 127.0.0.1.
#   leadpulse serve (origin + collector, requires signed summaries) on an ephemeral port
#   workerd (www/edge/config.capnp)                                    on ${PORT:-8787}
# Secrets (docs/edge.md), each made at random for this run when unset:
#   LEADPULSE_COOKIE_SECRET   the worker's alone: signs and encrypts the visitor cookie
#   LEADPULSE_SIGNING_SECRET  signs summaries: the worker's and the collector's (--signing-secret)
#   LEADPULSE_API_TOKEN       the dashboard's
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8787}"
BIN=target/release/leadpulse
WORKERD=node_modules/.bin/workerd

# Incremental: a no-op when the binary is up to date.
cargo build --quiet --release -p leadpulse-cli --bin leadpulse
make --no-print-directory pkg   # a no-op when pkg/ is up to date
[ -x "$WORKERD" ] || { echo "edge: $WORKERD missing: run 'npm ci' (or make setup)" >&2; exit 1; }

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
if [ -n "${LEADPULSE_SECRET:-}" ] && { [ -z "${LEADPULSE_COOKIE_SECRET:-}" ] || [ -z "${LEADPULSE_SIGNING_SECRET:-}" ]; }; then
  echo "edge: LEADPULSE_SECRET was split into LEADPULSE_COOKIE_SECRET (the edge's cookie) and" >&2
  echo "edge: LEADPULSE_SIGNING_SECRET (summaries, shared with the collector): with one secret the" >&2
  echo "edge: collector could mint visitor cookies. Set both (different), or neither for random ones." >&2
  exit 1
fi
LEADPULSE_COOKIE_SECRET="${LEADPULSE_COOKIE_SECRET:-$(random_hex 32)}"
LEADPULSE_SIGNING_SECRET="${LEADPULSE_SIGNING_SECRET:-$(random_hex 32)}"
if [ "$LEADPULSE_COOKIE_SECRET" = "$LEADPULSE_SIGNING_SECRET" ]; then
  echo "edge: LEADPULSE_COOKIE_SECRET and LEADPULSE_SIGNING_SECRET must differ" >&2
  exit 1
fi
# NOTE: both reach workerd through its environment (config.capnp: fromEnvironment), as does a
# LEADPULSE_PREVIOUS_COOKIE_SECRET during a rotation; only the signing secret is the collector's.
export LEADPULSE_COOKIE_SECRET LEADPULSE_SIGNING_SECRET
if [ -z "${LEADPULSE_API_TOKEN:-}" ]; then
  LEADPULSE_API_TOKEN="$(random_hex 16)"
fi
export LEADPULSE_API_TOKEN

mkdir -p target/edge
LOG=target/edge/origin.log
origin_pid=""
workerd_pid=""
cleanup() {
  [ -n "$workerd_pid" ] && kill "$workerd_pid" 2>/dev/null || true
  [ -n "$origin_pid" ] && kill "$origin_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# NOTE: secrets reach leadpulse serve through its environment, not argv (visible in ps); the
# cookie secret is not handed to it.
env -u LEADPULSE_COOKIE_SECRET -u LEADPULSE_PREVIOUS_COOKIE_SECRET "$BIN" serve --listen 127.0.0.1:0 --root . --db "${EDGE_DB:-target/edge/leads.db}" --require-signature >"$LOG" 2>&1 &
origin_pid=$!
origin=""
for _ in $(seq 1 100); do
  origin="$(sed -n 's|^leadpulse serve: http://\(127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$LOG" | head -n1)"
  [ -n "$origin" ] && break
  kill -0 "$origin_pid" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
[ -n "$origin" ] || { echo "edge: leadpulse serve did not start" >&2; cat "$LOG" >&2; exit 1; }

echo "edge: origin + collector  http://$origin/  (leads: http://$origin/dashboard, token $LEADPULSE_API_TOKEN)"
echo "edge: edge worker         http://127.0.0.1:$PORT/  (responses carry x-leadpulse-stage)"
"$WORKERD" serve www/edge/config.capnp \
  --external-addr "origin=$origin" --socket-addr "http=127.0.0.1:$PORT" &
workerd_pid=$!
wait "$workerd_pid"
