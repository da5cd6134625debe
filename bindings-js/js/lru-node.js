// Node: `LRUCache`'s code comes from dist/polycache_lru.cjs on first use, read
// synchronously by the entry (ESM has no synchronous import). That bundle holds only the lru-*.js files;
// the modules they share with the rest of the package are handed to it from here
// (build.mjs builds it against these names), so there is one wasm instance, one set of
// error classes and one set of options, whichever part of the package uses them.
import { LruStore, wasm_memory } from '../../dist/polycache_wasm.js';
import * as codec from './codec.js';
import * as errors from './errors.js';
import { lruFrom } from './lru-lazy.js';
import * as options from './options.js';
import * as text from './text.js';
import * as values from './values.js';

/** The modules the LRUCache bundle imports from the rest, by file name. */
export const LRU_SHARED = {
  // What the lru files take from the glue, by name: the rest of it (wasm-bindgen's async
  // loader for browsers, say) then stays out of Node's bundles.
  'polycache_wasm.js': { LruStore, wasm_memory },
  'codec.js': codec,
  'errors.js': errors,
  'options.js': options,
  'text.js': text,
  'values.js': values,
};

/** `requireBundle()` returns dist/polycache_lru.cjs's export. */
export function lruFromBundle(requireBundle) {
  lruFrom(() => requireBundle()(LRU_SHARED));
}
