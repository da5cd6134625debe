// The Cache's less frequent operations, over what it lets them reach (`cache[INSIDE]()`
// in cache.js): its bounds, deletes, the counters, and iteration in recency order.
// Django's add and touch, remaining lifetimes and purging are loaded on first use with
// the extras (cache-rare.js).

import { INSIDE, Persisting } from './cache-persist.js';
import { extras } from './cache-extras.js';
import { HELD } from './fetch-options.js';
import { STORE_MEMORY, poison, storeMemory } from './slot-store.js';
// (For the extras bundle, which reaches slot-store.js only through this module.)
export { FAILED } from './slot-store.js';
import { Namespace, PREFIX } from './namespace.js';
import { keyError, text } from './text.js';

/** The slot of `key` in `c` (a cache's INSIDE), or undefined; a non-string key is an error, not a miss. */
export function slotOf(c, key) {
  const slot = c.held(key);
  if (slot === undefined && typeof key !== 'string') throw keyError(key);
  return slot;
}

/** The Cache's live `[key, value]` pairs, most recently used first (read at once). */
export const LIVE = Symbol('polycache.live');

/** The Cache's methods that need no private state of its own (cache.js). */
export class CacheBase extends Persisting {
  /** The entry bound (`Infinity` when only `maxSize` bounds the cache). */
  get max() {
    return this[INSIDE]().max;
  }

  /** The size bound, or `undefined`. */
  get maxSize() {
    return this[INSIDE]().maxSize;
  }

  /** The sum of the sizes of the entries held. */
  get calculatedSize() {
    return this[INSIDE]().store.stats()[7];
  }

  [PREFIX](name) {
    const c = this[INSIDE]();
    return c.names().prefix(c.store, name);
  }

  /** The value of a live `key` without touching its recency or the counters. */
  peek(key) {
    const c = this[INSIDE]();
    const slot = slotOf(c, key);
    return slot !== undefined && c.store.has(slot, c.time()) ? c.value(slot) : undefined;
  }

  /** Removes `key`; true when it was live. */
  delete(key) {
    const c = this[INSIDE]();
    c.written(key);
    const slot = slotOf(c, key);
    if (slot === undefined) return false;
    const now = c.time();
    let live;
    try {
      live = c.store.delete(slot, now);
    } catch (e) {
      throw poison(c.store, e);
    }
    c.release(slot);
    return live;
  }

  /** True when `key` is live (no recency change). */
  has(key) {
    const c = this[INSIDE]();
    const slot = slotOf(c, key);
    return slot !== undefined && c.store.has(slot, c.time());
  }

  /**
   * lru-cache's `fetch()`: the value of `key`, from the cache or from the cache's
   * `fetchMethod` (called once per key however many fetches wait for it). Options:
   * `allowStale`, `forceRefresh`, `signal`, `context`, `ttl`/`timeout`/`size` for what it
   * stores, `noDeleteOnFetchRejection`, `allowStaleOnFetchRejection`. See fetch.js.
   */
  fetch(key, options) {
    return this[INSIDE]().fetches().fetch(key, options);
  }

  [HELD](key) {
    const c = this[INSIDE]();
    const slot = c.held(key);
    return slot === undefined ? undefined : c.value(slot);
  }

  /** The store module's WebAssembly.Memory (slot-store.js). */
  static get [STORE_MEMORY]() {
    return storeMemory();
  }

  // Live [key, value] pairs, most recently used first, read before any caller code runs
  // (a slot freed and reused while a loop runs must not show another key); the
  // iterators above walk them.
  [LIVE]() {
    const c = this[INSIDE]();
    return Array.from(c.store.keys(c.time()), (slot) => [c.key(slot), c.value(slot)]);
  }

  /** Live keys, most recently used first (as they are when iteration starts). */
  *keys() {
    for (const [k] of this[LIVE]()) yield k;
  }

  /** Live values, most recently used first. */
  *values() {
    for (const [, v] of this[LIVE]()) yield v;
  }

  /** Live `[key, value]` pairs, most recently used first. */
  *entries() {
    yield* this[LIVE]();
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  /** Calls `fn(value, key, cache)` for each live entry, most recently used first. */
  forEach(fn, thisArg) {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  /**
   * Counters: hits, misses, sets, deletes, evictions, expirations, entries, and `bytes`:
   * the sum of the entries' sizes (`size`/`sizeCalculation`, in their units), or null
   * when the cache was built without `maxSize` or `sizeCalculation`: it then sizes no
   * value (that would cost a serialization per set), and 0 would be a false count.
   */
  stats() {
    const c = this[INSIDE]();
    return countersOf(c.store.stats(), c.sized);
  }

  /** A view of the cache whose keys live in `name`; see `invalidate`. */
  namespace(name) {
    return new Namespace(this, text(name, 'namespace'));
  }

  /** Invalidates every key of namespace `name` at once (O(1)); the new generation. */
  invalidate(name) {
    const c = this[INSIDE]();
    return c.names().invalidate(c.store, name);
  }

  /** The current generation of namespace `name` (1 until first invalidated). */
  generation(name) {
    const c = this[INSIDE]();
    return c.names().generation(c.store, name);
  }

  /** Django's `add`: stores only when `key` is not live; true when it stored. */
  add(key, value, options) {
    return extras().addTo(this[INSIDE](), key, value, options);
  }

  /** Gives a live `key` a new lifetime (`{ttl}` or `{timeout}`); true when it was live. */
  touch(key, options) {
    return extras().touchIn(this[INSIDE](), key, options);
  }

  /** Milliseconds `key` has left: `Infinity` without expiry, 0 when not live. */
  getRemainingTTL(key) {
    return extras().remainingOf(this[INSIDE](), key);
  }

  /** Reclaims expired entries now; true when there were any. */
  purgeStale() {
    return extras().purgeIn(this[INSIDE]());
  }
}

/**
 * Counters: hits, misses, sets, deletes, evictions, expirations, entries, and `bytes`:
 * the sum of the entries' sizes (`size`/`sizeCalculation`, in their units), or null
 * when the cache sizes nothing (`sized` false: no `maxSize`, no `sizeCalculation`): it
 * then sizes no value (that would cost a serialization per set), and 0 would be a false
 * count.
 */
export function countersOf(s, sized) {
  return {
    hits: s[0],
    misses: s[1],
    sets: s[2],
    deletes: s[3],
    evictions: s[4],
    expirations: s[5],
    entries: s[6],
    bytes: sized ? s[7] : null,
    namespaces: s[8],
  };
}
