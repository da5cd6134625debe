// A Cache that sizes its entries writes without a call where it can (cache-sized.js): an
// update of a held key with the charge it has, and a new key that fits below maxSize
// beside the charges held and those queued since the ring's last replay, go into the
// ring. The answers, order and counters are those of a call per write, which these check
// against lru-cache 11 (the same LRU victims by size) and the store's own counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LRUCache as Real } from 'lru-cache';
import { Cache } from 'polycache';
import { countStoreSets } from './store-calls.mjs';
import { sizedRun } from './sized-runs.mjs';

const sizeOf = (v) => v.length;

test('sized writes that fit, and updates of the same size, make no call', () => {
  for (const options of [{ maxSize: 4_000, max: 1_000 }, { maxSize: 4_000 }, { maxSize: 4_000, eviction: 'cull' }]) {
    const c = new Cache({ eviction: 'lru', ...options, sizeCalculation: sizeOf });
    const [calls, stop] = countStoreSets(c);
    try {
      for (let i = 0; i < 999; i++) c.set(`k${i}`, 'abc');
      // (A cache without max lays out its arrays as they fill: a call each time they double.)
      assert.ok(calls() <= (options.max ? 0 : 5), `${JSON.stringify(options)}: ${calls()} calls for 999 new keys`);
      const before = calls();
      for (let i = 0; i < 999; i++) c.set(`k${i}`, 'xyz');
      assert.equal(calls(), before, 'a new value of the same size: no call');
      c.set('k1', 'longer');
      assert.equal(calls(), before + 1, 'another size: a call');
    } finally {
      stop();
    }
    assert.equal(c.get('k5'), 'xyz');
    const s = c.stats();
    assert.deepEqual([s.entries, s.bytes, s.sets, s.evictions], [999, 3 * 998 + 6, 2 * 999 + 1, 0]);
  }
});

test('the charges queued since the last replay count: the write that passes the bound is a call', () => {
  const c = new Cache({ maxSize: 10, max: 100, eviction: 'lru', sizeCalculation: sizeOf });
  const [calls, stop] = countStoreSets(c);
  try {
    for (const k of 'abcde') c.set(k, 'vv');
    assert.equal(calls(), 0, 'five of size 2 fill it exactly, queued');
    c.set('f', 'vv');
    assert.equal(calls(), 1, 'the sixth does not fit: the store evicts for it');
  } finally {
    stop();
  }
  assert.equal(c.has('a'), false);
  assert.deepEqual([...c.keys()], ['f', 'e', 'd', 'c', 'b']);
  assert.deepEqual([c.stats().bytes, c.stats().evictions], [10, 1]);
});

test('sized writes through the ring are lru-cache\'s, whatever runs between them', () => {
  const cases = [[{ maxSize: 40 }, 1], [{ maxSize: 40, max: 12 }, 2], [{ maxSize: 100, max: 30 }, 3], [{ maxSize: 300 }, 4]];
  for (const [options, seed] of cases) {
    const ours = new Cache({ ...options, eviction: 'lru', sizeCalculation: sizeOf });
    const real = new Real({ ...options, sizeCalculation: sizeOf });
    const [calls, stop] = countStoreSets(ours);
    const label = JSON.stringify(options);
    let writes;
    try {
      writes = sizedRun(ours, real, seed, label, (c) => c.stats().bytes);
    } finally {
      stop();
    }
    // (So that the ring's writes are what this checks: a case that always called would pass.)
    assert.ok(calls() < 0.8 * writes, `${label}: ${calls()} calls for ${writes} writes`);
  }
});

test('queued sizes survive the memory growing under the views, a load, a reentrant sizeCalculation and free()', () => {
  // Queued below the bound, then the memory grows (another cache's arrays): the views
  // detach, the queued sizes still count.
  const c = new Cache({ maxSize: 20, max: 100, eviction: 'lru', sizeCalculation: sizeOf });
  const real = new Real({ maxSize: 20, max: 100, sizeCalculation: sizeOf });
  const write = (k, v) => {
    c.set(k, v);
    real.set(k, v);
  };
  for (const k of 'abcd') write(k, 'vvvv');
  const big = new Cache({ max: 200_000, eviction: 'lru' });
  for (let i = 0; i < 200_000; i++) big.set(`b${i}`, i);
  for (const k of 'efgh') write(k, 'vvv');
  assert.deepEqual([...c.keys()], [...real.keys()]);
  assert.equal(c.stats().bytes, real.calculatedSize);
  big.free();
  // A load replaces the store (and its views); writes go on from what it holds.
  c.load(c.dump());
  for (const k of 'ijk') write(k, 'vv');
  assert.deepEqual([...c.keys()], [...real.keys()]);
  assert.equal(c.stats().bytes, real.calculatedSize);
  // A sizeCalculation that writes the same cache runs before the write is decided.
  let nested = 0;
  const r = new Cache({
    maxSize: 12,
    eviction: 'lru',
    sizeCalculation: (v, k) => {
      if (k.startsWith('x') && nested++ < 3) r.set(`in${nested}`, 'ww');
      return v.length;
    },
  });
  for (const k of ['x1', 'x2', 'x3', 'y']) r.set(k, 'vv');
  assert.deepEqual([...r.keys()], ['y', 'x3', 'in3', 'x2', 'in2', 'x1']);
  assert.equal(r.stats().bytes, 12);
  r.set('z', 'vv');
  assert.equal(r.has('x1'), false, 'full: the oldest left for the new one');
  // After free() a write throws and crashes nothing.
  c.free();
  assert.throws(() => c.set('after', 'v'), { name: 'CacheTrappedError' });
});
