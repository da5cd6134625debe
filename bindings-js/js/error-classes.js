// The error classes every entry exports (errors.js makes them, and turns the store's
// messages and wasm traps into them).
export {
  CacheArgumentError,
  CacheConfigError,
  CacheKeyError,
  CacheLoadError,
  CacheTimeoutError,
  CacheTrappedError,
  ValueTooLargeError,
} from './errors.js';
