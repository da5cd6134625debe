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
import { randomFrom } from './options.js';

initSync({ module: wasmModule });
codecFrom(() => codecGlue, () => codecModule);
lruFrom(() => lruWith(lruModule));
extrasFrom(() => extras);
// Workers refuse crypto.getRandomValues at module scope, where caches are often built, and
// the Error it throws there costs far more than the call: workerd records a detailed
// stack trace, so V8 parses the code of every frame again for its source positions,
// the top-level code of the whole bundle included (14 M instructions a Worker,
// docs/js-size-and-speed.md). Time stands at 0 at module scope: the seeds come from
// Math.random there without asking (options.js), and crypto's in a request.
randomFrom((out) => Date.now() !== 0 && (crypto.getRandomValues(out), true));

export * from './lib.js';
