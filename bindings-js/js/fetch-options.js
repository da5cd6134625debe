// The Cache's fetch() options, checked at construction, and the hook fetch() reads a
// held value through. Apart from fetch.js, which is loaded on first use (cache-extras.js).

import { CacheConfigError } from './errors.js';
import { describe } from './text.js';

/** The cache's hook: the value held under a key even if expired, else undefined. */
export const HELD = Symbol('polycache.heldValue');

export const FLAGS = ['allowStale', 'noDeleteOnFetchRejection', 'allowStaleOnFetchRejection'];

/** Checks the Cache constructor's fetch options (so a typo fails at construction). */
export function checkFetchOptions(options) {
  const { fetchMethod } = options;
  if (fetchMethod !== undefined && typeof fetchMethod !== 'function') {
    throw new CacheConfigError(`fetchMethod must be a function, got ${describe(fetchMethod)}`);
  }
  for (const name of FLAGS) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') {
      throw new CacheConfigError(`${name} must be a boolean, got ${describe(options[name])}`);
    }
  }
}
