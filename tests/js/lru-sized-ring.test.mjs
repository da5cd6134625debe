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
