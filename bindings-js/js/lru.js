// LRUCache: lru-cache 11's API and behaviour over the core's store.
//
// Keys are any JS value (compared as a Map compares them: numbers, objects by identity,
// symbols) and stay in JS, mapped to integer slots; the wasm store sees only slots and
// decides recency, bounds, victims and staleness (lru-entries.js, bindings-js/src/lru.rs).
// This file is the public surface: status objects, the reads that do not change the
// order (has, peek, info, dump), the pieces that compose the others, and a get without
// options answered whole where it can be (the hottest call; its state is kept here).

import { anyFetch, fetchRecord, fetchValue, memoValue, visible } from './lru-fetch.js';
import { LruEntries } from './lru-entries.js';
import { getAsking } from './lru-get.js';
import { Entries, GET, KEY, SLOTS, VAL, heldSlots } from './lru-iterate.js';
import { FLAGS, readLruOptions } from './lru-options.js';
import { loadSnapshotInto, snapshotOf } from './lru-snapshot.js';
import { NO_EXPIRIES, NO_RING, storeMemory } from './lru-views.js';

// The options of a call given none: one object, read only (a fresh `{}` per call is an
// allocation on every get and set).
const NONE = Object.freeze({});

export class LRUCache extends Entries {
  #e;
  #o;
  // What a get without options reads, here rather than behind the entries and their
  // views (each object between is a dependent load and a map check on every get): the
  // entries' key map and values, the store's ring and fresh-until views as the views
  // publish them (lru-views.js), and the clock.
  #keyMap;
  #vals;
  #ring = NO_RING;
  // The ring's last place, where a hit makes it full (a small integer: a view's `.length`
  // is a float conversion in V8's code).
  #ringEnd = 0;
  #fresh = NO_EXPIRIES;
  #covered = 0;
  #timed = false;
  #clock;

