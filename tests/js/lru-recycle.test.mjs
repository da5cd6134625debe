// A new key into a full LRUCache without a call (lru-views.js `recycle`): the victim read
// from the store's links in wasm memory and its move queued in the ring, while the ring
// holds nothing else. The class is built from the sources over the store module's glue
// (as lru-views.test.mjs does), so that the store's calls can be counted on its
// prototype; the order is checked against real lru-cache through gets, deletes, updates
// and lifetimes between the writes, in caches small enough that the ring fills and is
// replayed many times.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LRUCache as RealLRU } from 'lru-cache';
import { LruStore, initSync } from '../../dist/polycache_lrustore.js';
import { LRUCache } from '../../bindings-js/js/lru.js';
import { LruViews } from '../../bindings-js/js/lru-views.js';
import { ints } from './lru-side.mjs';

initSync({ module: readFileSync(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url)) });

/** Counts the store's `recycle_lru` calls while `f` runs. */
function recycleCalls(f) {
  const real = LruStore.prototype.recycle_lru;
  let calls = 0;
  LruStore.prototype.recycle_lru = function (...args) {
    calls++;
    return real.apply(this, args);
  };
  try {
    f();
  } finally {
    LruStore.prototype.recycle_lru = real;
  }
  return calls;
}

test('a run of new keys into a full cache makes no call, with a lifetime or without', () => {
  for (const options of [{ max: 50 }, { max: 50, ttl: 60_000 }]) {
    const c = new LRUCache(options);
    for (let i = 0; i < 50; i++) c.set(`k${i}`, i);
    const calls = recycleCalls(() => {
      for (let i = 50; i < 2_000; i++) c.set(`k${i}`, i);
    });
    assert.equal(calls, 0, `${JSON.stringify(options)}: no recycle_lru call`);
    assert.deepEqual([...c.keys()], Array.from({ length: 50 }, (_, i) => `k${1_999 - i}`), 'the newest 50, newest first');
    assert.equal(c.get('k1949'), undefined);
    if (options.ttl) {
      const left = c.getRemainingTTL('k1999');
      assert.ok(left > 59_000 && left <= 60_000, `the victim's slot took the write's lifetime: ${left} ms left`);
    }
  }
  // A get between two such writes moves its key in the ring: the next write asks the store.
  const c = new LRUCache({ max: 3 });
  for (const k of 'abc') c.set(k, k);
  assert.deepEqual([...c.keys()], ['c', 'b', 'a'], 'a call: the ring replayed, empty');
  const calls = recycleCalls(() => {
    c.set('d', 'd');
    c.get('b');
    c.set('e', 'e');
  });
  assert.equal(calls, 1);
  assert.deepEqual([...c.keys()], ['e', 'b', 'd']);
});

test('victims read in place are lru-cache\'s, whatever runs between the writes', () => {
  for (const [max, ttl, seed] of [[3, 0, 1], [5, 0, 2], [17, 0, 3], [40, 0, 4], [5, 50_000, 5], [17, 50_000, 6]]) {
    const ours = new LRUCache(ttl ? { max, ttl } : { max });
    const real = new RealLRU(ttl ? { max, ttl } : { max });
    const next = ints(seed);
    let fresh = 0;
    for (let step = 0; step < 4_000; step++) {
      const r = next() % 100;
      const old = `k${next() % (2 * max)}`;
      if (r < 60) {
        // Runs of new keys, long enough to fill the ring (16 places in these caches).
        const key = `n${fresh++}`;
        ours.set(key, step);
        real.set(key, step);
      } else if (r < 80) {
        assert.equal(ours.get(old), real.get(old), `get ${old} at ${step}`);
      } else if (r < 90) {
        ours.set(old, step);
        real.set(old, step);
      } else if (r < 95) {
        assert.equal(ours.delete(old), real.delete(old), `delete ${old} at ${step}`);
      } else {
        // Keys of the old kind come back as new keys into the full cache.
        const key = `k${fresh++ % (2 * max)}`;
        ours.set(key, step);
        real.set(key, step);
      }
      if (step % 97 === 0) assert.deepEqual([...ours.keys()], [...real.keys()], `order at ${step} (max ${max})`);
    }
    assert.deepEqual([...ours.entries()], [...real.entries()], `max ${max}, ttl ${ttl}`);
  }
});

test('a replay between two victims read in place ends the run, even where the ring reads as before', () => {
  // The store and the views alone, driven as the entries drive them: the case itself.
  // (The random test above fails a build without the replay check too, since session 17;
  // before, its draws were fractions taken `% 100`, so every step wrote a new key.)
  const store = LruStore.make(3, 0);
  const views = new LruViews(store, () => {});
  for (const slot of [0, 1, 2]) store.set(slot, 0, NaN, 0);
  assert.equal(views.recycle(NaN, 0), 0, 'the least recently used, its move queued');
  // A call replays the ring (slot 0 to the front) and moves slot 1 before it: 1, 0, 2.
  store.promote(1);
  // A hit of slot 2 queued: the ring's count is back to what it was after the victim.
  views.hit(2);
  assert.equal(views.recycle(NaN, 0), -1, 'the links no longer read as the run left them');
  assert.equal(store.recycle_lru(NaN, 0), 0, 'the store names the victim: 2, 1, 0 after the hit');
});
