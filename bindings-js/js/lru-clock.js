// The LRUCache's time: lru-cache's clock reading reused for `ttlResolution` ms, and its
// `ttlAutopurge` timers. Where timers are refused (a Worker's global scope) neither uses
// them: every read asks the clock, and stale entries wait for a read, a purge or the LRU.

/** `perf.now()`, a reading of which is reused until `cache.ttlResolution` ms have passed. */
export class Clock {
  #perf;
  #cache;
  #reading = 0;

  constructor(perf, cache) {
    this.#perf = perf;
    this.#cache = cache;
  }

  /** A reading still in use, else undefined. */
  get cached() {
    return this.#reading || undefined;
  }

  /** A reading still in use, else 0 (a number either way, for the views' fresh check). */
  get reading() {
    return this.#reading;
  }

  /** lru-cache's `cachedNow || getNow()`. */
  read() {
    return this.#reading || this.now();
  }

  /** A fresh reading, kept for ttlResolution ms. */
  now() {
    const n = this.#perf.now();
    const resolution = this.#cache.ttlResolution;
    if (resolution > 0) {
      try {
        setTimeout(() => {
          this.#reading = 0;
        }, resolution)?.unref?.();
        this.#reading = n;
      } catch {
        // no timers: no reuse
      }
    }
    return n;
  }
}

/** One purge timer per slot. */
export class PurgeTimers {
  #timers = [];

  /** Calls `fire()` once `ms` + 1 ms have passed, replacing the slot's timer. */
  schedule(slot, ms, fire) {
    this.cancel(slot);
    if (!ms) return;
    try {
      const t = setTimeout(() => {
        this.#timers[slot] = undefined;
        fire();
      }, ms + 1);
      t?.unref?.();
      this.#timers[slot] = t;
    } catch {
      // timers refused
    }
  }

  cancel(slot) {
    if (this.#timers[slot] !== undefined) {
      clearTimeout(this.#timers[slot]);
      this.#timers[slot] = undefined;
    }
  }

  cancelAll() {
    for (const t of this.#timers) if (t !== undefined) clearTimeout(t);
    this.#timers = [];
  }
}
