// The Cache: lru-cache's API over the core's store.
//
// Keys stay JS strings in a Map<string, slot>; values stay in a JS array at their slot.
// The wasm store sees only integer slots and decides everything else (recency, expiry,
// byte bound, eviction, counters). A get makes no call: it reads the slot's expiry from
// a view on the store's memory and writes the hit into the store's ring, which the
// store replays, in order, before anything else it does (bindings-js/src/views.rs).

import { fromMessage, trappedMaking } from './errors.js';
import { CacheBase } from './cache-lifetimes.js';
import { INSIDE } from './cache-persist.js';
import { extras } from './cache-extras.js';
import { checkFetchOptions } from './fetch-options.js';
import { Prefixes } from './namespace.js';
import { KIND_DEFAULT, KIND_NEVER, amount, charge, readOptions, seeds, ttlKind } from './options.js';
import {
  FAILED, FREED_MANY, MISS, NO_BYTES, NO_CLOCK, NO_EXPIRIES, NO_LINKS, NO_RING, ON_TRAP,
  SlotStore, coarseNow, ensureStore, failedMaking, learnKey, openViews, poison, queueKey, queueTimed, release,
} from './slot-store.js';
import { keyError } from './text.js';

export class Cache extends CacheBase {
  #store;
  // Views on the store's ring and expiries (slot-store.js); empty until opened and after
  // a trap, detached (length 0) after the memory grows: either way the next op calls.
  #ring = NO_RING;
  #ringEnd = 0; // the ring's last place (its view's length is a float in V8's code)
  #exp = NO_EXPIRIES;
  #keyBytes = NO_BYTES;
  // The slots the expiries covered when opened: a write of a slot past them may move them.
  #covered = 0;
  // [now, expiry, floor, queued text bytes, queued recycles] (bindings-js/src/slots.rs,
  // `clock`): see queueTimed, queueKey and #recycle.
  #clock = NO_CLOCK;
  // The core's recency links (two u32 an index: its previous, then its next; index 0 the
  // head, whose previous is the least recently used; slot n at index n + 1), for
  // #recycle; and where its run of victims is: the index of the last it read, and
  // the ring's count just after it.
  #links = NO_LINKS;
  #runAt = 0;
  #runCount = 0;
  // Writes that may go through the ring (checked apart: nothing can expire): #plain,
  // updates and new keys below the bound, where nothing is sized (the adaptive policy's
  // with their text, queueKey); #recycles: besides, an LRU policy (see #insert).
  #plain = false;
  #recycles = false;
  #slots = new Map();
  #keys = [];
  #values = [];
  #free = [];
  #nextSlot = 0;
  #names = new Prefixes(); // namespace prefixes (namespace.js)
  // Whether the store hashes namespace names keyed by the process's seeds yet: drawn when
  // a first name comes (in Node a file read, ~0.12 ms of a first cache; most see no name).
  #seeded = false;
  #inside;
  #options;
  #now;
  // False while no entry can expire: the store's answers then do not depend on the
  // time, so the clock (which can cost 100+ ns) is not read. Once true, stays true.
  #timed = false;
  #max;
  #maxSize;
  #sizeCalculation;
  #fetches; // running fetch() calls (fetch.js), from the first fetch on
  /** The adaptive policy learns each new key's text, so its decisions match other hosts'. */
  #adaptive = false;

  /** @param {object} options `max`, `maxSize`, `ttl`, `eviction`...: see index.d.ts. */
  constructor(options = {}) {
    super();
    const { max, maxSize, sizeCalculation, now, cull, adaptive, kind, amount: ttlAmount } = readOptions(options);
    checkFetchOptions(options);
    // Slots run from 0 to max (one more than max while a write evicts): for a bound
    // of moderate size the arrays are laid out whole now, as lru-cache does.
    const slots = max !== undefined && max <= 1 << 16 ? max + 1 : 0;
    ensureStore();
    try {
      this.#adopt(SlotStore.make(max, maxSize, cull, kind, ttlAmount, adaptive, slots) ?? failedMaking());
    } catch (e) {
      throw trappedMaking(e, 'Cache');
    }
    this.#adaptive = adaptive;
    this.#options = { ...options };
    this.#now = now === Date.now ? coarseNow : now;
    if (slots > 0) {
      this.#keys = new Array(slots).fill(undefined);
      this.#values = new Array(slots).fill(undefined);
    }
    this.#timed = kind !== KIND_DEFAULT && kind !== KIND_NEVER;
    this.#max = options.max === undefined ? Infinity : max;
    this.#maxSize = maxSize;
    this.#sizeCalculation = sizeCalculation;
    this.#plain = maxSize === undefined && sizeCalculation === undefined;
    this.#recycles = this.#plain && !adaptive && cull === undefined;
  }

