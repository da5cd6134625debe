// Node, ESM: reads the store's wasm next to the glue and instantiates it synchronously,
// so importing needs no top-level await. The snapshot and key module, its glue (as
// CommonJS, which Node can load synchronously) and its wasm, are read on first use, and
// so is `LRUCache`'s code (lru-node.js).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync } from '../../dist/polycache_wasm.js';
import { codecFrom } from './codec.js';
import { lruFromBundle } from './lru-node.js';
import { urandom } from './node-random.js';
import { randomFrom } from './options.js';

initSync({ module: readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)) });
codecFrom(
  () => createRequire(import.meta.url)('../../dist/polycache_codec.cjs'),
  () => readFileSync(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url)),
);
lruFromBundle(() => createRequire(import.meta.url)('../../dist/polycache_lru.cjs'));
randomFrom(urandom);

export * from './lib.js';
