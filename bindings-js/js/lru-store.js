// The LRUCache's wasm store (bindings-js/src/lru.rs): made, its answers named, and a trap
// or `free()` turned into one clear error on every later call (errors.js `guardTraps`).

import { LruStore, take_failure as takeFailure } from '../../dist/polycache_lrustore.js';
import { ON_TRAP, fromMessage, guardTraps, trappedMaking } from './errors.js';

// A write's answer, as the Cache's store gives it (slot-store.js, views.rs).
export const FREED_NONE = -1;
export const FREED_MANY = -2;
export const FAILED = -3;

// Every call is guarded: a trap (out of memory) poisons that cache's store. `release`:
// the cache's `free()`, the store's wasm memory back now; each later call throws.
export const [, release] = guardTraps(LruStore, [], 'LRUCache');

/**
 * A store for `o.max` entries and `o.maxSize` in total (0: unbounded); `retired()` runs
 * when a trap or `release` retires it, after which each of its calls throws
 * CacheTrappedError (its owner then answers nothing without asking it).
 */
export function newStore(o, retired) {
  let store;
  try {
    store = LruStore.make(o.max, o.maxSize);
  } catch (e) {
    throw trappedMaking(e, 'LRUCache');
  }
  // (error.rs: the store's module makes no JS errors; a maker that fails answers undefined.)
  if (store === undefined) throw fromMessage(takeFailure());
  store[ON_TRAP] = retired;
  return store;
}
