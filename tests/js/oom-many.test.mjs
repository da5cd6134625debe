// Many caches, and an LRUCache, against the wasm32 memory limit. A store's wasm memory
// comes back only when JS has collected its cache and run its finalizer, after the
// current task, so a loop that makes caches holds all of theirs until it ends: each
// must take little (a ring as long as its bound, a key buffer shared by all: views.rs),
// and when the memory is gone, making a cache fails with CacheTrappedError saying so,
// not a bare RuntimeError.
//
// Node only, in a process of its own (node --test runs each file apart): it grows the
// modules' memories to the wasm32 limit, which no other test should share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache, CacheTrappedError, LRUCache } from 'polycache';

const PAGE = 64 << 10;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
const memoryOf = (Class) => Class[Symbol.for('polycache.storeMemory')];

/** Grows `memory` so that only `spare` pages are left to grow into. */
function exhaust(memory, spare) {
  memory.grow(MAX_PAGES - spare - memory.buffer.byteLength / PAGE);
}

// Before session 15 each took ~8.3 KB: a 512-operation ring and a 4 KiB key buffer of
// its own, and the adaptive policy's state inline in every store.
const MAKERS = [
  ['Cache (adaptive)', Cache, () => new Cache({ max: 10 })],
  ["Cache ('lru')", Cache, () => new Cache({ max: 10, eviction: 'lru' })],
  ['LRUCache', LRUCache, () => new LRUCache({ max: 10 })],
];

test('a small cache takes a small share of wasm memory', () => {
  const keep = [];
  for (const [what, Class, make] of MAKERS) {
    const use = () => {
      const c = make();
      c.set('a', 1);
      assert.equal(c.get('a'), 1);
      c.set('b', 2);
      keep.push(c);
    };
    for (let i = 0; i < 100; i++) use();
    const n = 4000;
    const before = memoryOf(Class).buffer.byteLength;
    for (let i = 0; i < n; i++) use();
    const perCache = (memoryOf(Class).buffer.byteLength - before) / n;
    assert.ok(perCache < 3000, `${what}: ${perCache.toFixed(0)} bytes of wasm memory per cache of 10`);
  }
});

test('the store module grows its memory in steps, not a page at a time', () => {
  // Each growth can cost a full GC in V8 (bindings-js/src/grow.rs): 50,000 caches of 10
  // kept in a loop (~110 MB) grew the memory ~1,700 times with talc's own source.
  const memory = memoryOf(Cache);
  const keep = [];
  let buffer = memory.buffer;
  let growths = 0;
  for (let i = 0; i < 50_000; i++) {
    const c = new Cache({ max: 10 });
    c.set('a', i);
    keep.push(c);
    if (memory.buffer !== buffer) {
      growths++;
      buffer = memory.buffer;
    }
  }
  assert.ok(buffer.byteLength > 100 << 20, `${buffer.byteLength} bytes`);
  assert.ok(growths < 100, `${growths} growths`);
  assert.equal(keep[49_999].get('a'), 49_999);
});

test('making a cache with no wasm memory left throws CacheTrappedError; caches made before go on', () => {
  for (const [what, Class, make] of MAKERS.slice(1)) {
    const bystander = make();
    bystander.set('b', 'still here');
    // 3 MiB left: the allocator's growths come down by halves to what fits, the last
    // ending at the wasm32 limit (grow.rs), then fail. The error comes within a few MiB.
    exhaust(memoryOf(Class), 48);
    let thrown;
    for (let i = 0; i < 100_000 && thrown === undefined; i++) {
      try {
        make();
      } catch (e) {
        thrown = e;
      }
    }
    const name = Class === Cache ? 'Cache' : 'LRUCache';
    assert.ok(thrown instanceof CacheTrappedError, `${what}: ${thrown && thrown.stack}`);
    assert.match(thrown.message, new RegExp(`^making a ${name} trapped \\(.+\\), most likely out of wasm memory; dropped caches`));
    assert.throws(make, CacheTrappedError, `${what}: and the next`);
    assert.equal(bystander.get('b'), 'still here', `${what}: a cache made before answers`);
    assert.equal(bystander.has('b'), true);
  }
});
