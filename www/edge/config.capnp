# workerd configuration for the example edge worker (worker.js) in front of the demo site.
#
#   make pkg
#   LEADPULSE_COOKIE_SECRET=$(openssl rand -hex 32) LEADPULSE_SIGNING_SECRET=<the collector's> \
#     node_modules/.bin/workerd serve www/edge/config.capnp \
#     --external-addr origin=127.0.0.1:8080 --socket-addr http=127.0.0.1:8787
#
# or simply `make edge` (scripts/edge.sh starts `leadpulse serve` as origin + collector too).
# The origin (`leadpulse serve`, which also hosts the collector's POST /collect) is the
# external service "origin"; override its address with --external-addr. The two secrets and
# their roles: docs/edge.md.

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edgeWorker),
    (name = "origin", external = (address = "127.0.0.1:8080", http = ())),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "edge") ],
);

const edgeWorker :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = .compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    # Signs and encrypts the visitor cookie: the edge's alone.
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    # Signs forwarded summaries: the collector's --signing-secret. Must differ from the above.
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    # Only while the cookie secret is changed: the one it replaced, still read (docs/edge.md,
    # "Rotating secrets"). Unset = none.
    (name = "LEADPULSE_PREVIOUS_COOKIE_SECRET", fromEnvironment = "LEADPULSE_PREVIOUS_COOKIE_SECRET"),
    # Optional model JSON; unset = the built-in model.
    (name = "LEADPULSE_MODEL", fromEnvironment = "LEADPULSE_MODEL"),
    # Optional challenger model JSON, scored silently beside it (docs/edge.md, "Shadow model"):
    # summaries then carry its { model, score, stage }. Unset or empty = no shadow.
    (name = "LEADPULSE_SHADOW_MODEL", fromEnvironment = "LEADPULSE_SHADOW_MODEL"),
  ],
);

const compatibilityDate :Text = "2025-09-01";

# The worker and the `leadpulse` package files it imports, named as the worker imports them
# ("leadpulse/edge" is what `import … from 'leadpulse/edge'` resolves to).
const modules :List(Workerd.Worker.Module) = [
  (name = "worker.js", esModule = embed "worker.js"),
  (name = "site.js", esModule = embed "site.js"),
  (name = "leadpulse/edge", esModule = embed "../../pkg/edge.js"),
  (name = "leadpulse/edge/core.js", esModule = embed "../../pkg/edge/core.js"),
  (name = "leadpulse/edge/cookie.js", esModule = embed "../../pkg/edge/cookie.js"),
  (name = "leadpulse/edge/encoding.js", esModule = embed "../../pkg/edge/encoding.js"),
  (name = "leadpulse/edge/events.js", esModule = embed "../../pkg/edge/events.js"),
  (name = "leadpulse/edge/forward.js", esModule = embed "../../pkg/edge/forward.js"),
  (name = "leadpulse/edge/forms.js", esModule = embed "../../pkg/edge/forms.js"),
  (name = "leadpulse/edge/mark.js", esModule = embed "../../pkg/edge/mark.js"),
  (name = "leadpulse/request.js", esModule = embed "../../pkg/request.js"),
  (name = "leadpulse/sales-status.js", esModule = embed "../../pkg/sales-status.js"),
  (name = "leadpulse/edge/keys.js", esModule = embed "../../pkg/edge/keys.js"),
  (name = "leadpulse/edge/outbox.js", esModule = embed "../../pkg/edge/outbox.js"),
  (name = "leadpulse/edge/outgoing.js", esModule = embed "../../pkg/edge/outgoing.js"),
  (name = "leadpulse/edge/sales.js", esModule = embed "../../pkg/edge/sales.js"),
  (name = "leadpulse/edge/rotation.js", esModule = embed "../../pkg/edge/rotation.js"),
  (name = "leadpulse/edge/seal.js", esModule = embed "../../pkg/edge/seal.js"),
  (name = "leadpulse/leadpulse_author.js", esModule = embed "../../pkg/leadpulse_author.js"),
  (name = "leadpulse/leadpulse_step.js", esModule = embed "../../pkg/leadpulse_step.js"),
  (name = "leadpulse/leadpulse_author_bg.wasm", wasm = embed "../../pkg/leadpulse_author_bg.wasm"),
];
