// The Cache: lru-cache's API over the core's store.
//
// Keys stay JS strings in a Map<string, slot>; values stay in a JS array at their slot.
// The wasm store sees only integer slots and decides everything else (recency, expiry,
// byte bound, eviction, counters). A get makes no call: it reads the slot's expiry from
// a view on the store's memory and writes the hit into the store's ring, which the
// store replays, in order, before anything else it does (bindings-js/src/views.rs).

import { CacheArgumentError, CacheKeyError, fromMessage, fromWasm } from './errors.js';
import { INSIDE, dumpOf, loadInto, loadSnapshotInto, snapshotOf } from './cache-persist.js';
import { Fetches, HELD, checkFetchOptions } from './fetch.js';
import { Namespace, PREFIX } from './namespace.js';
import { KIND_DEFAULT, KIND_NEVER, amount, readOptions, seeds, ttlKind } from './options.js';
import {
  FAILED,
  FREED_MANY,
  FREED_NONE,
  MISS,
  NO_EXPIRIES,
  NO_RING,
  ON_TRAP,
  RING,
  SlotStore,
  coarseNow,
  openViews,
  poison,
} from './slot-store.js';
import { describe, text } from './text.js';

// Namespace prefixes cached on the JS side, at most.
const PREFIXES_MAX = 1024;

function keyError(key) {
  return new CacheKeyError(`cache keys must be strings, got ${describe(key)}`);
}

export class Cache {
  #store;
  // Views on the store's ring and expiries (slot-store.js); empty until opened and after
  // a trap, detached (length 0) after the memory grows: either way the next op calls.
  #ring = NO_RING;
  #exp = NO_EXPIRIES;
  // True when an update of a live key may go through the ring: nothing sized, no
  // adaptive policy (and, checked apart, nothing can expire).
  #plain = false;
  #slots = new Map();
  #keys = [];
  #values = [];
  #free = [];
  #nextSlot = 0;
  #prefixes = new Map();
  #floor = 1n;
  #options;
  #now;
  // False while no entry can expire: the store's answers then do not depend on the
  // time, so the clock (which can cost 100+ ns) is not read. Once true, stays true.
  #timed = false;
  #max;
  #maxSize;
  #sizeCalculation;
  // Running fetch() calls (fetch.js), from the first fetch on.
  #fetches;
  /** The adaptive policy learns each new key's text, so its decisions match other hosts'. */
  #adaptive = false;

  /**
   * @param {object} options `max` entries and/or `maxSize` (with `size` per set or a
   *   `sizeCalculation(value, key)`), a default `ttl` in ms or Django `timeout` in
   *   seconds (`timeouts: 'django'` makes Django's 300 s the default), `now()` in epoch
   *   ms, `eviction: 'lru' | 'cull' | 'adaptive'` (Django's batch cull; the scan-resistant
   *   adaptive policy) and `cullFrequency`.
   */
  constructor(options = {}) {
    const { max, maxSize, sizeCalculation, now, cull, adaptive, kind, amount: ttlAmount } = readOptions(options);
    checkFetchOptions(options);
    try {
      // Slots run from 0 to max (one more than max while a write evicts): for a bound
      // of moderate size the arrays are laid out whole now, as lru-cache does.
      const slots = max !== undefined && max <= 1 << 16 ? max + 1 : 0;
      this.#adopt(new SlotStore(max, maxSize, cull, kind, ttlAmount, seeds(), adaptive, slots));
      this.#adaptive = adaptive;
    } catch (e) {
      throw fromWasm(e);
    }
    this.#options = { ...options };
    this.#now = now === Date.now ? coarseNow : now;
    if (max !== undefined && max <= 1 << 16) {
      this.#keys = new Array(max + 1).fill(undefined);
      this.#values = new Array(max + 1).fill(undefined);
    }
    this.#timed = kind !== KIND_DEFAULT && kind !== KIND_NEVER;
    this.#max = options.max === undefined ? Infinity : max;
    this.#maxSize = maxSize;
    this.#sizeCalculation = sizeCalculation;
    this.#plain = maxSize === undefined && sizeCalculation === undefined && !adaptive;
  }

