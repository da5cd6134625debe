// A write into a size-bounded cache that evicts several entries: the store hands their
// slots back in its ring when they fit there (up to 512: bindings-js/src/views.rs
// `hand_over`), else through a call. Either way every evicted key leaves the key map,
// least recently used first, and the cache goes on answering as lru-cache 11 does:
// the same keys held, the same calculatedSize, the same disposals in the same order.
// Side by side with the real lru-cache, for polycache's Cache and its LRUCache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LRUCache as Real } from 'lru-cache';
import { Cache, LRUCache } from 'polycache';

// The sizes of the large writes into a full cache of entries of size 1: each evicts
// about that many entries (one, a few, the ring's whole length, one past it, most).
const LARGE = [1, 4, 512, 513, 900];

/**
 * Runs the same writes on `cache` (built with `disposed` as its dispose log); its record.
 * After each large write one more entry of size 1 is written; with `refill`, the large
 * entry is deleted instead and the cache filled with entries of size 1 again (a cache
 * full by count as well as size then has each large write take the least recently used
 * entry's slot, and the size bound evict the rest).
 */
function scenario(cache, disposed, refill = false) {
  const record = [];
  let next = 0;
  const fill = () => {
    while (cache.size < 3000) cache.set(`k${next}`, next++, { size: 1 });
  };
  // 3000 entries of size 1, some read so that the order is not insertion order.
  fill();
  for (let i = 0; i < 3000; i += 7) cache.get(`k${i}`);
  for (const [n, size] of LARGE.entries()) {
    const before = disposed.length;
    cache.set(`big${n}`, n, { size });
    record.push({
      size: cache.size,
      calculated: cache.calculatedSize,
      evicted: disposed.slice(before),
      // Gets and sets after the write: the ring carries on from an empty count.
      got: [cache.get(`big${n}`), cache.get('k7'), cache.get(`k${next - 1}`)],
    });
    if (refill) {
      cache.delete(`big${n}`);
      fill();
    } else {
      cache.set(`after${n}`, n, { size: 1 });
    }
  }
  record.push({ keys: [...cache.keys()], size: cache.size, calculated: cache.calculatedSize });
  return record;
}

function withLog(make, refill) {
  const disposed = [];
  const cache = make((value, key, reason) => {
    if (reason === 'evict') disposed.push(key);
  });
  return scenario(cache, disposed, refill);
}

test('several evictions per write: the LRUCache as lru-cache 11', () => {
  const theirs = withLog((dispose) => new Real({ maxSize: 3000, dispose }));
  const ours = withLog((dispose) => new LRUCache({ maxSize: 3000, dispose }));
  assert.deepEqual(ours, theirs);
  // What the scenario means to show, so agreement alone cannot pass a record of nothing:
  // writes that evicted a few entries (handed over in the ring) and more than it holds.
  const counts = theirs.slice(0, -1).map((r) => r.evicted.length);
  assert.ok(counts.some((c) => c > 1 && c <= 512) && counts.some((c) => c > 512), `evicted per write: ${counts}`);
});

test('a cache full by count and size: the reused slot, then the others, as lru-cache 11', () => {
  // The store hands the slots over after the reused one: in the ring up to 512 in all,
  // else through a call (513 and 900 here).
  const theirs = withLog((dispose) => new Real({ max: 3000, maxSize: 3000, dispose }), true);
  const ours = withLog((dispose) => new LRUCache({ max: 3000, maxSize: 3000, dispose }), true);
  assert.deepEqual(ours, theirs);
  assert.deepEqual(
    theirs.slice(0, -1).map((r) => r.evicted.length),
    [1, 4, 512, 513, 900],
  );
});

test('several evictions per write: the Cache holds what lru-cache holds', () => {
  // The Cache has no dispose: the record is its keys, counts and hits.
  const keysOf = (make) => {
    const cache = make();
    return scenario(cache, []).map(({ evicted, ...rest }) => rest);
  };
  const theirs = keysOf(() => new Real({ maxSize: 3000 }));
  const ours = keysOf(() => new Cache({ maxSize: 3000, eviction: 'lru' }));
  assert.deepEqual(ours, theirs);
  assert.ok(theirs.at(-1).keys.length > 0 && theirs.at(-1).keys.length < 1200);
});
