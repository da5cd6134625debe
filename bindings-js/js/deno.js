// Deno: reads the wasm beside the glue (needs --allow-read) and instantiates it
// synchronously.
import { initSync } from '../../dist/polycache_wasm.js';

initSync({ module: Deno.readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)) });

export * from './lib.js';