  // Takes `store` as this cache's store: its views, and dropping them if it traps.
  #adopt(store) {
    this.#store = store;
    store[ON_TRAP] = () => {
      this.#ring = NO_RING;
      this.#exp = NO_EXPIRIES;
      this.#keyBytes = NO_BYTES;
      this.#clock = NO_CLOCK;
      this.#links = NO_LINKS;
    };
    this.#views();
  }

  #views() {
    [this.#ring, this.#exp, this.#keyBytes, this.#clock, this.#links] = openViews(this.#store);
    this.#ringEnd = this.#ring.length - 1;
    this.#covered = this.#exp.length;
  }

  /**
   * Gives the cache's wasm memory back now; every later call throws CacheTrappedError.
   * A dropped cache's memory comes back when its finalizer runs, after the current task,
   * and never where FinalizationRegistry is missing (Cloudflare Workers without the
   * `enable_weak_ref` compatibility flag).
   */
  free() {
    release(this.#store);
  }

  /** Entries held (expired ones not yet reclaimed included, as lru-cache counts). */
  get size() {
    return this.#slots.size;
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
      if (n === this.#ringEnd) this.#store.sync();
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
    if (n === this.#ringEnd) this.#store.sync();
  }

  /**
   * Stores `value` under `key` (`undefined` deletes it, as in lru-cache). Options:
   * `ttl` (ms; 0 = no TTL) or `timeout` (seconds, Django: null = never, 0 or less =
   * already expired), `size`.
   */
  set(key, value, options) {
    if (options === undefined && this.#plain) {
      if (!this.#timed) {
        // No user code runs on the way: the lookup holds for the whole call.
        const slot = this.#slots.get(key);
        if (slot !== undefined) {
          if (value !== undefined && slot < this.#exp.length) return this.#update(slot, key, value);
        } else if (this.#insert(key, value)) return this;
        return this.#write(key, value, undefined, slot, 0);
      }
      if (value !== undefined) return this.#setTimed(key, value);
    }
    return this.#write(key, value, options, -1, undefined);
  }

  // A write into a timed cache (nothing sized, no options), the clock (user code) read
  // once. A held key's into the ring where queueTimed allows. In an LRU cache a new key's
  // too, and into a full cache it takes the victim's slot in one call (core:
  // `recycle_lru_until`, which may decline); elsewhere (cull, or an adaptive policy,
  // which learns the key) it is written as usual.
  #setTimed(key, value) {
    if (typeof key !== 'string') throw keyError(key);
    const now = this.#now();
    let slot = this.#slots.get(key);
    const fresh = slot === undefined;
    if (fresh) {
      if (!this.#recycles) return this.#write(key, value, undefined, slot, now);
      if (this.#slots.size < this.#max) {
        const free = this.#free;
        const next = free.length > 0 ? free[free.length - 1] : this.#nextSlot;
        if (queueTimed(this.#exp, this.#clock, next, now)) return this.#update(this.#alloc(key), key, value);
      } else {
        const victim = this.#store.recycle_until(KIND_DEFAULT, 0, now);
        if (victim >= 0) {
          this.#slots.delete(this.#keys[victim]);
          this.#keys[victim] = key;
          this.#slots.set(key, victim);
          this.#values[victim] = value;
          if (this.#fetches !== undefined) this.#fetches.written(key);
          return this;
        }
      }
      slot = this.#alloc(key);
    } else if (queueTimed(this.#exp, this.#clock, slot, now)) {
      return this.#update(slot, key, value);
    }
    let freed;
    try {
      freed = this.#store.set(slot, 0, KIND_DEFAULT, 0, now);
    } catch (e) {
      throw poison(this.#store, e);
    }
    return this.#finish(slot, fresh, key, value, freed);
  }

  // `set` as it goes when no shortcut applies. `slot`: -1 when not looked up yet (user
  // code may run first, and may write this key); `now`: undefined when not read yet.
  #write(key, value, options, slot, now) {
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
    now ??= this.#timed ? this.#now() : 0;
    if (slot === -1) slot = this.#slots.get(key);
    const fresh = slot === undefined;
    if (fresh) slot = this.#alloc(key);
    if (fresh && this.#adaptive) this.#nextKey(key);
    let freed;
    try {
      freed = this.#store.set(slot, size, kind, ttlAmount, now);
    } catch (e) {
      throw poison(this.#store, e);
    }
    return this.#finish(slot, fresh, key, value, freed);
  }

  // After the store's write of `slot` (`fresh`: taken for `key` by this write) answered
  // `freed`.
  #finish(slot, fresh, key, value, freed) {
    if (slot >= this.#covered || this.#clock.length === 0) this.#views(); // (detached)
    if (freed === FAILED) {
      if (fresh) this.#release(slot);
      throw fromMessage(this.#store.take_error());
    }
    this.#values[slot] = value;
    if (freed >= 0) this.#release(freed);
    // -(2 + k): k slots in the ring's places 1..k (the views are attached: see above).
    else if (freed < FAILED) for (let i = 1, ring = this.#ring; i <= -freed - 2; i++) this.#release(ring[i]);
    else if (freed === FREED_MANY) this.#reapAll();
    if (this.#fetches !== undefined) this.#fetches.written(key);
    return this;
  }

  // The adaptive policy learns `key` for the next write (slot-store.js), in the key
  // buffer once the texts queued there are replayed (read through views open now: the
  // memory may have grown under them, by another cache's call, with texts queued).
  #nextKey(key) {
    if (this.#clock.length === 0) this.#views();
    if (this.#clock[3] > 0) this.#store.sync();
    if (!learnKey(this.#store, this.#keyBytes, key)) {
      this.#views();
      learnKey(this.#store, this.#keyBytes, key);
    }
  }

  // An update of a held key, nothing expiring or sized, or a write of the default
  // lifetime queueTimed let through: replayed from the ring (views.rs, slots_write.rs).
  #update(slot, key, value) {
    this.#values[slot] = value;
    this.#record(-(2 * slot + 2));
    if (this.#fetches !== undefined) this.#fetches.written(key);
    return this;
  }

  // A new key, nothing expiring or sized. Below `max` the store can neither evict nor
  // refuse it: the write goes into the ring (for a slot the expiry array covers; the
  // adaptive policy's with its text, where the key buffer has room). At `max` with LRU
  // alone, the victim's slot stands for the new key (core: `recycle_lru`), read from the
  // links without a call where it can be (#recycle). False, and nothing done, in
  // any other case.
  #insert(key, value) {
    if (value === undefined || typeof key !== 'string') return false;
    let slot;
    if (this.#slots.size < this.#max) {
      const free = this.#free;
      if ((free.length > 0 ? free[free.length - 1] : this.#nextSlot) >= this.#covered) return false;
      if (this.#adaptive && !queueKey(this.#keyBytes, this.#clock, key)) return false;
      slot = this.#alloc(key);
      this.#record(-(2 * slot + 3));
    } else {
      slot = this.#recycles ? this.#recycle() : -1;
      if (slot < 0) return false;
      this.#slots.delete(this.#keys[slot]);
      this.#keys[slot] = key;
      this.#slots.set(key, slot);
    }
    this.#values[slot] = value;
    if (this.#fetches !== undefined) this.#fetches.written(key);
    return true;
  }

  // `recycle_lru` without a call, as the LRUCache's `recycle` (lru-views.js): the least
  // recently used slot read from the links while they still give the order (the ring
  // empty, or holding nothing but the recycles this queued since the last replay, which
  // counts them in the clock and resets the count: the next victim is then the last
  // one's previous), queued as a hit of it (the same move; a run from the tail is a
  // rotation, core/src/policy/dense_runs.rs), counted for the replay to count as a set
  // and an eviction instead (core: `count_recycles`). Where it cannot (a detached view
  // reads undefined), the store's call: the slot; -1, and nothing done, where it declines.
  #recycle() {
    const ring = this.#ring;
    const count = ring[0];
    const links = this.#links;
    const clock = this.#clock;
    // (Undefined: no links to read; 0: the list walked back to its head, or not a run.)
    const at = count === 0 ? links[0] : count === this.#runCount && clock[4] !== 0 ? links[2 * this.#runAt] : 0;
    if (!(at > 0)) {
      const slot = this.#store.recycle();
      if (this.#ring.length === 0) this.#views(); // (detached)
      return slot;
    }
    clock[4] += 1;
    const n = count + 1;
    ring[n] = at - 1;
    ring[0] = n;
    this.#runAt = at;
    // (A replay, this one's or any call's, sets the clock's count back to 0: the run
    // ends with it.)
    this.#runCount = n;
    if (n === this.#ringEnd) this.#store.sync();
    return at - 1;
  }

  /** Removes every entry; namespace generations are kept. */
  clear() {
    if (this.#fetches !== undefined) this.#fetches.cleared();
    this.#empty();
  }

  // Every entry gone (the store's clear: the adaptive policy's history stays, as in Python).
  #empty() {
    this.#store.clear();
    this.#slots.clear();
    this.#keys = [];
    this.#values = [];
    this.#free = [];
    this.#nextSlot = 0;
  }

  // What cache-persist.js and cache-lifetimes.js reach of this cache (made once).
  [INSIDE]() {
    if (this.#inside !== undefined) return this.#inside;
    const self = this;
    this.#inside = {
      get store() {
        return self.#store;
      },
      sizeCalculation: this.#sizeCalculation,
      max: this.#max,
      maxSize: this.#maxSize,
      // Whether the cache sizes its entries (else its counters' `bytes` is null).
      sized: this.#maxSize !== undefined || this.#sizeCalculation !== undefined,
      // The namespace prefixes; whatever hands the store a name asks for them first.
      names: () => {
        if (!this.#seeded) {
          this.#store.seed(...seeds());
          this.#seeded = true;
        }
        return this.#names;
      },
      // The running fetch() calls (fetch.js), made on the first.
      fetches: () => (this.#fetches ??= new (extras().Fetches)(this, this.#options)),
      // A write of `key` (running fetches of it then store nothing).
      written: (key) => {
        if (this.#fetches !== undefined) this.#fetches.written(key);
      },
      now: () => this.#now(),
      time: () => (this.#timed ? this.#now() : 0),
      key: (slot) => this.#keys[slot],
      value: (slot) => this.#values[slot],
      held: (key) => this.#slots.get(key),
      // A slot for a new `key`, known to the adaptive policy when it is on.
      alloc: (key) => {
        const slot = this.#alloc(key);
        if (this.#adaptive) this.#nextKey(key);
        return slot;
      },
      store_value: (slot, value) => {
        this.#values[slot] = value;
      },
      release: (slot) => this.#release(slot),
      reapAll: () => this.#reapAll(),
      // After a call that wrote `slot`: the expiry array may have moved.
      wrote: (slot) => {
        if (slot >= this.#covered) this.#views();
      },
      size: (key, value, size) => this.#size(key, value, size),
      expiring: () => {
        this.#timed = true;
      },
      adaptive: this.#adaptive,
      // A load's swap (persist.js): after the store's `load_all`, the keys it holds and
      // their values by slot, the key map and the free slots; then the generations moved.
      install: (slots, keys, values, free) => {
        this.#slots = slots;
        this.#keys = keys;
        this.#values = values;
        this.#free = free;
        this.#nextSlot = keys.length;
        this.#views();
      },
      generationsMoved: () => {
        this.#names = new Prefixes(this.#store);
      },
    };
    return this.#inside;
  }

  #size(key, value, size) {
    // Nothing sized: no call (the common case, on every write).
    if (size === undefined && this.#maxSize === undefined && this.#sizeCalculation === undefined) return 0;
    return charge(this.#maxSize, this.#sizeCalculation, key, value, size);
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

  #reapAll() {
    for (const slot of this.#store.take_dead()) this.#release(slot);
  }
}
