# workerd configuration for tests/edge: the example worker (www/edge/worker.js) twice —
#   "http":   built-in model, test clock enabled (LEADPULSE_TEST_CLOCK = "1");
#   "broken": an invalid model, to prove that every page is still served (pass-through).
# Never deploy this: the test clock lets a client choose the scoring time.
# Ports and the origin are set by the test: --socket-addr http=… --socket-addr broken=…
# --external-addr origin=…; LEADPULSE_SECRET comes from the environment.

using Workerd = import "/workerd/workerd.capnp";
using Example = import "../../www/edge/config.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edgeWorker),
    (name = "edge-broken", worker = .brokenWorker),
    (name = "origin", external = (address = "127.0.0.1:8080", http = ())),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "edge"),
    (name = "broken", address = "127.0.0.1:8788", http = (), service = "edge-broken"),
  ],
);

const edgeWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_SECRET", fromEnvironment = "LEADPULSE_SECRET"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
  ],
);

const brokenWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_SECRET", fromEnvironment = "LEADPULSE_SECRET"),
    (name = "LEADPULSE_MODEL", text = "{\"version\": \"not a model\", \"rules\": 42}"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
  ],
);
