// What a cache bounded by size alone (`maxSize`, no `max`) or by nothing but lifetimes (an
// LRUCache with `ttl` and `ttlAutopurge`) costs in wasm memory when made: before session
// 10 the store laid out 65,536 entries for it, 3 MiB each, in a memory that never
// shrinks (a few hundred such caches, and the next one trapped). Measured as the store
// module's WebAssembly.Memory byteLength around the constructors, in a process of its
// own (node --test runs each file apart).
import { test } from 'node:test';
import { Cache, LRUCache } from 'polycache';
import { eq, ok } from './assert.mjs';

const MANY = 100;
const weigh = (v) => 1 + (v % 4);

/** Wasm memory (bytes) `make()` grows per cache, over MANY caches kept alive. */
function perCache(cls, make) {
  make(); // the module and its first allocations
  const memory = cls[Symbol.for('polycache.storeMemory')];
  const before = memory.buffer.byteLength;
  const kept = Array.from({ length: MANY }, make);
  const grown = (memory.buffer.byteLength - before) / MANY;
  eq(kept.length, MANY);
  return grown;
}

test('a Cache bounded by size alone lays out no entries up front', () => {
  const lru = perCache(Cache, () => new Cache({ maxSize: 1000, sizeCalculation: weigh, eviction: 'lru' }));
  ok(lru <= 32 << 10, `an LRU Cache of maxSize 1000 grew wasm memory by ${lru} bytes`);
  // The adaptive policy's frequency sketch is laid out whole (128 KiB at most).
  const adaptive = perCache(Cache, () => new Cache({ maxSize: 1000, sizeCalculation: weigh }));
  ok(adaptive <= 192 << 10, `an adaptive Cache of maxSize 1000 grew wasm memory by ${adaptive} bytes`);
});

test('an LRUCache bounded by size or lifetimes alone lays out no entries up front', () => {
  const sized = perCache(LRUCache, () => new LRUCache({ maxSize: 1000, sizeCalculation: weigh }));
  ok(sized <= 32 << 10, `an LRUCache of maxSize 1000 grew wasm memory by ${sized} bytes`);
  const timed = perCache(LRUCache, () => new LRUCache({ ttl: 60_000, ttlAutopurge: true }));
  ok(timed <= 32 << 10, `an LRUCache with ttlAutopurge grew wasm memory by ${timed} bytes`);
});

test('caches bounded by size grow their arrays as keys arrive and keep the bound', () => {
  for (const c of [new Cache({ maxSize: 5000, sizeCalculation: weigh, eviction: 'lru' }), new LRUCache({ maxSize: 5000, sizeCalculation: weigh })]) {
    let weight = 0;
    for (let i = 0; i < 20_000; i++) c.set(`k${i}`, i);
    // The newest keys that fit are held, and nothing older.
    let held = 0;
    for (let i = 19_999; i >= 0 && c.get(`k${i}`) === i; i--) {
      held++;
      weight += weigh(i);
    }
    eq(c.size, held, `${c.constructor.name}: only the newest keys are held`);
    eq(c.calculatedSize, weight);
    ok(weight <= 5000 && weight > 5000 - 4, `${c.constructor.name}: ${weight} of maxSize 5000`);
  }
});

// Session 16: an LRUCache's store lays out a slot's age and fresh-until time only once
// the cache has a lifetime, and its size only once one is not 0 (bindings-js/src/lru.rs,
// whose tests check each array): a cache with neither holds the core's entry and links
// per slot, ~52 bytes (84 before). The memory grows by an eighth at a time, so an
// average over many caches moves by a few bytes an entry: the bound leaves room for it.
test('an LRUCache holds no ages or sizes per entry until it has one', () => {
  const filled = () => {
    const c = new LRUCache({ max: 10_000 });
    for (let i = 0; i < 10_000; i++) c.set(i, i);
    return c;
  };
  const perEntry = perCache(LRUCache, filled) / 10_000;
  ok(perEntry <= 64, `a full LRUCache of max 10,000 took ${perEntry} bytes of wasm memory per entry`);
});
