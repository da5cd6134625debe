// An LRUCache's entry lifetimes, as lru-cache 11 tracks them: from the first ttl on,
// each entry's age is asked of the store (bindings-js/src/lru.rs, the core's staleness
// rule), read at lru-cache's times (lru-clock.js), with its `ttlAutopurge` timers and
// the starts of entries held since before tracking began in a cache with no `max`.

import { PurgeTimers } from './lru-clock.js';

// Must match bindings-js/src/lru.rs.
const STALE = 1;
const NEEDS_TIME = 2;

export class LruLifetimes {
  /** True once any entry may have had a ttl (lru-cache's dump and info show ttl fields from then on). */
  tracking = false;
  /**
   * True when `written` and `released` have anything to do (slots held from before
   * tracking began, or purge timers): else the callers skip them, a call a timed write
   * saved (2-3 ns of an LRUCache's 144: docs/js-speed.md, session 23).
   */
  watched = false;
  #store;
  #views;
  #o;
  #cache;
  #clock;
  #timers;
  // Slots held since before ttl tracking began, in a cache with no `max`: lru-cache's
  // ttl arrays then have no cell for them, so its dump() shows `ttl: undefined` and a
  // start of NaN, or the time an updateAgeOnGet/Has restarted them. Slot -> start.
  #untracked;
  // Called with a slot whose purge timer found it stale.
  #expire;

  /**
   * `views`: the store's (lru-views.js); `clock`: the cache's (lru-clock.js, shared with
   * the views); `expire(slot)`: deletes a stale slot's entry.
   */
  constructor(store, views, clock, o, cache, expire) {
    this.#store = store;
    this.#views = views;
    this.#o = o;
    this.#cache = cache;
    this.#clock = clock;
    this.#expire = expire;
  }

  /** Tracking begins; `held`: the slots held now. */
  start(held) {
    this.tracking = true;
    this.#store.time_slots();
    this.#views.timing();
    if (this.#o.max === 0) this.#untracked = new Map([...held].map((slot) => [slot, NaN]));
    if (this.#cache.ttlAutopurge) this.#timers = new PurgeTimers();
    this.watched = this.#untracked !== undefined || this.#timers !== undefined;
  }

  /** The clock's reading at lru-cache's times (its `cachedNow || getNow()`). */
  now() {
    return this.#clock.read();
  }

  /** For a slot lru-cache's ttl arrays have no cell for (see #untracked), its start; else undefined. */
  untrackedStart(slot) {
    return this.#untracked?.get(slot);
  }

  /** Time left for a held slot: negative once stale, Infinity when untimed. */
  remaining(slot) {
    if (!this.#store.timed(slot)) return Infinity;
    return this.#store.remaining(slot, this.#clock.read());
  }

  isStale(slot) {
    // Before any ttl, no entry has a lifetime: nothing to ask the store.
    if (!this.tracking) return false;
    const answer = this.#store.stale(slot, this.#clock.cached);
    if (answer !== NEEDS_TIME) return answer === STALE;
    return this.#store.stale(slot, this.#clock.now()) === STALE;
  }

  // isStale for a get; a fresh slot is also made the most recently used. With no call
  // when the slot is untimed or before the time up to which the store says it is
  // certainly fresh: the hit goes into the ring the store replays, in order, before
  // anything that reads or changes the recency order. Else the store decides (and
  // promotes a fresh slot) at the time lru-cache would read. (The fresh-until view is
  // opened here also before any lifetime, when every slot's time is Infinity, for the
  // cache to answer the next gets from them, lru.js `get`.)
  readStale(slot) {
    const until = this.#views.freshUntil(slot);
    if (this.tracking && until !== Infinity) {
      const now = this.#clock.cached ?? this.#clock.now();
      if (!(now <= until)) return this.#store.hit(slot, now) === STALE;
    }
    this.#views.hit(slot);
    return false;
  }

  updateAge(slot) {
    if (this.#untracked?.has(slot)) this.#untracked.set(slot, this.#o.perf.now());
    const ttl = this.#store.ttl(slot);
    this.#store.restart(slot, ttl !== 0 ? this.#o.perf.now() : 0);
    this.#schedulePurge(slot, ttl);
  }

  /** After a write gave `slot` the lifetime `ttl`. */
  written(slot, ttl) {
    this.#untracked?.delete(slot);
    this.#schedulePurge(slot, ttl);
  }

  /** After `slot` left the cache. */
  released(slot) {
    this.#untracked?.delete(slot);
    this.#timers?.cancel(slot);
  }

  cleared() {
    this.#untracked?.clear();
    this.#timers?.cancelAll();
  }

  statusTTL(status, slot) {
    if (!this.#store.timed(slot)) return;
    const start = this.#store.start(slot);
    status.ttl = this.#store.ttl(slot);
    status.start = start;
    status.now = this.#clock.read();
    status.remainingTTL = status.ttl - (status.now - start);
  }

  #schedulePurge(slot, ttl) {
    this.#timers?.schedule(slot, ttl, () => {
      if (this.isStale(slot)) this.#expire(slot);
      else this.#schedulePurge(slot, this.remaining(slot));
    });
  }
}
