// The Cache's add, touch, getRemainingTTL and purgeStale come with the extras on first
// use in Node (cache-rare.js, lazy-bundle.mjs), as dump and fetch do (lazy-extras.test.mjs):
// importing and getting and setting does not read dist/polycache_extras.cjs; the first of
// them does, once, and each then works on the cache's own state, with the package's own
// error classes. In a process of its own (node --test runs each file apart).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readsOf } from './file-reads.mjs';
import { Cache, CacheKeyError, CacheTimeoutError } from 'polycache';

const readBundle = () => readsOf('/dist/polycache_extras.cjs');

test('add, touch, getRemainingTTL and purgeStale load the extras once, and work', () => {
  let now = 1_000;
  const c = new Cache({ max: 10, ttl: 100, now: () => now });
  c.set('a', 1);
  assert.equal(c.get('a'), 1);
  assert.equal(readBundle(), 0, 'importing, setting and getting left it unread');

  assert.equal(c.add('a', 2), false, 'a live key is kept');
  assert.equal(readBundle(), 1, 'add() read it');
  assert.equal(c.get('a'), 1);
  assert.equal(c.add('b', 3, { ttl: 10 }), true);
  assert.equal(c.get('b'), 3);
  assert.throws(() => c.add(7, 1), (e) => e instanceof CacheKeyError, "the package's own error class");
  assert.throws(() => c.add('c', 1, { ttl: 'soon' }), (e) => e instanceof CacheTimeoutError);
  assert.equal(c.get('c'), undefined, 'a refused add stores nothing');

  assert.equal(c.getRemainingTTL('a'), 100);
  now += 50;
  assert.equal(c.touch('a', { ttl: 500 }), true);
  assert.equal(c.getRemainingTTL('a'), 500);
  assert.equal(c.touch('nope'), false);

  now += 20; // 'b' (10 ms) has expired; 'a' has 480 ms left
  assert.equal(c.purgeStale(), true);
  assert.equal(c.size, 1);
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.purgeStale(), false, 'nothing left to reclaim');
  assert.equal(readBundle(), 1, 'read once');
});
