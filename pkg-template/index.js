// Browser and bundler entry: the light engine, which reads compiled models (the text of
// `leadpulse compile`, or the built-in model). `await init()` once (it fetches
// leadpulse_core_bg.wasm from next to this file, or takes `{ module_or_path }`), then use the API.
export * from './leadpulse_core.js';
export { default } from './leadpulse_core.js';
