// Deno: reads the store's wasm beside the glue (needs --allow-read) and instantiates it
// synchronously when the first Cache is made; the LRUCache's store's module and the snapshot and key module are read
// on first use.
import * as codecGlue from '../../dist/polycache_codec.js';
import { initSync } from '../../dist/polycache_wasm.js';
import { extrasFrom } from './cache-extras.js';
import { codecFrom } from './codec.js';
import * as extras from './extras.js';
import { lruFrom } from './lru-lazy.js';
import { lruWith } from './lru-module.js';
import { storeFrom } from './slot-store.js';
import { CODEC_PAGES, STORE_PAGES, roomy } from './wasm-room.js';

storeFrom(() => initSync({ module: roomy(Deno.readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)), STORE_PAGES) }));
codecFrom(
  () => codecGlue,
  () => roomy(Deno.readFileSync(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url)), CODEC_PAGES),
);
lruFrom(() => lruWith(roomy(Deno.readFileSync(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url)), STORE_PAGES)));
extrasFrom(() => extras);

export * from './lib.js';
