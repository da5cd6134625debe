// workerd's error classes, apart from the classes that throw them, so that importing one
// brings in no cache. Every workerd entry names them (setUp), whichever a Worker imports.
import {
  CacheArgumentError,
  CacheConfigError,
  CacheKeyError,
  CacheLoadError,
  CacheTimeoutError,
  CacheTrappedError,
  ValueTooLargeError,
} from './errors.js';
import { named } from './names.js';

/** Gives the error classes their names back (the bundle is minified); once is enough. */
export function nameErrors() {
  named({ CacheArgumentError, CacheConfigError, CacheKeyError, CacheLoadError, CacheTimeoutError, CacheTrappedError, ValueTooLargeError });
}

nameErrors();

export { CacheArgumentError, CacheConfigError, CacheKeyError, CacheLoadError, CacheTimeoutError, CacheTrappedError, ValueTooLargeError };
