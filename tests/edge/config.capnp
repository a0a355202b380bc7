# workerd configuration for tests/edge: the example worker (www/edge/worker.js) three times —
#   "http":   built-in model, in front of the origin, which is also its collector;
#   "broken": an invalid model, to prove that every page is still served (pass-through);
#   "outage": like "http", but its collector is the external service "collector", which the
#             test starts, stops and restarts (--external-addr collector=…).
# All with the test clock (LEADPULSE_TEST_CLOCK = "1") and the debug headers
# (LEADPULSE_DEBUG_HEADERS = "1"). Never deploy this: the test clock lets a client choose the
# scoring time.
# Ports and addresses are set by the test: --socket-addr http=… broken=… outage=…,
# --external-addr origin=… collector=…; the secrets come from the environment (the previous
# cookie secret only while a test rotates the cookie secret: unset, the binding is absent).

using Workerd = import "/workerd/workerd.capnp";
using Example = import "../../www/edge/config.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edgeWorker),
    (name = "edge-broken", worker = .brokenWorker),
    (name = "edge-outage", worker = .outageWorker),
    (name = "origin", external = (address = "127.0.0.1:8080", http = ())),
    (name = "collector", external = (address = "127.0.0.1:8081", http = ())),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "edge"),
    (name = "broken", address = "127.0.0.1:8788", http = (), service = "edge-broken"),
    (name = "outage", address = "127.0.0.1:8789", http = (), service = "edge-outage"),
  ],
);

const edgeWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    (name = "LEADPULSE_PREVIOUS_COOKIE_SECRET", fromEnvironment = "LEADPULSE_PREVIOUS_COOKIE_SECRET"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
    (name = "LEADPULSE_DEBUG_HEADERS", text = "1"),
  ],
);

const brokenWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    (name = "LEADPULSE_PREVIOUS_COOKIE_SECRET", fromEnvironment = "LEADPULSE_PREVIOUS_COOKIE_SECRET"),
    (name = "LEADPULSE_MODEL", text = "{\"version\": \"not a model\", \"rules\": 42}"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
    (name = "LEADPULSE_DEBUG_HEADERS", text = "1"),
  ],
);

const outageWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "collector"),
    (name = "LEADPULSE_ENDPOINT", text = "http://collector/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    (name = "LEADPULSE_PREVIOUS_COOKIE_SECRET", fromEnvironment = "LEADPULSE_PREVIOUS_COOKIE_SECRET"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
    (name = "LEADPULSE_DEBUG_HEADERS", text = "1"),
  ],
);
