// `polycache/lru-cache`: the lru-cache 11 drop-in alone, with the errors it throws and the
// values its snapshots hand back (in Node a module of its own; elsewhere the package's).
export {
  LRUCache,
  LRUCacheDumpEntry,
  OpaqueValue,
  CacheArgumentError,
  CacheConfigError,
  CacheKeyError,
  CacheLoadError,
  CacheTimeoutError,
  CacheTrappedError,
  ValueTooLargeError,
} from './index.js';
