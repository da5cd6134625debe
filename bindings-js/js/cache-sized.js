// What a Cache that sizes its entries reads in its store's wasm memory to write without a
// call (bindings-js/src/views.rs `sizes`, slots.rs `bytes_ptr`): each slot's charge as the
// store holds it, the sum of the charges, and the count of the ring's replays. In a cache
// where nothing expires and the policy is of the LRU family, a write of a held key with
// the charge it has is an update, which the store replays as a move and a count; and a
// new key below `max` that fits below `maxSize`, beside the charges held and those queued
// since the ring's last replay, is queued with its charge written in the sizes, which the
// replay charges (so it evicts nothing, as a call's write would not). Opened with the
// Cache's other views (cache.js `#views`); a detached view reads undefined: nothing is
// queued then, and the Cache calls.

const NO_SIZES = new Float64Array(0);
const NO_WORDS = new Uint32Array(0);
const NO_COUNT = new Int32Array(0);

export class SizedViews {
  #sizes = NO_SIZES;
  // The core's sum of charges (a u64 as two u32, low first), the ring's replays, and the
  // charges queued since the replay `#queuedAt` counted.
  #bytes = NO_WORDS;
  #replays = NO_COUNT;
  #queued = 0;
  #queuedAt = -1;
  #maxSize;
  #memory;

  /**
   * `maxSize`: the cache's byte bound, 0 for none; `memory()`: the store module's memory
   * (slot-store.js `storeMemory`: this file is loaded with the extras, which do not import it).
   */
  constructor(store, maxSize, memory) {
    store.size_slots();
    this.#maxSize = maxSize;
    this.#memory = memory;
  }

  /** The views on the memory as it is now (with the Cache's other views). */
  open(store) {
    const buffer = this.#memory().buffer;
    // (The sizes are laid out with the expiries; the count of replays follows the ring's
    // places: bindings-js/src/views.rs.)
    this.#sizes = new Float64Array(buffer, store.sizes_ptr(), store.expiries_len());
    this.#bytes = new Uint32Array(buffer, store.bytes_ptr(), 2);
    this.#replays = new Int32Array(buffer, store.ring_ptr() + 4 * store.ring_len(), 1);
  }

  /** After a trap: nothing is read until opened again. */
  dropped() {
    this.#sizes = NO_SIZES;
    this.#bytes = NO_WORDS;
    this.#replays = NO_COUNT;
  }

  /** True when the store holds `slot` (a held key's) charged `size`. */
  holds(slot, size) {
    return this.#sizes[slot] === size;
  }

  /**
   * True, with `size` written as `slot`'s charge and counted as queued, when a new entry
   * of `size` fits beside what the store holds and what was queued since its last replay;
   * the caller then queues its write. False, nothing done, where it does not fit or a view
   * is detached.
   */
  fits(slot, size) {
    const sizes = this.#sizes;
    if (!(slot < sizes.length)) return false;
    const replays = this.#replays[0];
    if (replays !== this.#queuedAt) {
      if (replays === undefined) return false;
      this.#queued = 0;
      this.#queuedAt = replays;
    }
    const bytes = this.#bytes;
    const max = this.#maxSize;
    if (max !== 0 && !(bytes[0] + bytes[1] * 4294967296 + this.#queued + size <= max)) return false;
    sizes[slot] = size;
    this.#queued += size;
    return true;
  }
}
