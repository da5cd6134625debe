// LRUCache's iteration methods, over the slot order the store keeps. The order is read
// when iteration starts; each slot is checked again as it is reached, so an entry
// deleted (or gone stale) while a loop runs is skipped, as lru-cache skips it. Fetches
// in flight are entries but never shown; `find` and `forEach` show their stale value.

import { fetchRecord, visible } from './lru-fetch.js';

/** `(allowStale, oldestFirst)` -> live slots; `(slot)` -> key; `(slot)` -> value. */
export const SLOTS = Symbol('polycache.lru.slots');
export const KEY = Symbol('polycache.lru.key');
export const VAL = Symbol('polycache.lru.value');
export const GET = Symbol('polycache.lru.get');

/** `entries`' held slots (lru-entries.js), newest first (or oldest first), stale ones only with `allowStale`. */
export function* heldSlots(entries, allowStale, oldestFirst = false) {
  const order = entries.order();
  if (oldestFirst) order.reverse();
  for (const slot of order) {
    if (entries.slot(entries.key(slot)) !== slot) continue;
    if (allowStale || !entries.life.isStale(slot)) yield slot;
  }
}

export class Entries {
  /** `[key, value]` pairs, most recently used first (stale ones only with allowStale). */
  *entries() {
    yield* this.#pairs(false);
  }
  /** `[key, value]` pairs, least recently used first. */
  *rentries() {
    yield* this.#pairs(true);
  }
  *keys() {
    yield* this.#keysIn(false);
  }
  *rkeys() {
    yield* this.#keysIn(true);
  }
  *values() {
    yield* this.#valuesIn(false);
  }
  *rvalues() {
    yield* this.#valuesIn(true);
  }
  [Symbol.iterator]() {
    return this.entries();
  }

  /** The first value (most recent first) for which `fn(value, key, cache)` is true, read with get(). */
  find(fn, getOptions = {}) {
    for (const slot of this[SLOTS](undefined, false)) {
      const value = visible(this[VAL](slot));
      if (value === undefined) continue;
      if (fn(value, this[KEY](slot), this)) return this[GET](this[KEY](slot), getOptions);
    }
    return undefined;
  }

  forEach(fn, thisp = this) {
    this.#each(fn, thisp, false);
  }
  rforEach(fn, thisp = this) {
    this.#each(fn, thisp, true);
  }

  #each(fn, thisp, oldestFirst) {
    for (const slot of this[SLOTS](undefined, oldestFirst)) {
      const value = visible(this[VAL](slot));
      if (value !== undefined) fn.call(thisp, value, this[KEY](slot), this);
    }
  }

  *#pairs(oldestFirst) {
    for (const slot of this[SLOTS](undefined, oldestFirst)) {
      const k = this[KEY](slot);
      const v = this[VAL](slot);
      if (v !== undefined && k !== undefined && fetchRecord(v) === undefined) yield [k, v];
    }
  }

  *#keysIn(oldestFirst) {
    for (const slot of this[SLOTS](undefined, oldestFirst)) {
      const k = this[KEY](slot);
      if (k !== undefined && fetchRecord(this[VAL](slot)) === undefined) yield k;
    }
  }

  *#valuesIn(oldestFirst) {
    for (const slot of this[SLOTS](undefined, oldestFirst)) {
      const v = this[VAL](slot);
      if (v !== undefined && fetchRecord(v) === undefined) yield v;
    }
  }
}
