# workerd configuration for benches/edge-load.mjs: the same origin behind three workers —
#   "leadpulse": the example edge worker (www/edge/worker.js), built-in model;
#   "scoreonly": withLeadPulse around a pass-through handler (no HTMLRewriter): scoring alone;
#   "baseline":  a pass-through worker (proxy only), to subtract workerd's own cost.

using Workerd = import "/workerd/workerd.capnp";
using Example = import "../www/edge/config.capnp";

const config :Workerd.Config = (
  services = [
    (name = "leadpulse", worker = .leadpulseWorker),
    (name = "scoreonly", worker = .scoreOnlyWorker),
    (name = "baseline", worker = .baselineWorker),
    (name = "origin", external = (address = "127.0.0.1:8080", http = ())),
  ],
  sockets = [
    (name = "leadpulse", address = "127.0.0.1:8787", http = (), service = "leadpulse"),
    (name = "scoreonly", address = "127.0.0.1:8785", http = (), service = "scoreonly"),
    (name = "baseline", address = "127.0.0.1:8786", http = (), service = "baseline"),
  ],
);

const leadpulseWorker :Workerd.Worker = (
  modules = Example.modules,
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COLLECTOR", service = "origin"),
    (name = "LEADPULSE_ENDPOINT", text = "http://origin/collect"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
  ],
);

const scoreOnlyWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = "import { withLeadPulse } from 'leadpulse/edge'; export default withLeadPulse((request, env) => env.ORIGIN.fetch(request));"),
    (name = "leadpulse/edge", esModule = embed "../pkg/edge.js"),
    (name = "leadpulse/edge/core.js", esModule = embed "../pkg/edge/core.js"),
    (name = "leadpulse/edge/cookie.js", esModule = embed "../pkg/edge/cookie.js"),
    (name = "leadpulse/edge/encoding.js", esModule = embed "../pkg/edge/encoding.js"),
    (name = "leadpulse/edge/events.js", esModule = embed "../pkg/edge/events.js"),
    (name = "leadpulse/edge/forward.js", esModule = embed "../pkg/edge/forward.js"),
  (name = "leadpulse/edge/forms.js", esModule = embed "../pkg/edge/forms.js"),
  (name = "leadpulse/edge/mark.js", esModule = embed "../pkg/edge/mark.js"),
  (name = "leadpulse/request.js", esModule = embed "../pkg/request.js"),
  (name = "leadpulse/sales-status.js", esModule = embed "../pkg/sales-status.js"),
    (name = "leadpulse/edge/keys.js", esModule = embed "../pkg/edge/keys.js"),
    (name = "leadpulse/edge/outbox.js", esModule = embed "../pkg/edge/outbox.js"),
    (name = "leadpulse/edge/outgoing.js", esModule = embed "../pkg/edge/outgoing.js"),
  (name = "leadpulse/edge/sales.js", esModule = embed "../pkg/edge/sales.js"),
    (name = "leadpulse/edge/rotation.js", esModule = embed "../pkg/edge/rotation.js"),
    (name = "leadpulse/edge/seal.js", esModule = embed "../pkg/edge/seal.js"),
    (name = "leadpulse/leadpulse_author.js", esModule = embed "../pkg/leadpulse_author.js"),
    (name = "leadpulse/leadpulse_step.js", esModule = embed "../pkg/leadpulse_step.js"),
    (name = "leadpulse/leadpulse_author_bg.wasm", wasm = embed "../pkg/leadpulse_author_bg.wasm"),
  ],
  compatibilityDate = Example.compatibilityDate,
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "LEADPULSE_COOKIE_SECRET", fromEnvironment = "LEADPULSE_COOKIE_SECRET"),
    (name = "LEADPULSE_SIGNING_SECRET", fromEnvironment = "LEADPULSE_SIGNING_SECRET"),
  ],
);

const baselineWorker :Workerd.Worker = (
  modules = [
    (name = "baseline.js", esModule = "export default { fetch: (request, env) => env.ORIGIN.fetch(request) };"),
  ],
  compatibilityDate = Example.compatibilityDate,
  bindings = [ (name = "ORIGIN", service = "origin") ],
);
