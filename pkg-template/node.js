// Node entry: the engine with the model reader (documents and compiled models), instantiated
// synchronously on import, so the API is ready at once. `init()` is still exported (it
// resolves at once) for code shared with browsers.
import { readFileSync } from 'node:fs';
import { initSync } from './leadpulse_author.js';

initSync({ module: readFileSync(new URL('./leadpulse_author_bg.wasm', import.meta.url)) });

export * from './leadpulse_author.js';
export { default } from './leadpulse_author.js';
