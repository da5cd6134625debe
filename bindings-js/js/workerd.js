// Cloudflare Workers (workerd): the .wasm is imported statically as a compiled
// WebAssembly.Module, as Workers require (no runtime compilation from bytes),
// and instantiated synchronously.
import wasmModule from '../../dist/polycache_wasm_bg.wasm';
import { initSync } from '../../dist/polycache_wasm.js';

initSync({ module: wasmModule });

export * from './lib.js';
