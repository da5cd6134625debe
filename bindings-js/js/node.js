// Node, ESM: reads the store's wasm next to the glue and instantiates it synchronously
// (no top-level await, but for Node's modules on Nodes before 20.16: node-builtins.js)
// when the first Cache is made, not at import: a program that uses
// only LRUCache never compiles it (slot-store.js `storeFrom`). The snapshot and key module, its glue (as
// CommonJS, which Node can load synchronously) and its wasm, are read on first use, and
// so are `LRUCache`'s code with its store's wasm (lru-node.js) and the Cache's extras
// (extras-node.js).
import { initSync } from '../../dist/polycache_wasm.js';
import { codecFrom } from './codec.js';
import { extrasFromBundle } from './extras-node.js';
import { lruFromBundle } from './lru-node.js';
import { fs, nodeModule, vm } from './node-builtins.js';
import { urandomWith } from './node-random.js';
import { randomFrom } from './options.js';
import { storeFrom } from './slot-store.js';
import { CODEC_PAGES, STORE_PAGES, roomy } from './wasm-room.js';

storeFrom(() => initSync({ module: roomy(fs.readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)), STORE_PAGES) }));
codecFrom(
  () => nodeModule().createRequire(import.meta.url)('../../dist/polycache_codec.cjs'),
  () => roomy(fs.readFileSync(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url)), CODEC_PAGES),
);
// Compiled as a function body, not required: a first `require` in an ES module process
// sets up Node's CommonJS loader, which made a first LRUCache cost 9 M instructions
// (about 2 ms) more than with the class inside the bundle; this way, the same within
// noise (docs/js-size-and-speed.md). (The CommonJS entry requires it: its loader is up.)
function compiled(url) {
  const module = { exports: {} };
  vm().compileFunction(fs.readFileSync(url, 'utf8'), ['module'], { filename: url.href })(module);
  return module.exports;
}
lruFromBundle(
  () => compiled(new URL('../../dist/polycache_lru.cjs', import.meta.url)),
  () => roomy(fs.readFileSync(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url)), STORE_PAGES),
);
extrasFromBundle(() => compiled(new URL('../../dist/polycache_extras.cjs', import.meta.url)));
randomFrom(urandomWith(fs));

export * from './lib.js';
