// The Cache's add, touch, getRemainingTTL and purgeStale (cache-lifetimes.js's methods),
// over what the Cache lets them reach (`cache[INSIDE]()` in cache.js). Loaded on first
// use with the extras (extras.js, cache-extras.js): a cache that only gets and sets does
// not parse them at import.

import { FAILED, slotOf } from './cache-lifetimes.js';
import { fromMessage, fromWasm } from './errors.js';
import { KIND_DEFAULT, KIND_NEVER, lastAmount, ttlKind } from './options.js';

/** Django's `add` (see Cache.add). */
export function addTo(c, key, value, options) {
  slotOf(c, key); // throws for a key that is not a string
  const given = options === undefined ? undefined : options.size;
  const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
  const ttlAmount = lastAmount();
  const size = c.size(key, value, given);
  if (kind > KIND_NEVER) c.expiring();
  const now = c.time();
  // Looked up again: sizeCalculation and now() are user code, which may have written.
  let slot = c.held(key);
  const fresh = slot === undefined;
  if (fresh) slot = c.alloc(key);
  let stored;
  try {
    stored = c.store.add(slot, size, kind, ttlAmount, now);
    if (stored === FAILED) throw fromMessage(c.store.take_error());
  } catch (e) {
    if (fresh) c.release(slot);
    throw fromWasm(e);
  }
  stored = stored === 1;
  c.wrote(slot);
  if (stored) c.store_value(slot, value);
  c.reapAll();
  return stored;
}

/** Gives a live `key` a new lifetime (see Cache.touch). */
export function touchIn(c, key, options) {
  const kind = options === undefined ? KIND_DEFAULT : ttlKind(options.ttl, options.timeout);
  const ttlAmount = lastAmount();
  const slot = slotOf(c, key);
  if (slot === undefined) return false;
  let live;
  try {
    if (kind > KIND_NEVER) c.expiring();
    live = c.store.touch(slot, kind, ttlAmount, c.time());
    if (live === FAILED) throw fromMessage(c.store.take_error());
  } catch (e) {
    throw fromWasm(e);
  }
  live = live === 1;
  c.reapAll();
  return live;
}

/** Milliseconds `key` has left (see Cache.getRemainingTTL). */
export function remainingOf(c, key) {
  const slot = slotOf(c, key);
  return slot === undefined ? 0 : c.store.remaining(slot, c.time());
}

/** Reclaims expired entries now (see Cache.purgeStale). */
export function purgeIn(c) {
  const n = c.store.purge(c.time());
  c.reapAll();
  return n > 0;
}
