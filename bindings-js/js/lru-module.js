// LRUCache's code with its store's wasm module (dist/polycache_lrustore_bg.wasm), which
// nothing else uses: the entry points hand `lruWith` the module when the class is first
// used (lru-lazy.js), so an import that only needs `Cache` neither reads nor instantiates
// it. Node's entries read it from dist/polycache_lru.cjs, this file's bundle (lru-node.js).
import { initSync } from '../../dist/polycache_lrustore.js';
import { LRUCache } from './lru.js';

/**
 * The class, its store's module instantiated from `module`: the wasm's bytes or its
 * compiled WebAssembly.Module.
 */
export function lruWith(module) {
  initSync({ module });
  return LRUCache;
}

// `LRUCache.name` says `LRUCache` in a minified bundle too (workerd's, build.mjs).
Object.defineProperty(LRUCache, 'name', { value: 'LRUCache' });
