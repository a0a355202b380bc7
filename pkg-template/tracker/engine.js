import { warn } from './guard.js';

// NOTE: the wasm glue is imported by the entry (leadpulse.js), which the package build bundles
// with the glue left as its own file next to it; it is passed in here.
/** @typedef {typeof import('../leadpulse_core.js').Scorer} ScorerClass */

// Starting the scoring engine: the wasm module and the site's model, fetched in parallel. The
// browser build reads compiled models only (`leadpulse compile`, docs/tracker.md, "The
// model"): a site's model is used, or nothing is. A model that cannot be used — a document
// where a compiled model is expected, a broken file, a 404 — stops tracking with an error that
// names the fix; it is never replaced by another model in silence.

/** How a compiled model's text begins (base64url of its magic). */
const COMPILED = 'TFBN';

/** Why the tracker could not start, and what to do about it. */
export class StartError extends Error {
  /**
   * @param {string} message  what went wrong and the fix
   * @param {unknown} [cause]
   */
  constructor(message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LeadPulseStartError';
  }
}

const COMPILE_HINT = 'compile it at build time — npx leadpulse compile model.json -o model.lpm — and give the tracker the .lpm file (data-model / start({ model }))';

/**
 * The site's compiled model as text or bytes; undefined for the built-in model.
 * @param {string | Uint8Array | object | undefined} model  a URL, compiled text or bytes
 * @param {string} role  'model' or 'shadow model', for messages
 * @returns {Promise<string | Uint8Array | undefined>}
 */
export async function loadModel(model, role = 'model') {
  if (model === undefined || model === null || model === '') return undefined;
  if (model instanceof Uint8Array) return model;
  if (typeof model !== 'string') {
    throw new StartError(`the ${role} given to start() is a model document; the browser tracker reads compiled models: ${COMPILE_HINT}`);
  }
  if (model.startsWith(COMPILED)) return model;
  let response;
  try {
    response = await fetch(model);
  } catch (e) {
    throw new StartError(`could not load the ${role} from ${model} (network error): check the URL given as data-model / start({ model })`, e);
  }
  if (!response.ok) {
    throw new StartError(`could not load the ${role} from ${model} (HTTP ${response.status}): check the URL given as data-model / start({ model })`);
  }
  const text = (await response.text()).trim();
  if (text.startsWith('{')) {
    throw new StartError(`the ${role} at ${model} is a model document (JSON); the browser tracker reads compiled models: ${COMPILE_HINT}`);
  }
  return text;
}

/**
 * A scorer for a loaded model (undefined: the built-in one).
 * @param {ScorerClass} Scorer
 * @param {string | Uint8Array | undefined} model
 * @param {string} where  where it came from, for messages
 */
export function scorerFor(Scorer, model, where) {
  try {
    return new Scorer(/** @type {string | Uint8Array} */ (model));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StartError(`the model ${where} cannot be used (${why}): ${COMPILE_HINT}`, e);
  }
}

/**
 * The challenger's scorer, or none when its model cannot be used: a shadow never stops the
 * champion (it is skipped, with a warning).
 * @param {ScorerClass} Scorer
 * @param {string | Uint8Array | object | undefined} model
 */
export async function shadowScorer(Scorer, model) {
  if (model === undefined) return undefined;
  try {
    return scorerFor(Scorer, await loadModel(model, 'shadow model'), 'given as shadow');
  } catch (e) {
    warn('shadow model skipped (scoring goes on without it): ' + (e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}

/**
 * Instantiates the wasm engine (streaming compilation). `wasm` is where the module is, when a
 * bundler does not keep it next to the tracker (esbuild: docs/tracker.md, "Bundlers").
 * @param {(options: { module_or_path: URL }) => Promise<unknown>} init  the glue's
 * @param {string | URL | undefined} wasm
 */
export async function startWasm(init, wasm) {
  const url = wasm ? new URL(wasm, import.meta.url) : new URL('./leadpulse_core_bg.wasm', import.meta.url);
  try {
    await init({ module_or_path: url });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StartError(`could not load the scoring engine from ${url.href} (${why}): serve the package's leadpulse_core_bg.wasm there (application/wasm), or tell start({ wasm }) where it is — with esbuild: import wasm from 'leadpulse/wasm' and --loader:.wasm=file (docs/tracker.md, "Bundlers")`, e);
  }
}