  // Takes `store` as this cache's store: its views, and dropping them if it traps.
  #adopt(store) {
    this.#store = store;
    store[ON_TRAP] = () => {
      this.#ring = NO_RING;
      this.#exp = NO_EXPIRIES;
    };
    this.#views();
  }

  #views() {
    [this.#ring, this.#exp] = openViews(this.#store);
  }

  /** The entry bound (`Infinity` when only `maxSize` bounds the cache). */
  get max() {
    return this.#max;
  }

  /** The size bound, or `undefined`. */
  get maxSize() {
    return this.#maxSize;
  }

  /** Entries held (expired ones not yet reclaimed included, as lru-cache counts). */
  get size() {
    return this.#slots.size;
  }

  /** The sum of the sizes of the entries held. */
  get calculatedSize() {
    return this.#store.stats()[7];
  }

  /** The value of a live `key` (it becomes the most recently used), else undefined. */
  get(key) {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      if (typeof key !== 'string') throw keyError(key);
      this.#record(MISS);
      return undefined;
    }
    // slot < length: the views are open and cover the slot (a detached view's length is 0).
    const exp = this.#exp;
    const timed = this.#timed;
    const now = timed ? this.#now() : 0;
    if (slot < exp.length && (!timed || exp[slot] > now)) {
      const ring = this.#ring;
      const n = ring[0] + 1;
      ring[n] = slot;
      ring[0] = n;
      if (n === RING) this.#store.sync();
      return this.#values[slot];
    }
    // Expired (the store decides and counts), or the views need opening again.
    const hit = this.#store.get(slot, now);
    this.#views();
    if (hit) return this.#values[slot];
    this.#release(slot);
    return undefined;
  }

  // Puts one operation in the ring (a call only when it is full, or its view is gone).
  #record(op) {
    const ring = this.#ring;
    if (ring.length === 0) {
      this.#views();
      return this.#record(op);
    }
    const n = ring[0] + 1;
    ring[n] = op;
    ring[0] = n;
    if (n === RING) this.#store.sync();
  }

  /** The value of a live `key` without touching its recency or the counters. */
  peek(key) {
    const slot = this.#slotOf(key);
    return slot !== undefined && this.#store.has(slot, this.#time()) ? this.#values[slot] : undefined;
  }

  /** True when `key` is live (no recency change). */
  has(key) {
    const slot = this.#slotOf(key);
    return slot !== undefined && this.#store.has(slot, this.#time());
  }

  /**
   * Stores `value` under `key` (`undefined` deletes it, as in lru-cache). Options:
   * `ttl` (ms; 0 = no TTL) or `timeout` (seconds, Django: null = never, 0 or less =
   * already expired), `size`.
   */
  set(key, value, options) {
    if (options === undefined && value !== undefined && this.#plain && !this.#timed) {
      // An update of a held key, where nothing expires or is sized: the store replays
      // it from the ring, in order (views.rs); nothing is freed by it.
      const slot = this.#slots.get(key);
      if (slot !== undefined && slot < this.#exp.length) {
        this.#values[slot] = value;
        this.#record(-(slot + 2));
        if (this.#fetches !== undefined) this.#fetches.written(key);
        return this;
      }
    }
    if (typeof key !== 'string') throw keyError(key);
    if (value === undefined) {
      // As in lru-cache: storing undefined is deleting (a get could not tell them apart).
      this.delete(key);
      return this;
    }
    // Every option is read before any user code (sizeCalculation, now) runs: that code
    // may call a cache, which reuses the module's lifetime reading (options.js).
    let kind = KIND_DEFAULT;
    let ttlAmount = 0;
    let given;
    if (options !== undefined) {
      given = options.size;
      kind = ttlKind(options.ttl, options.timeout);
      ttlAmount = amount;
    }
    const size = this.#size(key, value, given);
    if (kind > KIND_NEVER) this.#timed = true;
    // User code (sizeCalculation, now) runs before a slot is taken, so a throw leaves nothing.
    const now = this.#timed ? this.#now() : 0;
    let slot = this.#slots.get(key);
    const fresh = slot === undefined;
    if (fresh) slot = this.#alloc(key);
    if (fresh && this.#adaptive) this.#store.next_key(key);
    let freed;
    try {
      freed = this.#store.set(slot, size, kind, ttlAmount, now);
    } catch (e) {
      throw poison(this.#store, e);
    }
    if (slot >= this.#exp.length) this.#views();
    if (freed === FAILED) {
      if (fresh) this.#release(slot);
      throw fromMessage(this.#store.take_error());
    }
    this.#values[slot] = value;
    if (freed !== FREED_NONE) this.#reap(freed);
    if (this.#fetches !== undefined) this.#fetches.written(key);
    return this;
  }

  /** Django's `add`: stores only when `key` is not live; true when it stored. */
  add(key, value, options) {
    if (typeof key !== 'string') throw keyError(key);
    const given = options === undefined ? undefined : options.size;
    const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
    const ttlAmount = amount;
    const size = this.#size(key, value, given);
    if (kind > KIND_NEVER) this.#timed = true;
    const now = this.#time();
    let slot = this.#slots.get(key);
    const fresh = slot === undefined;
    if (fresh) slot = this.#alloc(key);
    if (fresh && this.#adaptive) this.#store.next_key(key);
    let stored;
    try {
      stored = this.#store.add(slot, size, kind, ttlAmount, now);
    } catch (e) {
      if (fresh) this.#release(slot);
      throw fromWasm(e);
    }
    if (slot >= this.#exp.length) this.#views();
    if (stored) this.#values[slot] = value;
    this.#reapAll();
    return stored;
  }

  /** Gives a live `key` a new lifetime (`{ttl}` or `{timeout}`); true when it was live. */
  touch(key, options) {
    const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
    const ttlAmount = amount;
    const slot = this.#slotOf(key);
    if (slot === undefined) return false;
    let live;
    try {
      if (kind > KIND_NEVER) this.#timed = true;
      live = this.#store.touch(slot, kind, ttlAmount, this.#time());
    } catch (e) {
      throw fromWasm(e);
    }
    this.#reapAll();
    return live;
  }

  /** Removes `key`; true when it was live. */
  delete(key) {
    if (this.#fetches !== undefined) this.#fetches.written(key);
    const slot = this.#slotOf(key);
    if (slot === undefined) return false;
    const now = this.#time();
    let live;
    try {
      live = this.#store.delete(slot, now);
    } catch (e) {
      throw poison(this.#store, e);
    }
    this.#release(slot);
    return live;
  }

  /** Removes every entry; namespace generations are kept. */
  clear() {
    if (this.#fetches !== undefined) this.#fetches.cleared();
    this.#store.clear();
    this.#slots.clear();
    this.#keys = [];
    this.#values = [];
    this.#free = [];
    this.#nextSlot = 0;
  }

  /**
   * lru-cache's `fetch()`: the value of `key`, from the cache or from the cache's
   * `fetchMethod` (called once per key however many fetches wait for it). Options:
   * `allowStale`, `forceRefresh`, `signal`, `context`, `ttl`/`timeout`/`size` for what it
   * stores, `noDeleteOnFetchRejection`, `allowStaleOnFetchRejection`. See fetch.js.
   */
  fetch(key, options) {
    if (this.#fetches === undefined) this.#fetches = new Fetches(this, this.#options);
    return this.#fetches.fetch(key, options);
  }

  [HELD](key) {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : this.#values[slot];
  }

  /** Milliseconds `key` has left: `Infinity` without expiry, 0 when not live. */
  getRemainingTTL(key) {
    const slot = this.#slotOf(key);
    return slot === undefined ? 0 : this.#store.remaining(slot, this.#time());
  }

  /** Reclaims expired entries now; true when there were any. */
  purgeStale() {
    const n = this.#store.purge(this.#time());
    this.#reapAll();
    return n > 0;
  }

  /** Live keys, most recently used first (as they are when iteration starts). */
  *keys() {
    yield* this.#live().map((slot) => this.#keys[slot]);
  }

  /** Live values, most recently used first. */
  *values() {
    yield* this.#live().map((slot) => this.#values[slot]);
  }

  /** Live `[key, value]` pairs, most recently used first. */
  *entries() {
    yield* this.#live().map((slot) => [this.#keys[slot], this.#values[slot]]);
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
    const s = this.#store.stats();
    return {
      hits: s[0],
      misses: s[1],
      sets: s[2],
      deletes: s[3],
      evictions: s[4],
      expirations: s[5],
      entries: s[6],
      bytes: this.#maxSize === undefined && this.#sizeCalculation === undefined ? null : s[7],
      namespaces: s[8],
    };
  }

  /** A view of the cache whose keys live in `name`; see `invalidate`. */
  namespace(name) {
    return new Namespace(this, text(name, 'namespace'));
  }

  /** Invalidates every key of namespace `name` at once (O(1)); the new generation. */
  invalidate(name) {
    const g = this.#store.invalidate(text(name, 'namespace'));
    this.#prefixes.delete(name);
    this.#checkFloor();
    return g;
  }

  /** The current generation of namespace `name` (1 until first invalidated). */
  generation(name) {
    const g = this.#store.generation(text(name, 'namespace'));
    this.#checkFloor();
    return g;
  }

  [PREFIX](name) {
    let p = this.#prefixes.get(name);
    if (p === undefined) {
      p = this.#store.namespace_prefix(name);
      // Bounded like the core's table it mirrors: past the bound it starts over.
      if (this.#prefixes.size >= PREFIXES_MAX) this.#prefixes.clear();
      this.#prefixes.set(name, p);
      this.#checkFloor();
    }
    return p;
  }

  // The core forgets namespaces past its bound and raises the generation of every
  // namespace it forgot (core/src/generations.rs); the prefixes cached here then start over.
  #checkFloor() {
    const floor = this.#store.generation_floor();
    if (floor !== this.#floor) {
      this.#floor = floor;
      this.#prefixes.clear();
    }
  }

  /**
   * Everything the cache holds, JSON-ready when the values are: live entries least
   * recently used first with their absolute expiry (epoch ms) and size, and the
   * namespace generations. `load()` takes it back.
   */
  dump() {
    return dumpOf(this[INSIDE]());
  }

  /**
   * Replaces the cache's entries with a `dump()` (or an lru-cache `dump()` array), by the
   * core's load rules: expired or oversized entries are skipped, namespace generations
   * only move forward. Unreadable input throws a CacheLoadError and changes nothing.
   * The counters go on (as in Python).
   */
  load(input) {
    loadInto(this[INSIDE](), input);
  }

  /**
   * The cache as core snapshot bytes, readable by every polycache binding: keys, JSON
   * values (Uint8Array values as bytes), expiries, namespace generations. `{ key }`
   * (a string or bytes, at least 16 bytes) signs it with HMAC-SHA256.
   */
  snapshot(options = {}) {
    return snapshotOf(this[INSIDE](), options);
  }

  /**
   * Replaces the cache's entries with a `snapshot()` from any binding. A signed snapshot
   * needs `{ key }`; an unsigned one needs `{ allowUnsigned: true }`. `{ maxAge }` (ms)
   * refuses a snapshot made longer ago than that by this cache's clock (a replay). Values
   * JS cannot read (Python pickles) load as OpaqueValue, never executed. Sizes come from
   * `sizeCalculation`, else the value's encoded length. `{ verified, entries }`.
   */
  loadSnapshot(bytes, options = {}) {
    return loadSnapshotInto(this[INSIDE](), bytes, options);
  }

  // What cache-persist.js reaches of this cache: made for one call, so `store` is the
  // store of that moment.
  [INSIDE]() {
    return {
      cache: this,
      store: this.#store,
      sizeCalculation: this.#sizeCalculation,
      now: () => this.#now(),
      time: () => this.#time(),
      key: (slot) => this.#keys[slot],
      value: (slot) => this.#values[slot],
      held: (key) => this.#slots.get(key),
      put: (key, value) => {
        const slot = this.#alloc(key);
        this.#values[slot] = value;
        return slot;
      },
      release: (slot) => this.#release(slot),
      size: (key, value, size) => this.#size(key, value, size),
      expiring: () => {
        this.#timed = true;
      },
      // An empty cache with this one's options and clock state, to load into.
      fresh: () => {
        const next = new Cache(this.#options);
        next.#timed = this.#timed;
        return next[INSIDE]();
      },
      // Takes `next`'s contents (a `fresh()` loaded); how many entries it holds now.
      takeFrom: (next) => this.#takeFrom(next.cache),
    };
  }

  #takeFrom(next) {
    // The counters go on, as in Python: this cache's so far, plus what the load counted.
    next.#store.carry_counters(this.#store);
    this.#store.free();
    this.#adopt(next.#store);
    this.#slots = next.#slots;
    this.#keys = next.#keys;
    this.#values = next.#values;
    this.#free = next.#free;
    this.#nextSlot = next.#nextSlot;
    this.#timed = next.#timed;
    this.#prefixes = new Map();
    this.#floor = this.#store.generation_floor();
    return this.#slots.size;
  }

  /** The slot of `key`, or undefined; a non-string key is an error, not a miss. */
  #slotOf(key) {
    const slot = this.#slots.get(key);
    if (slot === undefined && typeof key !== 'string') throw keyError(key);
    return slot;
  }

  // Live slots as a plain array, read before any caller code runs: a slot freed and
  // reused while a loop runs must not show another key.
  #live() {
    return Array.from(this.#store.keys(this.#time()));
  }

  #time() {
    return this.#timed ? this.#now() : 0;
  }

  // With maxSize, a size is a positive integer, as lru-cache demands: a size of 0 (or
  // one the store would round) would let entries past the bound. A `size` that is not
  // one falls back to sizeCalculation, as in lru-cache.
  #size(key, value, size) {
    if (this.#maxSize === undefined) {
      if (size === undefined && this.#sizeCalculation !== undefined) size = this.#sizeCalculation(value, key);
      if (size === undefined) return 0;
      if (typeof size !== 'number') throw new CacheArgumentError(`size must be a number, got ${describe(size)}`);
      return size;
    }
    if (Number.isInteger(size) && size > 0) return size;
    if (this.#sizeCalculation === undefined) {
      if (size === undefined) {
        throw new CacheArgumentError('a cache with maxSize needs a size for every entry: pass {size} or set sizeCalculation');
      }
      throw new CacheArgumentError(`size must be a positive integer, got ${describe(size)}`);
    }
    const computed = this.#sizeCalculation(value, key);
    if (Number.isInteger(computed) && computed > 0) return computed;
    throw new CacheArgumentError(`sizeCalculation must return a positive integer, got ${describe(computed)}`);
  }

  #alloc(key) {
    const slot = this.#free.length > 0 ? this.#free.pop() : this.#nextSlot++;
    this.#keys[slot] = key;
    this.#slots.set(key, slot);
    return slot;
  }

  #release(slot) {
    this.#slots.delete(this.#keys[slot]);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#free.push(slot);
  }

  #reap(freed) {
    if (freed >= 0) this.#release(freed);
    else if (freed === FREED_MANY) this.#reapAll();
  }

  #reapAll() {
    for (const slot of this.#store.take_dead()) this.#release(slot);
  }
}
