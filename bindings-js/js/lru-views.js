// What an LRUCache reads and writes in its store's wasm memory without a call
// (bindings-js/src/lru.rs, views.rs): the ring of hits the store replays, in order,
// before anything that reads or changes the recency order, and each slot's time up to
// which the store says its entry is certainly fresh. A view is made again when it is
// empty or detached (its length reads 0 once the wasm memory grows), and the fresh-until
// view after a write of a slot past it (the store's array may have moved).

import { wasm_memory as wasmMemory } from '../../dist/polycache_lrustore.js';

// Must match RING in bindings-js/src/views.rs.
const RING = 512;
const NO_RING = new Int32Array(0);
const NO_EXPIRIES = new Float64Array(0);
let memory;
// The store module's memory (the LRUCache's code may be a bundle of its own: the glue,
// not slot-store.js, is what it shares with the rest, lru-node.js).
const storeMemory = () => (memory ??= wasmMemory());

export class LruViews {
  #store;
  #clock;
  #ring = NO_RING;
  #fresh = NO_EXPIRIES;

  /** `clock`: the cache's (lru-clock.js), whose reading in use `hitIfFresh` compares. */
  constructor(store, clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /**
   * A get of a held `slot` answered here when the view covers it and its entry is
   * untimed, or certainly fresh at the clock's reading still in use: the hit goes into
   * the ring and true comes back. Else false, nothing done (no view opened, no clock
   * read): the caller asks the lifetimes (`readStale`), which do both.
   */
  hitIfFresh(slot) {
    const fresh = this.#fresh;
    if (slot >= fresh.length) return false;
    const until = fresh[slot];
    if (until !== Infinity) {
      const now = this.#clock.reading;
      if (now === 0 || !(now <= until)) return false;
    }
    this.#record(slot);
    return true;
  }

  /** The time up to which `slot`'s entry is certainly fresh; Infinity when untimed. */
  freshUntil(slot) {
    let fresh = this.#fresh;
    if (slot >= fresh.length) {
      const store = this.#store;
      fresh = this.#fresh = new Float64Array(storeMemory().buffer, store.fresh_ptr(), store.fresh_len());
    }
    return fresh[slot];
  }

  /** After the store was cleared: its arrays cover no slot. */
  cleared() {
    this.#fresh = NO_EXPIRIES;
  }

  /** After the store wrote `slot` as a new entry. */
  wrote(slot) {
    if (slot >= this.#fresh.length) this.#fresh = NO_EXPIRIES;
  }

  /** True when the store's per-slot arrays reach `slot` (a write of it will not move them). */
  covers(slot) {
    if (slot < this.#fresh.length) return true;
    this.freshUntil(0);
    return slot < this.#fresh.length;
  }

  /**
   * A hit of a held `slot`, for the store to replay (a call only when the ring fills):
   * also a write of it that keeps its size and lifetime, which the store makes a move.
   */
  hit(slot) {
    this.#record(slot);
  }

  /** A write of a new `slot` below the bound, untimed and unsized, within `covers`. */
  insert(slot) {
    this.#record(-(2 * slot + 3));
  }

  // Must match bindings-js/src/views.rs: a hit is the slot, a new slot -(2 * slot + 3).
  #record(op) {
    let ring = this.#ring;
    if (ring.length === 0) ring = this.#ring = new Int32Array(storeMemory().buffer, this.#store.ring_ptr(), RING + 1);
    const n = ring[0] + 1;
    ring[n] = op;
    ring[0] = n;
    if (n === RING) this.#store.sync();
  }
}
