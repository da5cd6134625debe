// An LRUCache whose store traps (out of wasm memory) fails as a Cache does (oom.test.mjs):
// the same CacheTrappedError on every later call, gets included (they read views on the
// store's memory, dropped at the trap), and other caches go on.
//
// Node only, in a process of its own (node --test runs each file apart): it grows the
// LRUCache's store module's memory to the wasm32 limit, which no other test should share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CacheTrappedError, LRUCache } from 'polycache';

const PAGE = 64 << 10;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

test('an LRUCache whose store ran out of wasm memory fails clearly every time; other caches go on', async () => {
  const dispose = [];
  const bystander = new LRUCache({ max: 10, dispose: (v, k, r) => dispose.push(r) });
  bystander.set('b', 'still here');
  // Past 1 << 16: its arrays grow as it fills. Its purge timers must not fire into the
  // poisoned store (their throw would be uncaught: checked at the end).
  const victim = new LRUCache({ max: 1 << 20, ttl: 40, ttlAutopurge: true });
  const memory = LRUCache[Symbol.for('polycache.storeMemory')];
  memory.grow(MAX_PAGES - 16 - memory.buffer.byteLength / PAGE); // 1 MiB left
  let thrown;
  let held = 0;
  for (let i = 0; i < 1 << 20 && thrown === undefined; i++) {
    try {
      victim.set(`k${i}`, i);
      held = i;
    } catch (e) {
      thrown = e;
    }
  }
  assert.ok(thrown instanceof CacheTrappedError, `a write trapped: ${thrown && thrown.stack}`);
  assert.match(thrown.message, /^a WebAssembly call of this cache trapped \(.+\), most likely out of wasm memory; build a new LRUCache$/);
  assert.ok(held > 1000, `${held} entries went in first`);
  const attempts = [
    () => victim.get('k1'),
    () => victim.get(`k${held}`),
    () => victim.set('k1', 1),
    () => victim.set('new', 1),
    () => victim.has('k1'),
    () => victim.peek('k1'),
    () => victim.delete('k1'),
    () => [...victim.keys()],
    () => victim.pop(),
  ];
  for (const [i, attempt] of attempts.entries()) {
    assert.throws(attempt, (e) => e instanceof CacheTrappedError && /build a new LRUCache/.test(e.message), `attempt ${i}`);
  }
  assert.equal(bystander.get('b'), 'still here', 'another cache is not affected');
  bystander.set('b', 'replaced');
  assert.equal(bystander.get('b'), 'replaced');
  assert.deepEqual(dispose, ['set']);
  await new Promise((resolve) => setTimeout(resolve, 120)); // past the victim's ttl
});
