// The Cache: lru-cache's API over the core's store.
//
// Keys stay JS strings in a Map<string, slot>; values stay in a JS array at their slot.
// The wasm store sees only integer slots and decides everything else (recency, expiry,
// byte bound, eviction, counters), so a get crosses the boundary with two numbers.

import { SlotStore, decodeSnapshot } from '../../dist/polycache_wasm.js';
import {
  CacheArgumentError,
  CacheKeyError,
  CacheLoadError,
  fromMessage,
  fromWasm,
} from './errors.js';
import { Fetches, HELD, checkFetchOptions } from './fetch.js';
import { Namespace, PREFIX } from './namespace.js';
import { KIND_DEFAULT, KIND_NEVER, amount, readOptions, seeds, signingKey, ttlKind } from './options.js';
import { parseDump } from './snapshot.js';
import { describe, text } from './text.js';
import { packValues, unpackEntries } from './values.js';

// Must match bindings-js/src/slots.rs.
const FREED_NONE = -1;
const FREED_MANY = -2;
const FAILED = -3;

function keyError(key) {
  return new CacheKeyError(`cache keys must be strings, got ${describe(key)}`);
}

// The default clock: Date.now() costs 35+ ns, over a third of a get with a TTL, so it
// is read at most once per millisecond of event-loop time, as lru-cache does (its
// ttlResolution): a timer clears the reading 1 ms later, and synchronous code sees one
// time (as all code does in Cloudflare Workers). Where timers are refused (a Worker's
// global scope) every call reads Date.now(). A clock the caller passes is always called.
let clockReading = 0;
function clearReading() {
  clockReading = 0;
}
function coarseNow() {
  if (clockReading !== 0) return clockReading;
  const now = Date.now();
  try {
    const t = setTimeout(clearReading, 1);
    if (typeof t === 'object' && typeof t.unref === 'function') t.unref();
    clockReading = now;
  } catch {
    // no timers here: no caching
  }
  return now;
}

