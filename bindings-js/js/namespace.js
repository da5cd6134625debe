// A namespace: a view of a cache whose keys carry the namespace's generation.
// `cache.invalidate(name)` bumps the generation in the core (O(1)); keys of older
// generations are never read again and age out of the LRU.

import { CacheKeyError } from './errors.js';
import { describe, text } from './text.js';

// Namespace prefixes cached on the JS side, at most.
const PREFIXES_MAX = 1024;

/** The cache's hook that gives a namespace's current key prefix. */
export const PREFIX = Symbol('polycache.namespacePrefix');

export class Namespace {
  #cache;
  #name;

  constructor(cache, name) {
    this.#cache = cache;
    this.#name = name;
  }

  get name() {
    return this.#name;
  }

  /** The cache key `key` has in this namespace now: `"name|generation|key"`. */
  key(key) {
    if (typeof key !== 'string') throw new CacheKeyError(`cache keys must be strings, got ${describe(key)}`);
    return this.#cache[PREFIX](this.#name) + key;
  }

  get(key) {
    return this.#cache.get(this.key(key));
  }

  peek(key) {
    return this.#cache.peek(this.key(key));
  }

  has(key) {
    return this.#cache.has(this.key(key));
  }

  set(key, value, options) {
    this.#cache.set(this.key(key), value, options);
    return this;
  }

  add(key, value, options) {
    return this.#cache.add(this.key(key), value, options);
  }

  touch(key, options) {
    return this.#cache.touch(this.key(key), options);
  }

  delete(key) {
    return this.#cache.delete(this.key(key));
  }

  getRemainingTTL(key) {
    return this.#cache.getRemainingTTL(this.key(key));
  }

  /**
   * The cache's `fetch()` of `key` in this namespace, at the generation current when
   * the fetch starts: a fetch that races an `invalidate()` stores its (stale) result
   * where nobody reads. The fetchMethod receives the namespaced key (`this.key(key)`).
   */
  fetch(key, options) {
    return this.#cache.fetch(this.key(key), options);
  }

  /** Invalidates every key of this namespace at once; the new generation. */
  invalidate() {
    return this.#cache.invalidate(this.#name);
  }

  get generation() {
    return this.#cache.generation(this.#name);
  }
}

/**
 * A cache's namespace prefixes, cached on the JS side. Bounded like the core's table it
 * mirrors: past the bound it starts over. The core forgets namespaces past its bound and
 * raises the generation of every namespace it forgot (core/src/generations.rs); the
 * prefixes cached here then start over too.
 */
export class Prefixes {
  #map = new Map();
  #floor = 1n;

  constructor(store) {
    if (store !== undefined) this.#floor = store.generation_floor();
  }

  invalidate(store, name) {
    const g = store.invalidate(text(name, 'namespace'));
    this.#map.delete(name);
    this.#check(store);
    return g;
  }

  generation(store, name) {
    const g = store.generation(text(name, 'namespace'));
    this.#check(store);
    return g;
  }

  prefix(store, name) {
    let p = this.#map.get(name);
    if (p === undefined) {
      p = store.namespace_prefix(name);
      if (this.#map.size >= PREFIXES_MAX) this.#map.clear();
      this.#map.set(name, p);
      this.#check(store);
    }
    return p;
  }

  #check(store) {
    const floor = store.generation_floor();
    if (floor !== this.#floor) {
      this.#floor = floor;
      this.#map.clear();
    }
  }
}
