// Sized writes of an LRUCache without a call (lru-views.js `insertSized`, `rewrite`): a
// new key queued in the ring where the store's sizes (read in wasm memory) and those
// queued since its last replay leave room for it, and a write of a held key with the size
// it has queued as a move. The class is built from the sources over the store module's
// glue (as lru-recycle.test.mjs does), so that the store's calls can be counted; the
// contents, order and calculated size are checked against real lru-cache through random
// writes of every size, gets, deletes and lifetimes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LRUCache as RealLRU } from 'lru-cache';
import { LruStore, initSync } from '../../dist/polycache_lrustore.js';
import { LRUCache } from '../../bindings-js/js/lru.js';
import { ints } from './lru-side.mjs';
import { sizedRun } from './sized-runs.mjs';

initSync({ module: readFileSync(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url)) });

/** The store's write calls (`set`, `place`, `reuse_lru`) while `f` runs. */
function writeCalls(f) {
  const names = ['set', 'place', 'reuse_lru'];
  const real = names.map((name) => LruStore.prototype[name]);
  let calls = 0;
  names.forEach((name, i) => {
    LruStore.prototype[name] = function (...args) {
      calls++;
      return real[i].apply(this, args);
    };
  });
  try {
    f();
  } finally {
    names.forEach((name, i) => (LruStore.prototype[name] = real[i]));
  }
  return calls;
}

const sizeOf = (v) => v.length;

test('new keys below the size bound, and writes that keep their size, make no write call', () => {
  for (const options of [{ maxSize: 4_000, max: 1_000 }, { maxSize: 4_000, ttl: 60_000, max: 1_000 }, { maxSize: 4_000 }]) {
    const c = new LRUCache({ ...options, sizeCalculation: sizeOf });
    c.set('first', 'x');
    const fill = writeCalls(() => {
      for (let i = 0; i < 999; i++) c.set(`k${i}`, 'abc');
    });
    // (A cache bounded by size alone lays out its arrays as they fill: a call each time
    // they double, 64 slots first.)
    assert.ok(fill <= (options.max ? 0 : 5), `${JSON.stringify(options)}: ${fill} write calls for 999 new keys`);
    assert.equal(c.calculatedSize, 1 + 3 * 999);
    const update = writeCalls(() => {
      for (let i = 0; i < 999; i++) c.set(`k${i}`, 'xyz');
    });
    assert.equal(update, 0, 'a new value of the same size is a move');
    assert.equal(c.calculatedSize, 1 + 3 * 999);
    assert.equal(c.get('k5'), 'xyz');
    // Past the bound: the store decides what the size evicts.
    assert.ok(writeCalls(() => c.set('big', 'y'.repeat(1_500))) === 1);
    // 2,998 held: 'first' and 166 of size 3 leave, down to 2,499, below 4,000 - 1,500.
    assert.equal(c.calculatedSize, 2_499 + 1_500);
    assert.ok(c.calculatedSize <= 4_000 && c.has('big') && !c.has('first'), 'the oldest left for the new one');
    if (options.ttl) {
      const left = c.getRemainingTTL('k998');
      assert.ok(left > 59_000 && left <= 60_000, `the queued write's lifetime: ${left} ms left`);
    }
  }
});

test('the sizes queued since the last replay count: the write that passes the bound is a call', () => {
  const c = new LRUCache({ maxSize: 10, max: 100, sizeCalculation: sizeOf });
  const queued = writeCalls(() => {
    for (const k of 'abcde') c.set(k, 'vv');
  });
  assert.equal(queued, 0, 'five of size 2 fill it exactly, queued');
  assert.equal(writeCalls(() => c.set('f', 'vv')), 1, 'the sixth does not fit: the store evicts for it');
  assert.equal(c.has('a'), false);
  assert.deepEqual([...c.keys()], ['f', 'e', 'd', 'c', 'b']);
  assert.equal(c.calculatedSize, 10);
});

test('sized writes through the ring are lru-cache\'s, whatever runs between them', () => {
  const cases = [
    [{ maxSize: 40 }, 1],
    [{ maxSize: 40, max: 12 }, 2],
    [{ maxSize: 100, max: 30 }, 3],
    [{ maxSize: 300 }, 4],
    [{ maxSize: 60, ttl: 50_000 }, 5],
    [{ maxSize: 60, max: 20, ttl: 50_000 }, 6],
    [{ maxEntrySize: 5, max: 15 }, 7],
  ];
  for (const [options, seed] of cases) {
    const ours = new LRUCache({ ...options, sizeCalculation: sizeOf });
    const real = new RealLRU({ ...options, sizeCalculation: sizeOf });
    const label = JSON.stringify(options);
    let writes = 0;
    const calls = writeCalls(() => {
      writes = sizedRun(ours, real, seed, label, (c) => c.calculatedSize);
    });
    // (So that the ring's writes are what this checks: a case that always called would pass.)
    assert.ok(calls < 0.8 * writes, `${label}: ${calls} calls for ${writes} writes`);
  }
});

