// Node: `LRUCache`'s code comes from dist/polycache_lru.cjs on first use, read
// synchronously by the entry (ESM has no synchronous import), and so does its store's wasm
// module. That bundle holds only the lru-*.js files and the glue of that module
// (lru-module.js); the modules they share with the rest of the package are handed to it
// from here (build.mjs builds it against these names), so there is one set of error
// classes and one set of options, whichever part of the package uses them.
import * as codec from './codec.js';
import * as errors from './errors.js';
import { lruFrom } from './lru-lazy.js';
import * as options from './options.js';
import * as text from './text.js';
import * as values from './values.js';

/** The modules the LRUCache bundle imports from the rest, by file name. */
export const LRU_SHARED = {
  'codec.js': codec,
  'errors.js': errors,
  'options.js': options,
  'text.js': text,
  'values.js': values,
};

/**
 * `requireBundle()` returns dist/polycache_lru.cjs's export, `wasm()` the bytes of
 * dist/polycache_lrustore_bg.wasm.
 */
export function lruFromBundle(requireBundle, wasm) {
  lruFrom(() => requireBundle()(LRU_SHARED)(wasm()));
}
