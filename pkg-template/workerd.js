// Workers entry (workerd, edge-light): the engine with the model reader. Edge runtimes refuse
// to compile wasm from bytes, so the .wasm is imported as a compiled module; and nothing runs
// at module top level (no I/O or randomness outside a handler): call `await init()` (typed
// like the other entries' `init`) or `ensureInit()` in the handler before using the API.
// Both are no-ops once initialised.
import wasmModule from './leadpulse_author_bg.wasm';
import { initSync } from './leadpulse_author.js';

export * from './leadpulse_author.js';

export function ensureInit() {
  return initSync({ module: wasmModule });
}

export default async function init() {
  return ensureInit();
}
