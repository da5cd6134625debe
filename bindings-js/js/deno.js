// Deno: reads the store's wasm beside the glue (needs --allow-read) and instantiates it
// synchronously; the snapshot and key module is read on first use.
import * as codecGlue from '../../dist/polycache_codec.js';
import { initSync } from '../../dist/polycache_wasm.js';
import { extrasFrom } from './cache-extras.js';
import { codecFrom } from './codec.js';
import * as extras from './extras.js';
import { LRUCache } from './lru.js';
import { lruFrom } from './lru-lazy.js';

initSync({ module: Deno.readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)) });
codecFrom(
  () => codecGlue,
  () => Deno.readFileSync(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url)),
);
lruFrom(() => LRUCache);
extrasFrom(() => extras);

export * from './lib.js';
