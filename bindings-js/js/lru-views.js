// What an LRUCache reads and writes in its store's wasm memory without a call
// (bindings-js/src/lru_views.rs, views.rs): the ring of hits the store replays, in order,
// before anything that reads or changes the recency order, each slot's time up to
// which the store says its entry is certainly fresh, and each slot's age (ttl, start).
// A view is made again when it is empty or detached (the ring's count, `ring[0]`, reads
// undefined once the wasm memory grows: tested instead of a view's `.length`, which is
// a float conversion in V8's code), and the per-slot views after a write of a slot past
// them (the store's arrays may have moved). The per-slot views and the ring are opened together: where
// the fresh-until view covers a slot, the ring's view is attached too.
//
// A get without options reads these views where the cache's other state is, in the
// LRUCache itself (lru.js `get`), one object fewer on its way than through the
// entries and this object: every change of the ring's view, the fresh-until view, its
// cover or the timed flag is handed to it (`publish`).

import { initSync } from '../../dist/polycache_lrustore.js';

export const NO_RING = new Int32Array(0);
export const NO_EXPIRIES = new Float64Array(0);
const NO_LINKS = new Uint32Array(0);
// Must match fresh_until in bindings-js/src/lru_slots.rs: its margin for rounding.
const MARGIN = 8 * Number.EPSILON;
let memory;
// The store module's memory (the LRUCache's code may be a bundle of its own: the glue,
// not slot-store.js, is what it shares with the rest, lru-node.js).
// (The glue's `initSync` answers the instance's exports once it has made them.)
export const storeMemory = () => (memory ??= initSync().memory);

export class LruViews {
  #store;
  #publish;
  #ring = NO_RING;
  #ringEnd = 0; // its last place, as a small integer (see #covered)
  #fresh = NO_EXPIRIES;
  // Each slot's size, as the store holds it (laid out for a cache that sizes its entries).
  #sizes = NO_EXPIRIES;
  // The sum of the held entries' sizes (the core's, a u64 as two u32, low first; empty
  // as the links' view is until opened), and
  // the sizes of the new slots queued since the replay the count of replays read
  // `#queuedAt` (`insertSized`).
  #bytes = NO_LINKS;
  #queued = 0;
  #queuedAt = -1;
  // Two per slot, the store's `Age` (ttl, then start; `#[repr(C)]` in core/src/age.rs).
  #ages = NO_EXPIRIES;
  // Until the cache's first lifetime every slot's fresh-until time is Infinity.
  #timed = false;
  // How many slots the per-slot views cover, as a small integer (0 until they are
  // opened again; a view's `.length` is a float conversion in V8's code): attached as
  // long as the ring is.
  #covered = 0;
  // The core's recency links, where they never move (bindings-js/src/lru_views.rs `links_ptr`:
  // two per index, its previous then its next; index 0 the head, whose previous is the
  // least recently used; slot n at index n + 1), and the count of the ring's replays.
  #links = NO_LINKS;
  #replays = NO_RING;
  // The index of the last victim `recycle` named, and the ring's count and replays just
  // after it queued its move: while both read the same, the ring holds nothing but such
  // moves, the links still read as before them, and the next victim is its previous.
  #runAt = 0;
  #runCount = -1;
  #runReplays = 0;

  /**
   * `publish(ring, fresh, covered, timed)`: called with the views a get reads, now and
   * whenever one of them changes.
   */
  constructor(store, publish) {
    this.#store = store;
    this.#publish = publish;
    this.#changed();
  }

