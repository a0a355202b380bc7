// `leadpulse/author`: the engine with the model reader (`new Scorer(modelDocument)`,
// `compileModel`), for browsers and bundlers that edit or validate models (a model editor,
// a playground). Sites that only score use the lighter default entry with compiled models.
// `await init()` once (it fetches leadpulse_author_bg.wasm from next to this file).
export * from './leadpulse_author.js';
export { default } from './leadpulse_author.js';
