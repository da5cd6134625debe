// Node starts the stores' wasm memories with room (bindings-js/js/wasm-room.js), which the
// allocator takes before it grows anything (bindings-js/src/grow.rs): a program's caches
// then never grow the memory, so no ArrayBuffer of theirs is ever detached (the first
// detached in a process makes every typed-array access in it check for it; see
// bindings-js/wasm-memory.mjs). Past the room the memory grows as before. The modules
// as shipped keep their linked size (17 pages; workerd keeps it), padded to five bytes for the rewrite.
// In a process of its own (node --test runs each file apart): it reads the memories' first state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Cache, LRUCache } from 'polycache';
import { readLeb } from '../../bindings-js/wasm-features.mjs';
import { initialPagesAt } from '../../bindings-js/wasm-memory.mjs';
import { STORE_PAGES, roomy } from '../../bindings-js/js/wasm-room.js';

const MEMORY = Symbol.for('polycache.storeMemory');
const PAGE = 64 << 10;
const bytes = (name) => readFileSync(new URL(`../../dist/${name}`, import.meta.url));
const pagesOf = (module) => new WebAssembly.Instance(module).exports.memory.buffer.byteLength / PAGE;

test('the modules as built keep their linked pages, in five bytes; roomy raises them in place', () => {
  for (const name of ['polycache_wasm_bg.wasm', 'polycache_lrustore_bg.wasm', 'polycache_codec_bg.wasm']) {
    const wasm = bytes(name);
    const at = initialPagesAt(wasm);
    const five = [...wasm.subarray(at, at + 5)];
    assert.ok(five.slice(0, 4).every((b) => b >= 0x80) && five[4] < 0x80, `${name}: five bytes, ${five}`);
    const [pages] = readLeb(wasm, at);
    // As linked: the stack and the data, far short of the room the entry points give.
    assert.ok(pages > 0 && pages < STORE_PAGES / 4, `${name}: ${pages} pages`);
    if (name === 'polycache_codec_bg.wasm') continue; // (it imports its glue's functions)
    assert.equal(pagesOf(new WebAssembly.Module(wasm)), pages);
    const raised = roomy(Uint8Array.from(wasm), 300);
    assert.equal(raised.length, wasm.length, 'rewritten in place');
    assert.equal(pagesOf(new WebAssembly.Module(raised)), 300);
  }
});

test("a module whose pages are not in five bytes is left as it is", () => {
  // (module (memory 17)): one byte of pages.
  const plain = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 17]);
  assert.deepEqual(roomy(Uint8Array.from(plain), 256), plain);
});

test("a program's caches fill their room without growing the memory, and grow it past it", () => {
  const memory = Cache[MEMORY];
  const caches = [];
  const first = new Cache({ max: 10_000, eviction: 'lru' });
  const buffer = memory.buffer;
  assert.equal(buffer.byteLength, STORE_PAGES * PAGE, 'Node starts the store with its room');
  caches.push(first);
  for (let c = 0; c < 8; c++) {
    const cache = new Cache({ max: 10_000, ttl: 60_000, eviction: c % 2 ? 'lru' : 'adaptive' });
    for (let i = 0; i < 20_000; i++) cache.set(`k${c}:${i}`, i);
    caches.push(cache);
  }
  const lru = new LRUCache({ max: 10_000, ttl: 60_000 });
  for (let i = 0; i < 20_000; i++) lru.set(`k${i}`, i);
  assert.equal(LRUCache[MEMORY].buffer.byteLength, STORE_PAGES * PAGE, "the LRUCache's store too");
  assert.equal(memory.buffer, buffer, 'the same ArrayBuffer: the memory never grew, nothing was detached');

  // Past the room: the allocator grows the memory, extending its heap, and every cache goes on.
  const big = new Cache({ max: 300_000, eviction: 'lru' });
  for (let i = 0; i < 300_000; i++) big.set(`b${i}`, i);
  assert.ok(memory.buffer.byteLength > STORE_PAGES * PAGE, 'grown');
  assert.equal(buffer.byteLength, 0, 'the old buffer detached');
  let hits = 0;
  for (let i = 0; i < 300_000; i++) if (big.get(`b${i}`) === i) hits++;
  assert.equal(hits, 300_000);
  assert.equal(caches[8].get('k7:19999'), 19_999);
  first.set('f', 1);
  assert.equal(first.get('f'), 1);
  assert.equal(lru.get('k19999'), 19_999);
});

test("Node's other entries raise the stores' pages too: CommonJS and polycache/lru-cache", async () => {
  const cjs = createRequire(import.meta.url)('polycache');
  new cjs.Cache({ max: 10 });
  new cjs.LRUCache({ max: 10 });
  const dropIn = await import('polycache/lru-cache');
  new dropIn.LRUCache({ max: 10 });
  for (const [what, Class] of [['CommonJS Cache', cjs.Cache], ['CommonJS LRUCache', cjs.LRUCache], ['polycache/lru-cache', dropIn.LRUCache]]) {
    assert.ok(Class[MEMORY].buffer.byteLength >= STORE_PAGES * PAGE, `${what}: ${Class[MEMORY].buffer.byteLength / PAGE} pages`);
  }
});
