// free() in Node, beyond what tests/js/bounds.mjs checks in every runtime: what may still
// be running when a cache is freed. A purge timer (ttlAutopurge) must not fire into the
// freed store (its throw would be uncaught and end the process); a fetch in flight
// settles as a rejected promise; a dispose callback may free its own cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache, CacheTrappedError, LRUCache } from 'polycache';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('a freed LRUCache with ttlAutopurge: its purge timers do not fire into it', async () => {
  const c = new LRUCache({ max: 10, ttl: 20, ttlAutopurge: true });
  c.set('a', 1);
  c.set('b', 2, { ttl: 5 });
  c.free();
  await sleep(80); // past both lifetimes: an uncaught throw would fail this test
  assert.throws(() => c.get('a'), CacheTrappedError);
});

test('a fetch in flight when its cache is freed rejects with CacheTrappedError', async () => {
  for (const Class of [Cache, LRUCache]) {
    let resolve;
    const c = new Class({ max: 10, fetchMethod: () => new Promise((r) => (resolve = r)) });
    const pending = c.fetch('k');
    c.free();
    resolve('v');
    await assert.rejects(pending, (e) => e instanceof CacheTrappedError && /was freed/.test(e.message), Class.name);
  }
});

test('a dispose callback that frees its cache: the write that evicted throws, nothing else', () => {
  const c = new LRUCache({ max: 2, dispose: () => c.free() });
  c.set('a', 1).set('b', 2);
  assert.throws(() => c.set('c', 3), /this LRUCache was freed/);
  assert.throws(() => c.set('d', 4), CacheTrappedError);
});
