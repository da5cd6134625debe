// LRUCache's `get` with options: lru-cache 11's answers for stale entries and
// background fetches, and its `status` reports, over the entries (lru-entries.js).
// A get without options is answered by LRUCache.get itself (lru.js), and by `getAsking`
// where the store's views cannot answer it.

import { fetchRecord } from './lru-fetch.js';

/** `entries.get(k, getOptions)`: the flags it does not override read from the cache. */
export function getWith(entries, k, getOptions) {
  const cache = entries.cache;
  const { allowStale = cache.allowStale, updateAgeOnGet = cache.updateAgeOnGet } = getOptions;
  const { noDeleteOnStaleGet = cache.noDeleteOnStaleGet, status } = getOptions;
  const slot = entries.slot(k);
  if (slot === undefined) {
    if (status) status.get = 'miss';
    return undefined;
  }
  const value = entries.val(slot);
  const r = fetchRecord(value);
  const life = entries.life;
  if (status) life.statusTTL(status, slot);
  if (life.readStale(slot)) {
    if (r === undefined) {
      if (!noDeleteOnStaleGet) entries.del(k, 'expire');
      if (status) status.get = 'stale';
      if (allowStale) {
        if (status) status.returnedStale = true;
        return value;
      }
      return undefined;
    }
    if (status) status.get = 'stale-fetching';
    if (allowStale && r.stale !== undefined) {
      if (status) status.returnedStale = true;
      return r.stale;
    }
    return undefined;
  }
  if (status) status.get = r !== undefined ? 'fetching' : 'hit';
  if (updateAgeOnGet) life.updateAge(slot);
  return r !== undefined ? r.stale : value;
}

/**
 * `get(k)` without options for a held `slot` holding `value` where the views could not
 * answer: a fetch in flight, a view to open, or a lifetime the store decides at the time
 * lru-cache would read.
 */
export function getAsking(entries, k, slot, value) {
  if (fetchRecord(value) !== undefined) return entries.get(k, {});
  const c = entries.cache;
  const life = entries.life;
  if (life.readStale(slot)) {
    if (!c.noDeleteOnStaleGet) entries.del(k, 'expire');
    return c.allowStale ? value : undefined;
  }
  if (c.updateAgeOnGet) life.updateAge(slot);
  return value;
}
