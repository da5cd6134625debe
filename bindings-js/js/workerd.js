// Cloudflare Workers (workerd): each .wasm is imported statically as a compiled
// WebAssembly.Module, as Workers require (no runtime compilation from bytes). The
// store's is instantiated now, the LRUCache's store's and the snapshot and key module's
// on first use.
import wasmModule from '../../dist/polycache_wasm_bg.wasm';
import codecModule from '../../dist/polycache_codec_bg.wasm';
import lruModule from '../../dist/polycache_lrustore_bg.wasm';
import * as codecGlue from '../../dist/polycache_codec.js';
import { initSync } from '../../dist/polycache_wasm.js';
import { extrasFrom } from './cache-extras.js';
import { codecFrom } from './codec.js';
import * as extras from './extras.js';
import { lruFrom } from './lru-lazy.js';
import { lruWith } from './lru-module.js';

initSync({ module: wasmModule });
codecFrom(() => codecGlue, () => codecModule);
lruFrom(() => lruWith(lruModule));
extrasFrom(() => extras);

export * from './lib.js';
