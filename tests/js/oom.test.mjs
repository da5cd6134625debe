// A wasm out-of-memory trap in the middle of a cache call. wasm-bindgen borrows the
// store for the call and a trap never gives the borrow back, so before the fix every
// later call on that cache failed with "recursive use of an object detected which would
// lead to unsafe aliasing in rust". Now the trapped cache throws CacheTrappedError, the
// same clear error every time, and other caches go on working.
//
// Node only, in a process of its own (node --test runs each file apart): it grows the
// module's memory to the wasm32 limit, which no other test should share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lib from 'polycache';
import { initSync } from '../../dist/polycache_wasm.js';

const PAGE = 64 << 10;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

/** Grows the module's memory so that only `spare` pages are left to grow into. */
function exhaust(memory, spare) {
  const have = memory.buffer.byteLength / PAGE;
  memory.grow(MAX_PAGES - spare - have);
}

test('a cache whose wasm call ran out of memory fails clearly every time; other caches go on', () => {
  const wasm = initSync({ module: new Uint8Array(0) }); // already initialised: returns its exports
  assert.ok(wasm.memory instanceof WebAssembly.Memory, 'the module exports its memory');
  const bystander = new lib.Cache({ max: 10 });
  bystander.set('b', 'still here');
  const victim = new lib.Cache({ max: 10 });
  // 10 MiB crosses into wasm (16 MiB left), then the snapshot copies it again: out of memory.
  victim.set('big', new Uint8Array(10 << 20).fill(7));
  exhaust(wasm.memory, 256);
  const attempts = [
    () => victim.snapshot(),
    () => victim.get('big'),
    () => victim.set('small', 1),
    () => victim.has('big'),
    () => victim.namespace('ns').get('k'),
    () => victim.stats(),
  ];
  for (const [i, attempt] of attempts.entries()) {
    assert.throws(attempt, (e) => {
      assert.ok(e instanceof lib.CacheTrappedError, `attempt ${i}: ${e && e.name}: ${e && e.message}`);
      assert.match(e.message, /trapped.*build a new Cache/);
      return true;
    });
  }
  assert.equal(bystander.get('b'), 'still here', 'another cache is not affected');
  bystander.set('c', 1);
  assert.deepEqual([...bystander.keys()], ['c', 'b']);
});