  #changed() {
    this.#publish(this.#ring, this.#fresh, this.#covered, this.#timed);
  }

  /**
   * The cache's lifetimes are tracked from now on (lru-lifetimes.js `start`), and the store
   * has laid out its ages and fresh-until times (`time_slots`): the views are opened
   * again before their next use.
   */
  timing() {
    this.#timed = true;
    this.#fresh = NO_EXPIRIES;
    this.#ages = NO_EXPIRIES;
    this.#covered = 0;
    this.#changed();
  }

  /**
   * A write of a held `slot` that keeps its size (none is tracked), with the lifetime
   * `ttl` from `start`: the store's `set` without a call, the age written here and the
   * move queued as a hit. True when done; false, nothing done, where the store's arrays
   * do not reach the slot or the lifetime is one `#age` leaves to the store: the caller
   * writes through the store.
   */
  retime(slot, ttl, start) {
    if (!this.covers(slot) || !this.#age(slot, ttl, start)) return false;
    this.#push(slot);
    return true;
  }

  /**
   * `retime` in a cache that sizes its entries: a write of a held `slot` with the `size`
   * it has (`ttl` NaN: its lifetime kept), which the store makes a move. False, nothing
   * done, for another size or where `retime` declines.
   */
  rewrite(slot, size, ttl, start) {
    if (!this.covers(slot) || this.#sizes[slot] !== size) return false;
    if (!Number.isNaN(ttl)) return this.retime(slot, ttl, start);
    this.hit(slot);
    return true;
  }

  /**
   * A write of a new `slot` below the bound, unsized, within `covers`: untimed (`ttl`
   * NaN, before the cache's first lifetime: the slot's age is the default one) or with
   * the lifetime `ttl` from `start`, written here. False, nothing done, for a lifetime
   * `#age` leaves to the store.
   */
  insert(slot, ttl, start) {
    if (!Number.isNaN(ttl) && !this.#age(slot, ttl, start)) return false;
    this.#push(-(2 * slot + 3));
    return true;
  }

  /**
   * `insert` of a new `slot` with no lifetime: false, nothing done, where the views do not
   * cover it. Its push restated: through `insert(slot, NaN, 0)` an `LRUCache`'s untimed
   * sets took 103-106 ns against 102 (phase-ab, V8's inlining budget, as `recycleSized`).
   */
  insertUntimed(slot) {
    if (!this.covers(slot)) return false;
    this.#push(-(2 * slot + 3));
    return true;
  }

  /**
   * `insert` in a cache that sizes its entries: a new `slot` of `size` (written here, in
   * the store's sizes), queued where the store's sizes and those queued before it leave
   * room for it below `maxSize` (0: no such bound), so that the store's write evicts
   * nothing. False, nothing done, where it does not fit, the arrays do not reach the slot,
   * or `insert` declines. The caller checks the count bound.
   */
  insertSized(slot, size, ttl, start, maxSize) {
    if (!this.covers(slot)) return false;
    const queued = this.#queuedSince();
    const bytes = this.#bytes;
    if (maxSize !== 0 && !(bytes[0] + bytes[1] * 4294967296 + queued + size <= maxSize)) return false;
    // A new slot is not in the links, and a slot `recycleSized` freed is behind where
    // it reads them: its run goes on past this write (checked before the push).
    const run = this.#ring[0] === this.#runCount && this.#replays[0] === this.#runReplays;
    // (Written before `insert` queues the slot, which it may decline: a free slot's size
    // is read by nothing.)
    this.#sizes[slot] = size;
    if (!this.insert(slot, ttl, start)) return false;
    this.#queued += size;
    if (run) this.#ranOn();
    return true;
  }

  // The store's `put_age` for a covered slot, where its rule is the plain one (a ttl and
  // start both positive, a finite end); false, nothing written, for the others.
  #age(slot, ttl, start) {
    const end = start + ttl;
    if (!(ttl > 0 && start > 0 && end < Infinity)) return false;
    const ages = this.#ages;
    ages[2 * slot] = ttl;
    ages[2 * slot + 1] = start;
    this.#fresh[slot] = end - end * MARGIN;
    return true;
  }

  /** The time up to which `slot`'s entry is certainly fresh; Infinity when untimed. */
  freshUntil(slot) {
    if (slot >= this.#covered || this.#ring[0] === undefined) this.#open();
    return this.#fresh[slot];
  }

  // The per-slot views and the ring, on the memory as it is now.
  #open() {
    const at = this.#store.views_at();
    const buffer = storeMemory().buffer;
    // (bindings-js/src/lru_views.rs `views_at`: the places, as one call writes them.)
    const [ring, ringLen, fresh, len, ages, sizes, sizesLen, covered, links, linksLen, replays, bytes] = new Uint32Array(buffer, at, 12);
    // (No ages nor fresh-until times before the first lifetime: views of none.)
    this.#fresh = new Float64Array(buffer, fresh, len);
    this.#ages = new Float64Array(buffer, ages, 2 * len);
    this.#sizes = new Float64Array(buffer, sizes, sizesLen);
    this.#ring = new Int32Array(buffer, ring, ringLen);
    this.#ringEnd = ringLen - 1;
    this.#covered = covered;
    this.#links = links === 0 ? NO_LINKS : new Uint32Array(buffer, links, linksLen);
    this.#replays = new Int32Array(buffer, replays, 1);
    this.#bytes = new Uint32Array(buffer, bytes, 2);
    this.#runCount = -1;
    this.#changed();
  }

  /** After the store trapped or was freed (errors.js `guardTraps`): no view, so every get asks it. */
  dropped() {
    this.#links = NO_LINKS;
    this.#bytes = NO_LINKS;
    this.#ring = NO_RING;
    this.#fresh = NO_EXPIRIES;
    this.#ages = NO_EXPIRIES;
    this.#sizes = NO_EXPIRIES;
    this.#covered = 0;
    this.#changed();
  }

  /** After the store was cleared: its arrays cover no slot. */
  cleared() {
    this.#fresh = NO_EXPIRIES;
    this.#covered = 0;
    this.#changed();
  }

  /** After the store wrote `slot` as a new entry. */
  wrote(slot) {
    if (slot >= this.#covered) {
      this.#fresh = NO_EXPIRIES;
      this.#covered = 0;
      this.#changed();
    }
  }

  /** True when the store's per-slot arrays reach `slot` (a write of it will not move them). */
  covers(slot) {
    if (slot < this.#covered && this.#ring[0] !== undefined) return true;
    this.freshUntil(0);
    return slot < this.#covered;
  }

  /**
   * A new key's write into a full cache without a call, where it can be made so (quiet,
   * unsized: lru-entries.js `#recycle`): the least recently used slot, read from the
   * store's links, takes the lifetime `ttl` from `start` (NaN: none in the cache yet),
   * and its move to the front is queued as a hit (the store's `recycle_lru` is that move
   * and that age). Only while the ring is empty, or holds nothing but the moves this
   * queued since the last replay. The slot; -1, and nothing done, where the store must
   * be asked.
   */
  recycle(ttl, start) {
    let count = this.#ring[0];
    if (count === undefined) {
      this.#open();
      count = this.#ring[0];
    }
    const links = this.#links;
    let at;
    if (count === 0) at = links[0];
    else if (count === this.#runCount && this.#replays[0] === this.#runReplays) at = links[2 * this.#runAt];
    else return -1;
    // (Undefined: no links to read; 0: the list walked back to its head.)
    if (!(at > 0)) return -1;
    const slot = at - 1;
    if (!Number.isNaN(ttl) && !(slot < this.#covered && this.#age(slot, ttl, start))) return -1;
    this.#push(slot);
    this.#runAt = at;
    this.#ranOn();
    return slot;
  }

  /**
   * `recycle` for a new key of `size` short of room in a cache that sizes its entries
   * (`maxSize`, 0: none), or `full` by count: the least recently used slot takes the key's
   * size and lifetime (as the store's `place` and `reuse_lru` make it), and where the
   * sizes then pass `maxSize` the slots after it in the order leave, as the store's write
   * would evict them (read from the links and the store's sizes, with what was queued
   * since the last replay). Those go into `out` (their count in `out[0]`, the slots after
   * it) for the caller to take back; the write is queued as an update of the slot, which
   * the store replays as its write with the size written here. The slot; -1, and nothing
   * done, where the store must be asked.
   */
  recycleSized(size, ttl, start, maxSize, full, out) {
    // The victim as `recycle` reads it, restated: with a function of its own for both, the
    // count-bounded evictions (`recycle`, inlined into the LRUCache's set) took 124-132 ns
    // a write against 87-92 (V8's inlining budget).
    let count = this.#ring[0];
    if (count === undefined) {
      this.#open();
      count = this.#ring[0];
    }
    const links = this.#links;
    let at;
    if (count === 0) at = links[0];
    else if (count === this.#runCount && this.#replays[0] === this.#runReplays) at = links[2 * this.#runAt];
    else return -1;
    if (!(at > 0)) return -1;
    const slot = at - 1;
    if (!(slot < this.#covered)) return -1;
    const sizes = this.#sizes;
    const bytes = this.#bytes;
    const held = bytes[0] + bytes[1] * 4294967296 + this.#queuedSince();
    // A key that fits, in a cache not `full` by count, evicts nothing: the store writes it.
    if (!full && !(maxSize !== 0 && held + size > maxSize)) return -1;
    // What the sizes change by: the slot's new size for its old one, less what leaves.
    let change = size - sizes[slot];
    // (`out[0]` counts them: setting an array's length is a call into V8's runtime.)
    let k = 0;
    if (maxSize !== 0) {
      for (let i = at; held + change > maxSize; ) {
        i = links[2 * i];
        // (Walked back to the head: the store decides.)
        if (!(i > 0)) return -1;
        out[++k] = i - 1;
        change -= sizes[i - 1];
        at = i;
      }
    }
    out[0] = k;
    // (Nothing written before: `#age` writes nothing where it declines.)
    if (!Number.isNaN(ttl) && !this.#age(slot, ttl, start)) return -1;
    sizes[slot] = size;
    this.#queued += change;
    this.#push(-(2 * slot + 2));
    this.#runAt = at;
    this.#ranOn();
    return slot;
  }

  // The ring's count and replays as a run of victims read from the links leaves them.
  #ranOn() {
    // (A full ring was replayed by the push: its count is 0, the run is over, and the
    // next reads the links afresh.)
    const count = this.#ring[0];
    this.#runCount = count > 0 ? count : -1;
    this.#runReplays = this.#replays[0];
  }

  // The sizes queued since the store's last replay (`insertSized`, `recycleSized`).
  #queuedSince() {
    const replays = this.#replays[0];
    if (replays !== this.#queuedAt) {
      this.#queued = 0;
      this.#queuedAt = replays;
    }
    return this.#queued;
  }

  /** The ring, attached: a write's answer -(2 + k) put k slots in its places 1..k. */
  handedOver() {
    if (this.#ring[0] === undefined) this.#open();
    return this.#ring;
  }

  /**
   * A hit of a held `slot`, for the store to replay (a call only when the ring fills):
   * also a write of it that keeps its size and lifetime, which the store makes a move.
   */
  hit(slot) {
    this.#record(slot);
  }

  // Must match bindings-js/src/views.rs: a hit is the slot, a new slot -(2 * slot + 3).
  #record(op) {
    if (this.#ring[0] === undefined) this.#open();
    this.#push(op);
  }

  // #record where the ring's view is known attached (the fresh-until view covers a slot).
  #push(op) {
    const ring = this.#ring;
    const n = ring[0] + 1;
    ring[n] = op;
    ring[0] = n;
    if (n === this.#ringEnd) this.#store.sync();
  }
}
