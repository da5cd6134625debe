// A wasm out-of-memory trap in the middle of a call. wasm-bindgen borrows the object for
// the call and a trap never gives the borrow back, so before the fix every later call on
// that cache failed with "recursive use of an object detected which would lead to unsafe
// aliasing in rust". Now a cache whose store trapped throws CacheTrappedError, the same
// clear error every time, and other caches go on working. A trap in the snapshot and key
// module (its own wasm memory) fails that call clearly and leaves the cache as it was.
//
// Node only, in a process of its own (node --test runs each file apart): it grows each
// module's memory to the wasm32 limit, which no other test should share.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as lib from 'polycache';

// Node's entry loads the snapshot and key module's glue with require, on first use: the
// same module object here.
const { initSync: codecInit } = createRequire(import.meta.url)('../../dist/polycache_codec.cjs');

const PAGE = 64 << 10;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

/** Grows the module's memory so that only `spare` pages are left to grow into. */
function exhaust(memory, spare) {
  const have = memory.buffer.byteLength / PAGE;
  memory.grow(MAX_PAGES - spare - have);
}

function trapped(attempt, pattern, what) {
  assert.throws(attempt, (e) => {
    assert.ok(e instanceof lib.CacheTrappedError, `${what}: ${e && e.name}: ${e && e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a cache whose store ran out of wasm memory fails clearly every time; other caches go on', () => {
  const memory = lib.Cache[Symbol.for('polycache.storeMemory')];
  assert.ok(memory instanceof WebAssembly.Memory, "the store module's memory");
  const bystander = new lib.Cache({ max: 10 });
  bystander.set('b', 'still here');
  const victim = new lib.Cache({ max: 10 });
  victim.set('k', 1);
  // A namespace name crosses into wasm: 32 MiB of it, with 16 MiB left to grow into.
  exhaust(memory, 256);
  const attempts = [
    () => victim.namespace('n'.repeat(32 << 20)).get('k'),
    () => victim.get('k'),
    () => victim.set('small', 1),
    () => victim.has('k'),
    () => victim.namespace('ns').get('k'),
    () => victim.stats(),
    () => victim.snapshot(),
  ];
  for (const [i, attempt] of attempts.entries()) trapped(attempt, /trapped.*build a new Cache/, `attempt ${i}`);
  assert.equal(bystander.get('b'), 'still here', 'another cache is not affected');
  bystander.set('c', 1);
  assert.deepEqual([...bystander.keys()].sort(), ['b', 'c']);
});

test('a snapshot that runs the snapshot module out of wasm memory fails clearly; the cache is unchanged', () => {
  const KEY = 'the oom test key, 16 bytes+';
  new lib.Cache({ max: 1 }).snapshot(); // the module is loaded on first use
  const codec = codecInit({ module: new Uint8Array(0) });
  const victim = new lib.Cache({ max: 10 });
  victim.set('big', new Uint8Array(10 << 20).fill(7));
  victim.set('other', 'x');
  // The value is copied into wasm (10 MiB of 16 MiB left), then into the output: out of memory.
  exhaust(codec.memory, 256);
  trapped(() => victim.snapshot({ key: KEY }), /snapshot and key module.*trapped.*the cache is unchanged/, 'snapshot');
  assert.equal(victim.get('big').length, 10 << 20, 'the cache still answers');
  assert.deepEqual([...victim.keys()].sort(), ['big', 'other']);
  victim.set('after', 2);
  assert.equal(victim.get('after'), 2, 'and still takes writes');
  // The module goes on for snapshots that fit.
  const small = new lib.Cache({ max: 10 });
  small.set('a', 'b');
  const copy = new lib.Cache({ max: 10 });
  assert.deepEqual(copy.loadSnapshot(small.snapshot({ key: KEY }), { key: KEY }), { verified: true, entries: 1 });
  assert.equal(copy.get('a'), 'b');
  assert.equal(lib.shortenKey('k'.repeat(300), 100).length, 100, 'the key functions too');
});
