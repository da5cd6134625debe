// Browsers: fetches and compiles the wasm beside the glue. Bundlers follow the
// `new URL(..., import.meta.url)` pattern and ship the file.
import init from '../../dist/polycache_wasm.js';

await init({ module_or_path: new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url) });

export * from './lib.js';
