// Node ESM, `polycache/lru-cache`: the lru-cache drop-in alone, for programs that use no
// `Cache`. Its code and its store's glue are in the module the import reads, and its
// store's wasm is read and instantiated then: a first LRUCache skips the package entry's
// bundle (the Cache's code) and the compile of a second file on first use (what that
// saves: docs/js-speed.md, session 20; `make bench-js` times both). The classes
// are this module's own: the errors it throws are the ones it exports, not
// `polycache`'s (a program that uses both entries gets two of each).
import { codecFrom } from './codec.js';
import * as exported from './lru-cache-node.js';
import { lruWith } from './lru-module.js';
import { named } from './names.js';
import { fs, nodeModule } from './node-builtins.js';
import { CODEC_PAGES, STORE_PAGES, roomy } from './wasm-room.js';

codecFrom(
  () => nodeModule().createRequire(import.meta.url)('../../dist/polycache_codec.cjs'),
  () => roomy(fs.readFileSync(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url)), CODEC_PAGES),
);

function load() {
  try {
    return lruWith(roomy(fs.readFileSync(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url)), STORE_PAGES));
  } catch (e) {
    throw new Error(`polycache: loading LRUCache's wasm module failed: ${e.message}`, { cause: e });
  }
}

export const LRUCache = load();
export * from './error-classes.js';
export { OpaqueValue } from './values.js';

// Named as the package entry names its exports (names.js; lru-module.js names LRUCache).
const { LRUCache: _, ...toName } = exported;
named(toName);
