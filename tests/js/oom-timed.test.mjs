// A timed rewrite the Cache queued in the ring (cache.js #queueTimed) is made by the store
// later, in whatever call replays the ring: when that replay runs out of wasm memory (the
// expiry index grows), the cache fails as a call that trapped does (oom.test.mjs): the
// same CacheTrappedError on every later call, other caches unaffected.
//
// Node only, in a process of its own: it grows the store module's memory to the wasm32
// limit, which no other test should share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache, CacheTrappedError } from 'polycache';
import { START } from './model.mjs';

const PAGE = 64 << 10;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

test('a queued timed rewrite whose replay runs out of wasm memory poisons its cache only', () => {
  const memory = Cache[Symbol.for('polycache.storeMemory')];
  const bystander = new Cache({ max: 10 });
  bystander.set('b', 'still here');
  const clock = { t: START };
  const n = 20_000;
  const victim = new Cache({ max: n, ttl: 60_000, eviction: 'lru', now: () => clock.t });
  for (let i = 0; i < n; i++) victim.set(`k${i}`, i);
  victim.set('k0', 0); // a call at this `now`: the store keeps its expiry for the queued ones
  // No page left to grow into, and the room the allocator holds (the Node entry starts
  // the store with 16 MiB, bindings-js/js/wasm-room.js) taken by caches made until one
  // cannot be: the expiry index (a record per rewrite) cannot grow.
  memory.grow(MAX_PAGES - memory.buffer.byteLength / PAGE);
  const fillers = [];
  assert.throws(() => {
    for (;;) fillers.push(new Cache({ max: 1000 }));
  }, CacheTrappedError);
  let thrown;
  let i = 0;
  for (let round = 0; round < 4 && thrown === undefined; round++) {
    for (i = 0; i < n; i++) {
      try {
        victim.set(`k${i}`, -i);
      } catch (e) {
        thrown = e;
        break;
      }
    }
  }
  assert.ok(thrown instanceof CacheTrappedError, `a queued write's replay trapped: ${thrown}`);
  assert.match(thrown.message, /trapped.*build a new Cache/);
  for (const attempt of [() => victim.get('k1'), () => victim.set('k1', 1), () => victim.has('k1'), () => victim.stats()]) {
    assert.throws(attempt, CacheTrappedError);
  }
  assert.equal(bystander.get('b'), 'still here', 'another cache is not affected');
});