test('queued sizes survive the memory growing under the views, a reentrant sizeCalculation, load() and free()', () => {
  const ours = new LRUCache({ maxSize: 20, max: 100, sizeCalculation: sizeOf });
  const real = new RealLRU({ maxSize: 20, max: 100, sizeCalculation: sizeOf });
  const write = (k, v) => {
    ours.set(k, v);
    real.set(k, v);
  };
  for (const k of 'abcd') write(k, 'vvvv');
  // Another store's arrays grow the module's memory: every view detaches.
  const big = new LRUCache({ max: 60_000 });
  for (let i = 0; i < 60_000; i++) big.set(`b${i}`, i);
  for (const k of 'efgh') write(k, 'vvv');
  assert.deepEqual([...ours.keys()], [...real.keys()]);
  assert.equal(ours.calculatedSize, real.calculatedSize);
  big.free();
  ours.load(real.dump());
  for (const k of 'ijk') write(k, 'vv');
  assert.deepEqual([...ours.entries()], [...real.entries()]);
  assert.equal(ours.calculatedSize, real.calculatedSize);
  // A sizeCalculation that writes the same cache, on both sides.
  const reentrant = (C) => {
    let nested = 0;
    const c = new C({
      maxSize: 12,
      sizeCalculation: (v, k) => {
        if (k.startsWith('x') && nested++ < 3) c.set(`in${nested}`, 'ww');
        return v.length;
      },
    });
    for (const k of ['x1', 'x2', 'x3', 'y', 'z']) c.set(k, 'vv');
    return [[...c.keys()], c.calculatedSize];
  };
  assert.deepEqual(reentrant(LRUCache), reentrant(RealLRU));
  ours.free();
  assert.throws(() => ours.set('after', 'v'), { name: 'CacheTrappedError' });
});

test('new keys into a cache full by count and size: victims read in place, lru-cache\'s order and sizes', () => {
  // Writes alone keep the run going (lru-views.js `recycleSized`, and the queued writes
  // of the slots it freed): a call only where the walk through the links reaches their
  // head, about once a cache's worth of victims. Sizes 1-5 (lru-cache's sizeCalculation),
  // so a write evicts one or several, or fits in a slot an earlier one freed; lifetimes
  // with and without.
  for (const [options, seed] of [[{ max: 100, maxSize: 250 }, 21], [{ max: 100, maxSize: 250, ttl: 60_000 }, 22], [{ max: 40, maxSize: 60 }, 23]]) {
    const label = JSON.stringify(options);
    const ours = new LRUCache({ ...options, sizeCalculation: sizeOf });
    const real = new RealLRU({ ...options, sizeCalculation: sizeOf });
    for (let i = 0; i < options.max; i++) {
      ours.set(`f${i}`, 'vv');
      real.set(`f${i}`, 'vv');
    }
    const next = ints(seed);
    const writes = 3_000;
    const calls = writeCalls(() => {
      for (let i = 0; i < writes; i++) {
        const v = 'v'.repeat(1 + (next() % 5));
        ours.set(`n${i}`, v);
        real.set(`n${i}`, v);
        if (i % 97 === 0) assert.equal(ours.calculatedSize, real.calculatedSize, `${label}: bytes at ${i}`);
      }
    });
    assert.deepEqual([...ours.entries()], [...real.entries()], label);
    assert.equal(ours.calculatedSize, real.calculatedSize, label);
    // (49, 48 and 194 here: one about every time the victims come round to the newest;
    // every write was a call before.)
    assert.ok(calls <= writes / 10, `${label}: ${calls} write calls for ${writes} evicting writes`);
    if (options.ttl) {
      const left = ours.getRemainingTTL(`n${writes - 1}`);
      assert.ok(left > 59_000 && left <= 60_000, `the queued write's lifetime: ${left} ms left`);
    }
  }
});

test('a get between evicting writes ends their run: the next write asks the store, and the order holds', () => {
  const options = { max: 30, maxSize: 70, sizeCalculation: sizeOf };
  const ours = new LRUCache(options);
  const real = new RealLRU(options);
  const next = ints(31);
  for (let i = 0; i < 4_000; i++) {
    const r = next() % 10;
    const key = r < 6 ? `n${i}` : `n${i - 1 - (next() % 40)}`;
    if (r < 8) {
      const v = 'v'.repeat(1 + (next() % 6));
      ours.set(key, v);
      real.set(key, v);
    } else assert.equal(ours.get(key), real.get(key), `get ${key} at ${i}`);
    if (i % 50 === 0) assert.deepEqual([...ours.keys()], [...real.keys()], `order at ${i}`);
  }
  assert.deepEqual([...ours.entries()], [...real.entries()]);
  assert.equal(ours.calculatedSize, real.calculatedSize);
});

test('a new key that fits evicts nothing, where its slot is past the store\'s arrays and the ring is empty', () => {
  // Bounded by size alone, the store lays out 64 slots first; the 65th key fits but its
  // slot is not covered, so it is the store's write (a call), which evicts nothing. (A
  // session-18 build that made a size-bounded cache's links readable let `recycleSized`
  // take this write and evict the least recently used entry; today nothing readable
  // reaches it here, and `recycleSized`'s `full` check is the guard for the day it does:
  // no test reaches that check.)
  const c = new LRUCache({ maxSize: 1_000, sizeCalculation: sizeOf });
  for (let i = 0; i < 64; i++) c.set(`k${i}`, 'v');
  assert.equal(c.calculatedSize, 64, 'replayed: the ring is empty');
  c.set('k64', 'v');
  assert.equal(c.size, 65);
  assert.equal(c.calculatedSize, 65);
  assert.ok(c.has('k0'), 'the least recently used entry stays: there is room');
});
