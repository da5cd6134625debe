// Sizes side by side with the real lru-cache 11: whatever sizeCalculation or `size`
// returns, polycache accepts and refuses what lru-cache does (a TypeError), so a
// maxSize-bound cache can never hold entries that count for nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LRUCache } from 'lru-cache';
import { Cache } from 'polycache';

const SIZES = [1, 7, 0, -1, 1.5, NaN, Infinity, -Infinity, '3', null, undefined];

function outcome(make) {
  const cache = make();
  try {
    cache.set('k', 'v');
  } catch (e) {
    return { threw: e instanceof TypeError, size: cache.size };
  }
  return { threw: false, size: cache.size, calculated: cache.calculatedSize };
}

test('sizeCalculation results: polycache refuses exactly what lru-cache refuses', () => {
  for (const size of SIZES) {
    const sizeCalculation = () => size;
    const theirs = outcome(() => new LRUCache({ maxSize: 100, sizeCalculation }));
    const ours = outcome(() => new Cache({ maxSize: 100, sizeCalculation }));
    assert.deepEqual(ours, theirs, `sizeCalculation -> ${String(size)}`);
  }
});

test('size options: polycache refuses exactly what lru-cache refuses', () => {
  for (const size of SIZES) {
    const run = (cache) => {
      try {
        cache.set('k', 'v', { size });
      } catch (e) {
        return { threw: e instanceof TypeError, size: cache.size };
      }
      return { threw: false, size: cache.size, calculated: cache.calculatedSize };
    };
    assert.deepEqual(run(new Cache({ maxSize: 100 })), run(new LRUCache({ maxSize: 100 })), `size ${String(size)}`);
    const withCalc = { maxSize: 100, sizeCalculation: () => 5 };
    assert.deepEqual(run(new Cache(withCalc)), run(new LRUCache(withCalc)), `size ${String(size)} with sizeCalculation`);
  }
});
