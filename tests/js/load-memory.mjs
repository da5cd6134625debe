// A load goes to the store a part at a time (persist.js PART, slots_persist.rs
// `load_all`): the store module's memory, which never shrinks, holds one part of the input
// and a scratch store the size of the cache, whatever the input's size. Session 25's first
// one-call load took the whole input at once: 200,000 entries into a cache of 100 grew
// that memory by 50 MB, for good. Each eviction runs in a test file of its own (a process
// of its own: memory one test grew, the next would reuse).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from 'polycache';

const MEMORY = Symbol.for('polycache.storeMemory');
const N = 200_000;

export function loadMemoryTest(eviction) {
  test(`a load of ${N.toLocaleString('en')} entries into a cache of 100 (${eviction}) grows the store's memory by a part, not by the input`, () => {
    const entries = Array.from({ length: N }, (_, i) => [`key:${i}`, { value: i }]);
    const cache = new Cache({ max: 100, eviction });
    cache.set('warm', 1); // (the module instantiated, its memory laid out)
    const memory = Cache[MEMORY];
    const before = memory.buffer.byteLength;
    cache.load({ format: 'polycache', version: 1, entries });
    const grown = memory.buffer.byteLength - before;
    assert.ok(grown <= 4 * 1024 * 1024, `grew by ${grown} bytes`);
    assert.equal(cache.size, 100);
    assert.equal(cache.stats().entries, 100);
    if (eviction === 'lru') {
      // An LRU scratch store keeps the last ones, as they came.
      assert.deepEqual([...cache.keys()].sort(), entries.slice(N - 100).map((e) => e[0]).sort());
    }
    // Every key the cache answers is one it holds, with its own value.
    for (const key of cache.keys()) assert.equal(cache.get(key), Number(key.slice(4)));
    // And it goes on: new keys take the slots the load handed back.
    for (let i = 0; i < 300; i++) cache.set(`new:${i}`, i);
    assert.equal(cache.size, 100);
    assert.equal(cache.get('new:299'), 299);
  });
}
