// Browser, bundler and Deno entry: `await init()` once (it fetches leadpulse_core_bg.wasm from
// next to this file, or takes `{ module_or_path }`), then use the API.
export * from './leadpulse_core.js';
export { default } from './leadpulse_core.js';