  constructor(options) {
    super();
    this[Symbol.toStringTag] = 'LRUCache';
    const o = readLruOptions(options);
    this.#o = o;
    this.maxEntrySize = o.maxEntrySize;
    this.sizeCalculation = o.sizeCalculation;
    this.backgroundFetchSize = o.backgroundFetchSize;
    this.ttlResolution = o.ttlResolution;
    this.ttl = o.ttl;
    for (const name of FLAGS) this[name] = !!options[name];
    this.#e = new LruEntries(o, this, (ring, fresh, covered, timed) => {
      this.#ring = ring;
      this.#ringEnd = ring.length - 1;
      this.#fresh = fresh;
      this.#covered = covered;
      this.#timed = timed;
    });
    this.#keyMap = this.#e.keyMap;
    this.#vals = this.#e.vals;
    this.#clock = this.#e.clock;
  }

  /**
   * Gives the cache's wasm memory back now; later calls that reach the store throw
   * CacheTrappedError. Not in lru-cache: without it a dropped cache's memory comes back
   * when its finalizer runs, after the current task, and never where FinalizationRegistry
   * is missing (Cloudflare Workers without the `enable_weak_ref` compatibility flag).
   */
  free() {
    this.#e.free();
  }

  get max() {
    return this.#o.max;
  }
  get maxSize() {
    return this.#o.maxSize;
  }
  get calculatedSize() {
    return this.#e.calculatedSize;
  }
  /** Entries held, stale ones and fetches in flight included (as lru-cache counts). */
  get size() {
    return this.#e.size;
  }
  get fetchMethod() {
    return this.#o.fetchMethod;
  }
  get memoMethod() {
    return this.#o.memoMethod;
  }
  get dispose() {
    return this.#o.dispose;
  }
  get onInsert() {
    return this.#o.onInsert;
  }
  get disposeAfter() {
    return this.#o.disposeAfter;
  }
  get perf() {
    return this.#o.perf;
  }

  // (No default for the options, and the module's fetch flag read before `typeof`: ~1 ns
  // of a 21 ns in-order get, `node bench/js/get-loop.mjs 'polycache LRUCache' 15 BASE .`.)
  get(k, getOptions) {
    if (getOptions !== undefined) return this.#getWith(k, getOptions);
    const slot = this.#keyMap.get(k);
    if (slot === undefined) return undefined;
    const value = this.#vals[slot];
    // A hit answered here, its move queued in the ring the store replays: a value that
    // is no fetch in flight, untimed (no lifetime in the cache yet) or covered by the
    // views and certainly fresh at the clock's reading in use. The ring's count reads
    // undefined where its view was never opened or the memory grew under it (every view
    // detached); `getAsking` then opens the views, as for anything else.
    const ring = this.#ring;
    const count = ring[0];
    if (count !== undefined && (!anyFetch || typeof value !== 'object' || fetchRecord(value) === undefined)) {
      // (Before any lifetime, updateAgeOnGet's restart of an untimed age changes nothing.)
      if (!this.#timed) return this.#hit(ring, count, slot, value);
      if (slot < this.#covered) {
        const until = this.#fresh[slot];
        const now = until === Infinity ? Infinity : this.#clock.reading;
        if (now !== 0 && now <= until) {
          this.#hit(ring, count, slot, value);
          if (this.updateAgeOnGet) this.#e.life.updateAge(slot);
          return value;
        }
      }
    }
    return getAsking(this.#e, k, slot, value);
  }

  // The ring's write for a hit (`count`: the ops in it), which bindings-js/src/views.rs
  // reads: a call only when it is full.
  #hit(ring, count, slot, value) {
    const n = count + 1;
    ring[n] = slot;
    ring[0] = n;
    if (n === this.#ringEnd) this.#e.store.sync();
    return value;
  }

  #getWith(k, getOptions) {
    const { status } = getOptions;
    if (status) Object.assign(status, { op: 'get', key: k, cache: this });
    const result = this.#e.get(k, getOptions);
    if (status && result !== undefined) status.value = result;
    return result;
  }

  set(k, v, setOptions) {
    if (setOptions === undefined) {
      const e = this.#e;
      if (e.life.tracking ? e.quickTimed(k, v) : e.quickSet(k, v)) return this;
    }
    return this.#setWith(k, v, setOptions === undefined ? NONE : setOptions);
  }

  #setWith(k, v, setOptions) {
    const { status } = setOptions;
    if (status) {
      Object.assign(status, { op: 'set', key: k });
      if (v !== undefined) status.value = v;
      status.cache = this;
    }
    this.#e.set(k, v, setOptions);
    return this;
  }

  has(k, hasOptions = NONE) {
    const { updateAgeOnHas = this.updateAgeOnHas, status } = hasOptions;
    if (status) Object.assign(status, { op: 'has', key: k, cache: this });
    const slot = this.#e.slot(k);
    if (slot === undefined) {
      if (status) status.has = 'miss';
      return false;
    }
    const v = this.#e.val(slot);
    const r = fetchRecord(v);
    if (r !== undefined && r.stale === undefined) return false;
    if (!this.#e.life.isStale(slot)) {
      if (updateAgeOnHas) this.#e.life.updateAge(slot);
      if (status) {
        status.has = 'hit';
        this.#e.life.statusTTL(status, slot);
      }
      return true;
    }
    if (status) {
      status.has = 'stale';
      this.#e.life.statusTTL(status, slot);
    }
    return false;
  }

  peek(k, peekOptions = NONE) {
    const { status, allowStale = this.allowStale } = peekOptions;
    if (status) Object.assign(status, { op: 'peek', key: k, cache: this });
    const slot = this.#e.slot(k);
    if (slot === undefined || (!allowStale && this.#e.life.isStale(slot))) {
      if (status) status.peek = slot === undefined ? 'miss' : 'stale';
      return undefined;
    }
    const val = visible(this.#e.val(slot));
    if (status) {
      if (val !== undefined) {
        status.peek = 'hit';
        status.value = val;
      } else {
        status.peek = 'miss';
      }
    }
    return val;
  }

  delete(k) {
    return this.#e.del(k, 'delete');
  }

  clear() {
    this.#e.clear('delete');
  }

  /** Removes and returns the least recently used value (stale or not). */
  pop() {
    try {
      while (this.#e.size) {
        const val = this.#e.popOldest();
        const r = fetchRecord(val);
        if (r !== undefined) {
          if (r.stale) return r.stale;
        } else if (val !== undefined) {
          return val;
        }
      }
      return undefined;
    } finally {
      this.#e.flushDisposed();
    }
  }

  fetch(k, fetchOptions = {}) {
    const { status } = fetchOptions;
    if (status && fetchOptions.context) status.context = fetchOptions.context;
    return fetchValue(this.#e, this, k, fetchOptions);
  }

  /** Like fetch(), but a fetch that yields undefined rejects. */
  async forceFetch(k, fetchOptions = {}) {
    const v = await this.fetch(k, fetchOptions);
    if (v === undefined) throw new Error('fetch() returned undefined');
    return v;
  }

  memo(k, memoOptions = {}) {
    const { status } = memoOptions;
    if (status) {
      Object.assign(status, { op: 'memo', key: k });
      if (memoOptions.context) status.context = memoOptions.context;
      status.cache = this;
    }
    const result = memoValue(this.#e, k, memoOptions);
    if (status) status.value = result;
    return result;
  }

  /** Milliseconds `k` has left: negative once stale, Infinity without a ttl, 0 if absent. */
  getRemainingTTL(k) {
    const slot = this.#e.slot(k);
    if (slot === undefined) return 0;
    return this.#e.life.remaining(slot);
  }

  /** Removes every stale entry; true when there was one. */
  purgeStale() {
    let deleted = false;
    for (const slot of this[SLOTS](true, true)) {
      if (this.#e.life.isStale(slot)) {
        this.#e.del(this.#e.key(slot), 'expire');
        deleted = true;
      }
    }
    return deleted;
  }

  /** What `k` holds, as one entry of `dump()` (ttl here is the time left). */
  info(k) {
    const slot = this.#e.slot(k);
    if (slot === undefined) return undefined;
    const value = visible(this.#e.val(slot));
    if (value === undefined) return undefined;
    const entry = { value };
    if (this.#e.life.tracking && this.#e.store.timed(slot)) {
      entry.ttl = this.#e.store.ttl(slot) - (this.#o.perf.now() - this.#e.store.start(slot));
      entry.start = Date.now();
    }
    if (this.#o.sizeTracking) entry.size = this.#e.store.size(slot);
    return entry;
  }

  /** lru-cache's dump: `[key, {value, ttl?, start?, size?}]`, least recently used first. */
  dump() {
    const arr = [];
    for (const slot of this[SLOTS](true, true)) {
      const key = this.#e.key(slot);
      const value = visible(this.#e.val(slot));
      if (value === undefined || key === undefined) continue;
      const entry = { value };
      if (this.#e.life.tracking) {
        const untracked = this.#e.life.untrackedStart(slot);
        entry.ttl = untracked === undefined ? this.#e.store.ttl(slot) : undefined;
        const age = this.#o.perf.now() - (untracked === undefined ? this.#e.store.start(slot) : untracked);
        entry.start = Math.floor(Date.now() - age);
      }
      if (this.#o.sizeTracking) entry.size = this.#e.store.size(slot);
      arr.push([key, entry]);
    }
    return arr;
  }

  /** Replaces the contents with a dump() (as lru-cache, it rebases each entry's `start`). */
  load(arr) {
    this.clear();
    for (const [key, entry] of arr) {
      if (entry.start) {
        const age = Date.now() - entry.start;
        entry.start = this.#o.perf.now() - age;
      }
      this.#e.set(key, entry.value, entry);
    }
  }

  /**
   * The cache as core snapshot bytes (polycache only; see lru-snapshot.js): string keys
   * only, `{ skipNonStringKeys: true, status }` leaves the others out and counts them,
   * `{ key }` signs it.
   */
  snapshot(options) {
    return snapshotOf(this, options);
  }

  /** Replaces the contents with a `snapshot()` from any polycache binding; `{ verified, entries }`. */
  loadSnapshot(bytes, options) {
    return loadSnapshotInto(this, bytes, options);
  }

  // Iteration support for Entries (lru-iterate.js): slots in order, key and value.
  [SLOTS](allowStale = this.allowStale, oldestFirst = false) {
    return heldSlots(this.#e, allowStale, oldestFirst);
  }
  [KEY](slot) {
    return this.#e.key(slot);
  }
  [VAL](slot) {
    return this.#e.val(slot);
  }
  [GET](k, getOptions) {
    return this.#e.get(k, getOptions);
  }
  /** `LRUCache[Symbol.for('polycache.storeMemory')]`: its store module's memory, as `Cache`'s. */
  static get [Symbol.for('polycache.storeMemory')]() {
    return storeMemory();
  }
}
