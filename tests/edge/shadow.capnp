# workerd configuration for tests/edge/shadow-workerd.test.mjs: the example worker
# (www/edge/worker.js) with a shadow (challenger) model, in front of the origin, which is also
# its collector —
#   "shadow":        LEADPULSE_SHADOW_MODEL from the environment (the test's challenger: the
#                    built-in model with doubled points);
#   "broken-shadow": an invalid shadow model, to prove the champion is untouched;
#   "plain":         no shadow model.
# All with the test clock and the debug headers (never deploy this: see config.capnp).
# Ports and addresses are set by the test: --socket-addr shadow=… broken-shadow=… plain=…,
# --external-addr origin=…; the secrets and the challenger come from the environment.

using Workerd = import "/workerd/workerd.capnp";
using Example = import "../../www/edge/config.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge-shadow", worker = .shadowWorker),
    (name = "edge-broken-shadow", worker = .brokenShadowWorker),
    (name = "edge-plain", worker = .plainWorker),
    (name = "origin", external = (address = "127.0.0.1:8080", http = ())),
  ],
  sockets = [
    (name = "shadow", address = "127.0.0.1:8797", http = (), service = "edge-shadow"),
    (name = "broken-shadow", address = "127.0.0.1:8798", http = (), service = "edge-broken-shadow"),
    (name = "plain", address = "127.0.0.1:8799", http = (), service = "edge-plain"),
  ],
);

const shadowWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    (name = "LEADPULSE_SHADOW_MODEL", fromEnvironment = "LEADPULSE_TEST_SHADOW_MODEL"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
    (name = "LEADPULSE_DEBUG_HEADERS", text = "1"),
  ],
);

const brokenShadowWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    (name = "LEADPULSE_SHADOW_MODEL", text = "{\"version\": 1, \"name\": \"broken challenger\", \"rules\": 42}"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
    (name = "LEADPULSE_DEBUG_HEADERS", text = "1"),
  ],
);

const plainWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
    (name = "LEADPULSE_TEST_CLOCK", text = "1"),
    (name = "LEADPULSE_DEBUG_HEADERS", text = "1"),
  ],
);
