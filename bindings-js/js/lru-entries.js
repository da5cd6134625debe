// The entries of an LRUCache: keys and values at integer slots on the JS side, the
// wasm `LruStore` (bindings-js/src/lru.rs) deciding recency, bounds, victims and
// staleness, and lru-cache 11's callbacks run here after the store has answered, in the
// order lru-cache runs them. The flags a call does not override are read from the cache
// at each call, as lru-cache reads its public fields.

import { Clock } from './lru-clock.js';
import { fromMessage } from './errors.js';
import { fetchRecord } from './lru-fetch.js';
import { getWith } from './lru-get.js';
import { heldSlots } from './lru-iterate.js';
import { Disposals } from './lru-dispose.js';
import { LruLifetimes } from './lru-lifetimes.js';
import { entrySize } from './lru-options.js';
import { FAILED, FREED_MANY, FREED_NONE, newStore, release } from './lru-store.js';
import { LruViews } from './lru-views.js';

export class LruEntries {
  #store;
  // The key map and the values are kept for the cache's life (emptied in place): the
  // LRUCache's get reads them itself (lru.js).
  #keyMap = new Map();
  #keys = [];
  #vals = [];
  // Free slots, reused last freed first. Slots are numbered as lru-cache numbers its
  // indexes (see #insert), because one of its fetch rules looks at whether a removed
  // entry's index has been reused.
  #free = [];
  // The slots a sized write short of room evicted without a call (#sizedInsert).
  #left = [0];
  #o;
  #life; // entry lifetimes (lru-lifetimes.js)
  #disposals; // dispose and disposeAfter calls (lru-dispose.js)
  #views; // the store's ring and fresh-until times (lru-views.js)
  // No callback can run (no dispose, disposeAfter, onInsert or fetchMethod): nothing can
  // look at the cache between a write and its lifetime's, so the store takes both in one
  // call, and evicted values need no list.
  #quiet;

