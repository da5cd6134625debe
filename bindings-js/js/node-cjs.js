// Node, CommonJS: bundled by build.mjs into dist/polycache.cjs, where __dirname is dist/.
// As node.js: the store's wasm at the first Cache, the snapshot and key module, LRUCache's code with its
// store's wasm and the Cache's extras on first use.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../../dist/polycache_wasm.js';
import { codecFrom } from './codec.js';
import { extrasFromBundle } from './extras-node.js';
import { lruFromBundle } from './lru-node.js';
import { urandomWith } from './node-random.js';
import { randomFrom } from './options.js';
import { storeFrom } from './slot-store.js';
import { CODEC_PAGES, STORE_PAGES, roomy } from './wasm-room.js';

storeFrom(() => initSync({ module: roomy(fs.readFileSync(join(__dirname, 'polycache_wasm_bg.wasm')), STORE_PAGES) }));
codecFrom(
  () => require(join(__dirname, 'polycache_codec.cjs')),
  () => roomy(fs.readFileSync(join(__dirname, 'polycache_codec_bg.wasm')), CODEC_PAGES),
);
lruFromBundle(
  () => require(join(__dirname, 'polycache_lru.cjs')),
  () => roomy(fs.readFileSync(join(__dirname, 'polycache_lrustore_bg.wasm')), STORE_PAGES),
);
extrasFromBundle(() => require(join(__dirname, 'polycache_extras.cjs')));
randomFrom(urandomWith(fs));

export * from './lib.js';
