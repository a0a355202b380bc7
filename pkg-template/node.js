// Node entry: the wasm next to this file is instantiated synchronously on import, so the API is
// ready at once. `init()` is still exported (it resolves at once) for code shared with browsers.
import { readFileSync } from 'node:fs';
import { initSync } from './leadpulse_core.js';

initSync({ module: readFileSync(new URL('./leadpulse_core_bg.wasm', import.meta.url)) });

export * from './leadpulse_core.js';
export { default } from './leadpulse_core.js';