export class Cache {
  #store;
  #slots = new Map();
  #keys = [];
  #values = [];
  #free = [];
  #nextSlot = 0;
  #prefixes = new Map();
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
      this.#store = new SlotStore(max, maxSize, cull, kind, ttlAmount, seeds(), adaptive);
      this.#adaptive = adaptive;
    } catch (e) {
      throw fromWasm(e);
    }
    this.#options = { ...options };
    this.#now = now === Date.now ? coarseNow : now;
    // Slots run from 0 to max (one more than max while a write evicts): for a bound
    // of moderate size the arrays are laid out whole now, as lru-cache does.
    if (max !== undefined && max <= 1 << 16) {
      this.#keys = new Array(max + 1).fill(undefined);
      this.#values = new Array(max + 1).fill(undefined);
    }
    this.#timed = kind !== KIND_DEFAULT && kind !== KIND_NEVER;
    this.#max = options.max === undefined ? Infinity : max;
    this.#maxSize = maxSize;
    this.#sizeCalculation = sizeCalculation;
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
      this.#store.miss();
      return undefined;
    }
    if (this.#store.get(slot, this.#timed ? this.#now() : 0)) return this.#values[slot];
    this.#release(slot);
    return undefined;
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
    if (typeof key !== 'string') throw keyError(key);
    if (value === undefined) {
      // As in lru-cache: storing undefined is deleting (a get could not tell them apart).
      this.delete(key);
      return this;
    }
    const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
    const size = this.#size(key, value, options);
    if (kind > KIND_NEVER) this.#timed = true;
    // User code (sizeCalculation, now) runs before a slot is taken, so a throw leaves nothing.
    const now = this.#timed ? this.#now() : 0;
    let slot = this.#slots.get(key);
    const fresh = slot === undefined;
    if (fresh) slot = this.#alloc(key);
    if (fresh && this.#adaptive) this.#store.next_key(key);
    const freed = this.#store.set(slot, size, kind, amount, now);
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
    const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
    const size = this.#size(key, value, options);
    if (kind > KIND_NEVER) this.#timed = true;
    const now = this.#time();
    let slot = this.#slots.get(key);
    const fresh = slot === undefined;
    if (fresh) slot = this.#alloc(key);
    if (fresh && this.#adaptive) this.#store.next_key(key);
    let stored;
    try {
      stored = this.#store.add(slot, size, kind, amount, now);
    } catch (e) {
      if (fresh) this.#release(slot);
      throw fromWasm(e);
    }
    if (stored) this.#values[slot] = value;
    this.#reapAll();
    return stored;
  }

  /** Gives a live `key` a new lifetime (`{ttl}` or `{timeout}`); true when it was live. */
  touch(key, options) {
    const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
    const slot = this.#slotOf(key);
    if (slot === undefined) return false;
    let live;
    try {
      if (kind > KIND_NEVER) this.#timed = true;
      live = this.#store.touch(slot, kind, amount, this.#time());
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
    const live = this.#store.delete(slot, this.#time());
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

  /** Counters: hits, misses, sets, deletes, evictions, expirations, entries, bytes. */
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
      bytes: s[7],
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
    return g;
  }

  /** The current generation of namespace `name` (1 until first invalidated). */
  generation(name) {
    return this.#store.generation(text(name, 'namespace'));
  }

  [PREFIX](name) {
    let p = this.#prefixes.get(name);
    if (p === undefined) {
      p = this.#store.namespace_prefix(name);
      this.#prefixes.set(name, p);
    }
    return p;
  }

  /**
   * Everything the cache holds, JSON-ready when the values are: live entries least
   * recently used first with their absolute expiry (epoch ms) and size, and the
   * namespace generations. `load()` takes it back.
   */
  dump() {
    const t = this.#store.entries(this.#time());
    const entries = [];
    for (let i = 0; i < t.length; i += 3) {
      const slot = t[i];
      const expiresAt = t[i + 1] === Infinity ? null : t[i + 1];
      entries.push([this.#keys[slot], { value: this.#values[slot], size: t[i + 2], expiresAt }]);
    }
    const names = this.#store.generation_names();
    const gens = this.#store.generation_values();
    return { format: 'polycache', version: 1, entries, namespaces: names.map((n, i) => [n, gens[i]]) };
  }

  /**
   * Replaces the cache's entries with a `dump()` (or an lru-cache `dump()` array), by the
   * core's load rules: expired or oversized entries are skipped, namespace generations
   * only move forward. Unreadable input throws a CacheLoadError and changes nothing.
   */
  load(input) {
    const { entries, namespaces } = parseDump(input);
    this.#replace(entries, namespaces.map((n) => n[0]), namespaces.map((n) => BigInt(n[1])));
  }

  /**
   * The cache as core snapshot bytes, readable by every polycache binding: keys, JSON
   * values (Uint8Array values as bytes), expiries, namespace generations. `{ key }`
   * (a string or bytes) signs it with HMAC-SHA256.
   */
  snapshot(options = {}) {
    const signing = signingKey(options.key);
    const now = this.#now(); // also the snapshot's created_at, so the real time
    const t = this.#store.entries(now);
    const n = t.length / 3;
    const keys = new Array(n);
    const values = new Array(n);
    const expiries = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const slot = t[3 * i];
      keys[i] = text(this.#keys[slot], 'a key written to a snapshot');
      values[i] = this.#values[slot];
      expiries[i] = t[3 * i + 1];
    }
    const { codecs, lengths, bytes } = packValues(keys, values);
    try {
      return this.#store.snapshot(keys, expiries, codecs, bytes, lengths, now, signing);
    } catch (e) {
      throw fromWasm(e);
    }
  }

  /**
   * Replaces the cache's entries with a `snapshot()` from any binding. A signed snapshot
   * needs `{ key }`; an unsigned one needs `{ allowUnsigned: true }`. Values JS cannot
   * read (Python pickles) load as OpaqueValue, never executed. Sizes come from
   * `sizeCalculation`, else the value's encoded length. `{ verified, entries }`.
   */
  loadSnapshot(bytes, options = {}) {
    if (!(bytes instanceof Uint8Array)) {
      throw new CacheLoadError(`loadSnapshot() takes the Uint8Array snapshot() returns, got ${describe(bytes)}`);
    }
    const signing = signingKey(options.key);
    let decoded;
    try {
      decoded = decodeSnapshot(bytes, signing, options.allowUnsigned === true);
    } catch (e) {
      throw fromWasm(e);
    }
    try {
      const sizeOf = (raw) => (this.#sizeCalculation === undefined ? raw.length : undefined);
      const entries = unpackEntries(decoded, sizeOf);
      const held = this.#replace(entries, decoded.generation_names(), Array.from(decoded.generation_values()));
      return { verified: decoded.verified(), entries: held };
    } finally {
      decoded.free();
    }
  }

  // Builds the new contents in a fresh store, then swaps them in: a failure on the way
  // leaves this cache as it was. This cache's generations go in first, so the core's
  // forward-only rule holds across loads. How many entries the cache holds after.
  #replace(entries, names, generations) {
    const last = new Map();
    entries.forEach((e, i) => last.set(e[0], i));
    const next = new Cache(this.#options);
    next.#timed = this.#timed || entries.some((e) => e[3] !== Infinity);
    const slots = [];
    const charges = [];
    const expiries = [];
    try {
      entries.forEach(([key, value, size, expiresAt], i) => {
        if (last.get(key) !== i) return;
        const charge = size === undefined ? next.#size(key, value, undefined) : size;
        const slot = next.#alloc(key);
        next.#values[slot] = value;
        slots.push(slot);
        charges.push(charge);
        expiries.push(expiresAt);
      });
      const gone = next.#store.load(
        Uint32Array.from(slots),
        Float64Array.from(charges),
        Float64Array.from(expiries),
        [...this.#store.generation_names(), ...names],
        BigUint64Array.from([...this.#store.generation_values_exact(), ...generations]),
        next.#time(),
      );
      for (const slot of gone) next.#release(slot);
    } catch (e) {
      next.#store.free();
      const err = fromWasm(e);
      throw err instanceof CacheLoadError ? err : new CacheLoadError(`cannot load: ${err.message}`);
    }
    this.#store.free();
    this.#store = next.#store;
    this.#slots = next.#slots;
    this.#keys = next.#keys;
    this.#values = next.#values;
    this.#free = next.#free;
    this.#nextSlot = next.#nextSlot;
    this.#timed = next.#timed;
    this.#prefixes = new Map();
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

  #size(key, value, options) {
    let size = options === undefined ? undefined : options.size;
    if (size === undefined) {
      if (this.#sizeCalculation !== undefined) size = this.#sizeCalculation(value, key);
      else if (this.#maxSize !== undefined) {
        throw new CacheArgumentError('a cache with maxSize needs a size for every entry: pass {size} or set sizeCalculation');
      } else return 0;
    }
    if (typeof size !== 'number') throw new CacheArgumentError(`size must be a number, got ${describe(size)}`);
    return size;
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
