// Everything the package exports, whatever the runtime. The entry points (node.js,
// browser.js, workerd.js, deno.js) load the wasm module first, each its own way.

import * as exported from './lib.js';

export { Cache } from './cache.js';
export { Namespace } from './namespace.js';
export { OpaqueValue } from './values.js';
export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys-lazy.js';
export {
  CacheArgumentError,
  CacheConfigError,
  CacheKeyError,
  CacheLoadError,
  CacheTimeoutError,
  CacheTrappedError,
  ValueTooLargeError,
} from './errors.js';
export { LRUCache } from './lru-lazy.js';

// Node's bundles are minified without esbuild's --keep-names (its `__name` calls for every
// function cost 0.9 KiB gzip): what the package exports gets its own name back, so that
// `Cache.name` and `console.log(cache)` say `Cache`. (`LRUCache` stands for a class that
// has its name: lazy-bundle.mjs keeps its names.)
for (const [name, value] of Object.entries(exported)) {
  if (name !== 'LRUCache') Object.defineProperty(value, 'name', { value: name });
}
