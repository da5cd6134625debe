// The Cache's dump/load and snapshot/loadSnapshot, over what the Cache lets them reach
// (`cache[INSIDE]()` in cache.js): its store, its slots' keys and values, its clock.
// Their code (persist.js) is loaded on first use (cache-extras.js): a cache that never
// dumps or loads does not parse it.

import { extras } from './cache-extras.js';

export const INSIDE = Symbol('polycache.inside');

/** The Cache's dump/load and snapshot methods (its base class, through CacheBase). */
export class Persisting {
  /**
   * Everything the cache holds, JSON-ready when the values are: live entries least
   * recently used first with their absolute expiry (epoch ms) and size, and the
   * namespace generations. `load()` takes it back.
   */
  dump() {
    return extras().dumpOf(this[INSIDE]());
  }

  /**
   * Replaces the cache's entries with a `dump()` (or an lru-cache `dump()` array), by the
   * core's load rules, as Python's load: expired or oversized entries are skipped, the
   * entries that do not fit go as they come, namespace generations only move forward,
   * and the adaptive policy keeps what it learnt before. Unreadable input throws a
   * CacheLoadError and changes nothing. The counters go on (as in Python: a set for each
   * entry the cache holds after).
   */
  load(input) {
    extras().loadInto(this[INSIDE](), input);
  }

  /**
   * The cache as core snapshot bytes, readable by every polycache binding: keys, JSON
   * values (Uint8Array values as bytes), expiries, namespace generations. `{ key }`
   * (a string or bytes, at least 16 bytes) signs it with HMAC-SHA256.
   */
  snapshot(options = {}) {
    return extras().snapshotOf(this[INSIDE](), options);
  }

  /**
   * Replaces the cache's entries with a `snapshot()` from any binding. A signed snapshot
   * needs `{ key }`; an unsigned one needs `{ allowUnsigned: true }`. `{ maxAge }` (ms)
   * refuses a snapshot made longer ago than that by this cache's clock (a replay). Values
   * JS cannot read (Python pickles) load as OpaqueValue, never executed. Sizes come from
   * `sizeCalculation`, else the value's encoded length. `{ verified, entries }`.
   */
  loadSnapshot(bytes, options = {}) {
    return extras().loadSnapshotInto(this[INSIDE](), bytes, options);
  }
}