  /**
   * `o`: the options read by lru-options.js; `cache`: the LRUCache, for its flags;
   * `publish`: the views' (lru-views.js).
   */
  constructor(o, cache, publish) {
    this.#o = o;
    this.cache = cache;
    this.fetchMethod = o.fetchMethod;
    this.memoMethod = o.memoMethod;
    // After a trap or free() nothing is answered without the store (which throws): gets
    // read no views, has and peek ask it whether the entry is stale; and no purge timer
    // fires into it (its throw would be uncaught, ending the host process).
    this.#store = newStore(o, () => {
      this.#views.dropped();
      this.#life.tracking = true;
      this.#life.cleared();
    });
    // Laid out whole for a bound of moderate size, as the store lays out its arrays.
    if (o.max > 0 && o.max <= 1 << 16) {
      this.#keys = new Array(o.max).fill(undefined);
      this.#vals = new Array(o.max).fill(undefined);
    }
    // Sizes laid out now, so that the views read each slot's from the first write on.
    if (o.sizeTracking) this.#store.size_slots();
    const clock = new Clock(o.perf, cache);
    /** The cache's clock (lru-clock.js), shared by the lifetimes and the cache's get. */
    this.clock = clock;
    this.#views = new LruViews(this.#store, publish);
    this.#disposals = new Disposals(o);
    this.#quiet = !o.dispose && !o.disposeAfter && !o.onInsert && !o.fetchMethod;
    const expire = (slot) => this.del(this.#keys[slot], 'expire');
    this.#life = new LruLifetimes(this.#store, this.#views, clock, o, cache, expire);
    if (o.ttl) this.#life.start(this.#keyMap.values());
  }

  get size() {
    return this.#keyMap.size;
  }
  get calculatedSize() {
    return this.#o.sizeTracking ? this.#store.calculated_size() : 0;
  }
  /** The entries' lifetimes (lru-lifetimes.js). */
  get life() {
    return this.#life;
  }
  /** Key -> slot, for the cache's life. */
  get keyMap() {
    return this.#keyMap;
  }
  /** Slot -> value, for the cache's life. */
  get vals() {
    return this.#vals;
  }
  slot(k) {
    return this.#keyMap.get(k);
  }
  key(slot) {
    return this.#keys[slot];
  }
  val(slot) {
    return slot === undefined ? undefined : this.#vals[slot];
  }
  setVal(slot, v) {
    this.#vals[slot] = v;
  }
  /** The cache's `free()`: its store's wasm memory back now (errors.js `guardTraps`). */
  free() {
    release(this.#store);
  }

  /** The wasm store, for reads of a slot's age and size (`timed`, `ttl`, `start`, `size`). */
  get store() {
    return this.#store;
  }

  /** Every slot held, most recently used first, stale ones included. */
  order() {
    return this.#store.order();
  }

  /** Removes the least recently used entry as an eviction; its value. */
  popOldest() {
    const slot = this.#store.lru();
    const val = this.#vals[slot];
    this.#store.delete(slot);
    const gone = [];
    this.#forget(slot, gone);
    this.#disposals.evicted(gone);
    return val;
  }

  get(k, getOptions = {}) {
    return getWith(this, k, getOptions);
  }

  /**
   * `set(k, v)` with no options, where nothing can run or be sized (no callback, no size
   * tracking), in a cache that tracks no lifetime yet: the same writes as `set`, without
   * reading its options; the write of a held key is a move. False, and nothing done,
   * when it does not apply (a default `ttl`, whose first write starts the lifetimes).
   * Once lifetimes are tracked the LRUCache writes through `quickTimed` instead: two
   * methods, so that V8 inlines into a caller's loop only the one its cache takes (a
   * loop of timed writes that inlined both ran out of V8's inlining budget before the
   * clock's and the views' calls: 3% slower; docs/js-speed.md, session 28).
   */
  quickSet(k, v) {
    const c = this.cache;
    if (!this.#quiet || v === undefined) return false;
    if (this.#o.sizeTracking) return this.#sizedSet(k, v, c, c.ttl);
    if (c.sizeCalculation || c.ttl !== 0) return false;
    const slot = this.#keyMap.get(k);
    if (slot === undefined) {
      if (this.#full()) return this.#recycleInto(k, v, NaN, 0);
      if (!this.#insertQuiet(k, v)) this.#insert(k, v, undefined, 0, NaN, 0, true);
      return true;
    }
    const old = this.#vals[slot];
    // A background fetch being replaced is aborted by `set`.
    if (v !== old && fetchRecord(old) !== undefined) return false;
    this.#vals[slot] = v;
    // Nothing timed or sized: the store's write of a held slot is a move, as a hit's.
    this.#views.hit(slot);
    return true;
  }

  /** `quickSet` once lifetimes are tracked: the cache's `ttl` from now goes to the store with the write. */
  quickTimed(k, v) {
    const c = this.cache;
    const ttl = c.ttl;
    if (!this.#quiet || v === undefined) return false;
    if (this.#o.sizeTracking) return this.#sizedSet(k, v, c, ttl);
    if (c.sizeCalculation || c.noUpdateTTL || typeof ttl !== 'number' || Number.isNaN(ttl)) return false;
    const slot = this.#keyMap.get(k);
    const old = slot === undefined ? undefined : this.#vals[slot];
    if (slot !== undefined && v !== old && fetchRecord(old) !== undefined) return false;
    if (slot === undefined && this.#full()) return this.#recycleInto(k, v, ttl, this.#o.perf.now());
    return this.#setTimed(k, v, slot, old, ttl);
  }

  // A new key finds no free slot and the bound reached.
  #full() {
    const held = this.#keyMap.size;
    return this.#free.length === 0 && held !== 0 && held === this.#o.max;
  }

  // A new key into a full cache: #insert's one call without its lists, the LRU slot
  // becoming the key's with the lifetime `ttl` (NaN: none; the cache tracks none yet)
  // from `start`; `written` also cancels the victim's purge timer (lru-lifetimes.js).
  #recycleInto(k, v, ttl, start) {
    // The victim read from the store's links and its move queued, where the views can.
    let slot = this.#views.recycle(ttl, start);
    if (slot < 0) slot = this.#store.recycle_lru(ttl, start);
    const keys = this.#keys;
    this.#keyMap.delete(keys[slot]);
    keys[slot] = k;
    this.#vals[slot] = v;
    this.#keyMap.set(k, slot);
    if (!Number.isNaN(ttl) && this.#life.watched) this.#life.written(slot, ttl);
    return true;
  }

  // quickSet's new key below the bound, nothing timed or sized: #insert's write into the
  // ring without its other cases (a lean path, as the Cache's set has: V8 inlines it
  // into quickSet). False, and nothing done, where #insert must decide.
  #insertQuiet(k, v) {
    const held = this.#keyMap.size;
    if (held === 0 || !(held < this.#o.max)) return false;
    const free = this.#free;
    const slot = free.length > 0 ? free[free.length - 1] : held;
    if (!this.#views.insertUntimed(slot)) return false;
    if (free.length > 0) free.pop();
    this.#keys[slot] = k;
    this.#vals[slot] = v;
    this.#keyMap.set(k, slot);
    return true;
  }

  // quickSet in a cache that sizes its entries: `set`'s steps for a write without
  // options (no callbacks, so no fetch, dispose or status), none of the options read,
  // and the lifetime `ttl` (the cache's) from now given with the store's write, as `set`
  // gives it in such a cache. The store's write is a call (it decides what the size
  // evicts). False, and nothing done, where `set` must decide (noUpdateTTL, say).
  #sizedSet(k, v, c, ttl) {
    const life = this.#life;
    const timed = ttl !== 0 || life.tracking;
    if (fetchRecord(v) !== undefined || (timed && (c.noUpdateTTL || typeof ttl !== 'number' || Number.isNaN(ttl)))) return false;
    const size = entrySize(true, false, k, v, 0, c.sizeCalculation);
    if (c.maxEntrySize && size > c.maxEntrySize) {
      this.del(k, 'set');
      return true;
    }
    // Looked up after sizeCalculation, as `set` does (it may have written `k`).
    let slot = this.#keyMap.get(k);
    let t = NaN;
    let s = 0;
    if (timed) {
      if (!life.tracking) life.start(this.#keyMap.values());
      t = ttl;
      s = this.#o.perf.now();
    }
    if (slot === undefined) slot = this.#sizedInsert(k, v, size, t, s);
    else if (v === this.#vals[slot]) {
      this.#store.promote(slot);
      if (timed) this.#store.set_age(slot, t, s);
    } else {
      this.#vals[slot] = v;
      // The size it has: a move (and the age), which the views take without a call.
      if (!this.#views.rewrite(slot, size, t, s)) this.#storeSet(slot, size, undefined, t, s);
    }
    if (timed && life.watched) life.written(slot, t);
    return true;
  }

  // #sizedSet's new key: into the ring where it fits below both bounds (lru-views.js
  // `insertSized`); short of room or full by count, into the least recently used slot,
  // what its size then evicts taken back here (`recycleSized`, where the views can read
  // the order: a bound `max` of moderate size); else #insert's call.
  #sizedInsert(k, v, size, t, s) {
    const free = this.#free;
    const held = this.#keyMap.size;
    const max = this.#o.max;
    const slot = free.length > 0 ? free[free.length - 1] : held;
    if ((max === 0 || held < max) && this.#views.insertSized(slot, size, t, s, this.#o.maxSize)) {
      if (free.length > 0) free.pop();
      this.#keys[slot] = k;
      this.#vals[slot] = v;
      this.#keyMap.set(k, slot);
      return slot;
    }
    if (held !== 0) {
      const left = this.#left;
      const reused = this.#views.recycleSized(size, t, s, this.#o.maxSize, held === max, left);
      if (reused >= 0) {
        const keys = this.#keys;
        this.#keyMap.delete(keys[reused]);
        keys[reused] = k;
        this.#vals[reused] = v;
        this.#keyMap.set(k, reused);
        for (let i = 1, k = left[0]; i <= k; i++) this.#release(left[i]);
        return reused;
      }
    }
    return this.#insert(k, v, undefined, size, t, s, false, max === 0);
  }

  // quickTimed's write below the bound or of a held key: `set`'s writes with the lifetime
  // `ttl` from now given with the store's write (no callback can run between them). A held
  // key's, the same value or not, is a move and the new age, which the views take without
  // a call where they cover the slot (`retime`).
  #setTimed(k, v, slot, old, ttl) {
    const start = this.#o.perf.now();
    if (slot === undefined) slot = this.#insert(k, v, undefined, 0, ttl, start, true);
    else {
      if (v !== old) this.#vals[slot] = v;
      if (!this.#views.retime(slot, ttl, start)) this.#reap(this.#store.set(slot, 0, ttl, start), undefined);
    }
    if (this.#life.watched) this.#life.written(slot, ttl);
    return true;
  }

  set(k, v, setOptions, bf) {
    const { ttl = this.cache.ttl, start, noDisposeOnSet = this.cache.noDisposeOnSet } = setOptions;
    const { sizeCalculation = this.cache.sizeCalculation, status } = setOptions;
    const isBF = fetchRecord(v) !== undefined;
    if (v === undefined) {
      if (status) status.set = 'deleted';
      this.del(k, 'delete');
      return;
    }
    let { noUpdateTTL = this.cache.noUpdateTTL } = setOptions;
    if (status && !isBF) status.value = v;
    const fetchSize = isBF && this.cache.backgroundFetchSize;
    const size = entrySize(this.#o.sizeTracking, fetchSize, k, v, setOptions.size || 0, sizeCalculation);
    if (this.cache.maxEntrySize && size > this.cache.maxEntrySize) {
      this.del(k, 'set');
      if (status) {
        status.set = 'miss';
        status.maxEntrySizeExceeded = true;
      }
      return;
    }
    const o = this.#o;
    let slot = this.#keyMap.get(k);
    if (slot === undefined) noUpdateTTL = false;
    // The new lifetime, given to the store with the write when no callback can run
    // between them (#quiet), else NaN: set after the callbacks, as lru-cache does.
    let t = NaN;
    let s = 0;
    const life = this.#life;
    if (this.#quiet && !noUpdateTTL && (ttl !== 0 || life.tracking) && !Number.isNaN(Number(ttl))) {
      if (!life.tracking) life.start(this.#keyMap.values());
      t = Number(ttl);
      s = start === undefined ? o.perf.now() : Number(start);
    }
    // True once the store has the lifetime `t` (when it is not NaN).
    let lifetimeSet = false;
    if (slot === undefined) {
      const gone = this.#quiet ? undefined : [];
      slot = this.#insert(k, v, gone, size, t, s);
      lifetimeSet = true;
      if (status && o.sizeTracking) this.#statusSize(status, size);
      this.#disposals.evicted(gone);
      if (status) status.set = 'add';
      if (o.onInsert && !isBF) o.onInsert(v, k, 'add');
    } else {
      const oldVal = this.#vals[slot];
      if (v !== oldVal) {
        const r = fetchRecord(oldVal);
        if (!noDisposeOnSet) {
          if (r !== undefined) {
            if (oldVal !== bf) r.ac.abort(new Error('replaced'));
            if (r.stale !== undefined && r.stale !== v) this.#disposals.one(r.stale, k, 'set');
          } else {
            this.#disposals.one(oldVal, k, 'set');
          }
        }
        this.#vals[slot] = v;
        this.#storeSet(slot, size, status, t, s);
        lifetimeSet = true;
        if (!isBF) {
          const oldValue = r !== undefined ? r.stale : oldVal;
          const setType = oldValue === undefined ? 'add' : v !== oldValue ? 'replace' : 'update';
          if (status) {
            status.set = setType;
            if (oldValue !== undefined) status.oldValue = oldValue;
          }
          if (o.onInsert) o.onInsert(v, k, setType);
        }
      } else {
        this.#store.promote(slot);
        if (!isBF) {
          if (status) status.set = 'update';
          if (o.onInsert) o.onInsert(v, k, 'update');
        }
      }
    }
    if (ttl !== 0 && !life.tracking) life.start(this.#keyMap.values());
    if (life.tracking) {
      if (!noUpdateTTL) {
        if (Number.isNaN(t)) {
          t = Number(ttl);
          s = start === undefined ? o.perf.now() : Number(start);
          this.#store.set_age(slot, t, s);
        } else if (!lifetimeSet) {
          this.#store.set_age(slot, t, s);
        }
        if (life.watched) life.written(slot, t);
      }
      if (status) this.#life.statusTTL(status, slot);
    }
    if (!noDisposeOnSet) this.flushDisposed();
  }

  // Puts a new key in the maps and the store (with `size` and the lifetime `t` from `s`,
  // NaN: untimed) at the slot lru-cache would pick for it: 0 in an empty cache, else
  // the last one freed, else (a full cache) the one of the entry the store evicts for
  // it, else the next unused one (while no slot is free, slots 0..size-1 are all held).
  // Evicted entries go into `gone` (when given), for #disposals.evicted. `queue`: the
  // write is unsized, no callback can run, and `t` is NaN only before the cache's first
  // lifetime (quickSet): below the bound it goes into the store's ring, with its age
  // written through the views. `place`: a sized write no callback sees (#sizedSet),
  // which, short of room for `size`, takes the least recently used entry's slot (the
  // store's `place`) as a write into a cache full by count does.
  #insert(k, v, gone, size, t, s, queue, place) {
    const held = this.#keyMap.size;
    let slot;
    let freed;
    // reuse_lru's other freed slots: from take_freed, or the ring's places from `from` on.
    let taken;
    let from = 1;
    let reuse = held !== 0 && this.#free.length === 0 && held === this.#o.max;
    if (place && !reuse && held !== 0) {
      // The slot #insert would take, taken only if the store stores the key there.
      const free = this.#free;
      freed = this.#store.place(free.length > 0 ? free[free.length - 1] : held, size, t, s);
      // (Refused: as a refused write below, the slot taken and released.)
      reuse = freed !== FREED_NONE && freed !== FAILED;
    }
    if (reuse) {
      // One call: the store evicts its least recently used entry and stores the new
      // one at its slot, answering as a write that freed that slot first (with another
      // size, more may leave for the size bound: reaped once the key is in).
      // Nothing sized, and a lifetime given or none yet in the cache: the store need not
      // read or reset the victim's size and age.
      const plain = !this.#o.sizeTracking && (!Number.isNaN(t) || !this.#life.tracking);
      freed ??= plain ? this.#store.recycle_lru(t, s) : this.#store.reuse_lru(size, t, s);
      if (freed === FAILED) throw fromMessage(this.#store.take_error());
      if (freed >= 0) slot = freed;
      else if (freed === FREED_MANY) slot = (taken = this.#store.take_freed())[0];
      else {
        slot = this.#views.handedOver()[1];
        from = 2;
      }
      // (Read here but for the ring's, which #reap reads from place 2 once the key is in.)
      if (from === 1) freed = FREED_NONE;
      this.#forget(slot, gone);
      // #forget freed it (or emptied the free list, for a cache of one).
      if (this.#free.length > 0) this.#free.pop();
    } else {
      slot = held === 0 ? 0 : this.#free.length > 0 ? this.#free.pop() : held;
    }
    this.#keys[slot] = k;
    this.#vals[slot] = v;
    this.#keyMap.set(k, slot);
    // Below the bound the store evicts nothing: the write goes into its ring.
    if (queue && held < this.#o.max && this.#views.covers(slot) && this.#views.insert(slot, t, s)) return slot;
    freed ??= this.#store.set(slot, size, t, s);
    if (freed === FAILED) this.#release(slot);
    if (taken !== undefined) for (let i = 1; i < taken.length; i++) this.#forget(taken[i], gone);
    this.#reap(freed, gone, from);
    this.#views.wrote(slot);
    return slot;
  }

  // Stores the slot's new size and lifetime (`t` NaN: kept), the most recently used, then
  // disposes of what the store evicted to make room, least recently used first.
  #storeSet(slot, size, status, t, s) {
    const gone = this.#quiet ? undefined : [];
    this.#reap(this.#store.set(slot, size, t, s), gone);
    if (status && this.#o.sizeTracking) this.#statusSize(status, size);
    this.#disposals.evicted(gone);
  }

  #statusSize(status, size) {
    status.entrySize = size;
    status.totalCalculatedSize = this.#store.calculated_size();
  }

  // The slots a store write freed (its answer): out of the maps, into `gone`; those in
  // the ring from its place `from` (1, or 2 past a reused slot).
  #reap(freed, gone, from = 1) {
    if (freed >= 0) this.#forget(freed, gone);
    else if (freed < FAILED) {
      const ring = this.#views.handedOver();
      for (let i = from, end = -freed - 2; i <= end; i++) this.#forget(ring[i], gone);
    } else if (freed === FREED_MANY) for (const slot of this.#store.take_freed()) this.#forget(slot, gone);
    else if (freed === FAILED) throw fromMessage(this.#store.take_error());
    else if (freed !== FREED_NONE) throw new Error(`polycache: unexpected store answer ${freed}`);
  }

  // A slot the store left leaves the key map at once (the two agree whatever a callback
  // does afterwards); its key and value go into `gone`.
  #forget(slot, gone) {
    gone?.push([this.#keys[slot], this.#vals[slot]]);
    this.#release(slot);
  }

  del(k, reason) {
    let deleted = false;
    const slot = this.#keyMap.get(k);
    if (slot !== undefined) {
      deleted = true;
      if (this.#keyMap.size === 1) {
        this.clear(reason);
      } else {
        this.#store.delete(slot);
        const v = this.#vals[slot];
        this.#release(slot);
        const r = fetchRecord(v);
        if (r !== undefined) r.ac.abort(new Error('deleted'));
        else this.#disposals.one(v, k, reason);
      }
    }
    if (this.#disposals.pending) this.flushDisposed();
    return deleted;
  }

  clear(reason) {
    for (const slot of heldSlots(this, true, true)) {
      const v = this.#vals[slot];
      const r = fetchRecord(v);
      if (r !== undefined) r.ac.abort(new Error('deleted'));
      else this.#disposals.one(v, this.#keys[slot], reason);
    }
    this.#keyMap.clear();
    this.#store.clear();
    this.#views.cleared();
    this.#keys.length = 0;
    this.#vals.length = 0;
    this.#free = [];
    this.#life.cleared();
    this.flushDisposed();
  }

  #release(slot) {
    if (this.#life.watched) this.#life.released(slot);
    this.#keyMap.delete(this.#keys[slot]);
    this.#keys[slot] = undefined;
    this.#vals[slot] = undefined;
    if (this.#keyMap.size === 0) this.#free = [];
    else this.#free.push(slot);
  }

  flushDisposed() {
    this.#disposals.flush();
  }

  promote(slot, updateAge) {
    this.#store.promote(slot);
    if (updateAge) this.#life.updateAge(slot);
  }
}
