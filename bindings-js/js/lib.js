// Everything the package exports, whatever the runtime. The entry points (node.js,
// browser.js, workerd.js, deno.js) load the wasm module first, each its own way.

export { Cache } from './cache.js';
export { Namespace } from './namespace.js';
export { OpaqueValue } from './values.js';
export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys.js';
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
