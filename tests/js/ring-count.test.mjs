// The Cache keeps the count of the operations waiting in its store's ring in a JS field,
// and writes it into the ring (ring[0]) only just before a store call, each of which
// replays the ring (slot-store.js's OWNER, bindings-js/src/views.rs). What could go
// wrong: a store method that does not replay (the count written, then overwritten by
// the next gets), a call that goes out without the count (hits lost), the count
// written through a view the memory's growth detached, a clock or sizeCalculation
// that reads the same cache in between, and a load that replaces the store while hits
// wait. Each run checks answers, order and counters against the model or lru-cache 11.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LRUCache as Real } from 'lru-cache';
import { Cache } from 'polycache';
import * as glue from '../../dist/polycache_wasm.js';
import { Model, START, rng } from './model.mjs';

const RING = 512; // bindings-js/src/views.rs
const memory = Cache[Symbol.for('polycache.storeMemory')];

test('ring count: every store method replays the ring, so the count sent before it is used up', async () => {
  glue.initSync({ module: readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)) });
  const { NO_REPLAY, OWNER, SEND_COUNT, SENT_BY_CALLER, SlotStore } = await import('../../bindings-js/js/slot-store.js');
  const now = Date.now();
  // Each method with arguments it accepts; every method of the prototype must be here.
  const calls = {
    add: [20, 0, 0, 0, now],
    carry_counters: [null],
    clear: [],
    delete: [3, now],
    entries: [now],
    expiries_len: [],
    expiries_ptr: [],
    generation: ['ns'],
    generation_floor: [],
    generation_names: [],
    generation_values: [],
    generation_values_exact: [],
    get: [1, now],
    has: [1, now],
    invalidate: ['ns'],
    key_ptr: [],
    keys: [now],
    len: [],
    load: [new Uint32Array([30]), new Float64Array([0]), new Float64Array([Infinity]), 1n, [], new BigUint64Array(0), now],
    namespace_prefix: ['ns'],
    next_key: ['k'],
    next_key_at: [0],
    purge: [now],
    recycle: [],
    recycle_until: [0, 0, now],
    remaining: [1, now],
    ring_ptr: [],
    set: [21, 0, 0, 0, now],
    stats: [],
    sync: [],
    take_dead: [],
    take_error: [],
    touch: [2, 0, 0, now],
    free: [],
  };
  const methods = Object.getOwnPropertyNames(SlotStore.prototype).filter((m) => m !== 'constructor' && !m.startsWith('__'));
  assert.deepEqual(methods.toSorted(), Object.keys(calls).toSorted(), 'a method without a case here');
  for (const [name, args] of Object.entries(calls)) {
    const store = new SlotStore(16, undefined, undefined, 0, 0, new Uint32Array(8).fill(7), false, 64);
    for (let slot = 0; slot < 12; slot++) store.set(slot, 0, 0, 0, now);
    const at = store.ring_ptr();
    // (The glue's own instance of the module: the package's bundle holds another.)
    const ring = () => new Int32Array(glue.wasm_memory().buffer, at, RING + 1);
    // Three hits queued the Cache's way: the entries written, the count kept apart.
    let queued = 0;
    store[OWNER] = {
      [SEND_COUNT]() {
        ring()[0] = queued;
        queued = 0;
      },
    };
    const view = ring();
    for (const slot of [5, 6, 7]) view[++queued] = slot;
    const other = new SlotStore(4, undefined, undefined, 0, 0, new Uint32Array(8).fill(7), false, 8);
    const hits = store.stats()[0] - 0; // (replays nothing yet: the count is not sent)
    assert.equal(queued, 0, `${name}: stats sent the count`);
    for (const slot of [5, 6, 7]) view[++queued] = slot;
    if (SENT_BY_CALLER.has(name)) store[OWNER][SEND_COUNT](); // (as cache.js does)
    store[name](...args.map((a) => (a === null ? other : a)));
    if (name === 'free') continue;
    assert.equal(ring()[0], 0, `${name} replayed the ring, or was not sent its count`);
    assert.equal(queued, NO_REPLAY.has(name) ? 3 : 0, `${name}: the count sent before a call that replays`);
    const own = name === 'get' ? 1 : 0; // (a get counts its own hit)
    assert.equal(store.stats()[0], hits + 3 + own, `${name}: the three hits counted once`);
    other.free();
    store.free();
  }
});

test('ring count: hits waiting in the ring reach every kind of store call, also after the memory grows', () => {
  const r = rng(41);
  const clock = { t: START };
  const cache = new Cache({ max: 60, eviction: 'lru', now: () => clock.t });
  const model = new Model(() => clock.t, { max: 60, defaultTtl: Infinity });
  const neighbour = new Cache({ max: 5000, eviction: 'lru' }); // shares the memory
  const real = new Real({ max: 60 });
  for (let i = 0; i < 30 * RING; i++) {
    const key = `c${Math.floor(r() * 90)}`;
    const x = r();
    if (x < 0.6) {
      assert.equal(cache.get(key), model.get(key), `get(${key}) at ${i}`);
      real.get(key);
    } else if (x < 0.8) {
      cache.set(key, i);
      model.set(key, i);
      real.set(key, i);
    } else if (x < 0.83) assert.equal(cache.peek(key), model.peek(key), `peek at ${i}`);
    else if (x < 0.86) assert.equal(cache.has(key), model.peek(key) !== undefined, `has at ${i}`);
    else if (x < 0.88) {
      assert.equal(cache.delete(key), model.delete(key), `delete at ${i}`);
      real.delete(key);
    } else if (x < 0.9) {
      // A write that is a call (an option), then Django's add.
      cache.set(key, -i, { ttl: 0 });
      model.set(key, -i, { ttl: 0 });
      real.set(key, -i);
      assert.equal(cache.add(`${key}+`, i), model.add(`${key}+`, i), `add at ${i}`);
      if (!real.has(`${key}+`)) real.set(`${key}+`, i);
    } else if (x < 0.92) assert.equal(cache.getRemainingTTL(key), model.remaining(key), `ttl at ${i}`);
    else if (x < 0.94) {
      assert.equal(cache.namespace('n').get(key), undefined);
      model.misses += 1; // (a key of its own, never written)
    }
    else if (x < 0.96) for (let j = 0; j < 300; j++) neighbour.set(`n${i}.${j}`, j); // may grow the memory
    else if (x < 0.97) memory.grow(1);
    else if (x < 0.98) cache.purgeStale();
    if (i % 257 === 0) {
      assert.deepEqual([...cache.keys()], model.liveKeysMostRecentFirst(), `order at ${i}`);
      assert.deepEqual([...cache.keys()], [...real.keys()], `lru-cache's order at ${i}`);
      const s = cache.stats();
      assert.deepEqual([s.hits, s.misses], [model.hits, model.misses], `counters at ${i}`);
    }
  }
});

test('ring count: a clock or a sizeCalculation that reads the same cache between a get and a call', () => {
  for (const sized of [false, true]) {
    const clock = { t: START, inner: undefined };
    let cache;
    const gets = []; // every get, outer and inner, in the order they wrote the ring
    const read = (key) => {
      const v = cache.get(key);
      if (v !== undefined) gets.push(key);
      return v;
    };
    const now = () => {
      if (clock.inner !== undefined) {
        const key = clock.inner;
        clock.inner = undefined;
        read(key);
      }
      return clock.t;
    };
    const sizeCalculation = sized ? () => (read('k3'), 1) : undefined;
    cache = new Cache({ max: 20, ttl: 1e9, eviction: 'lru', now, sizeCalculation, maxSize: sized ? 1e6 : undefined });
    const real = new Real({ max: 20 });
    const r = rng(sized ? 5 : 6);
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, i);
    for (let i = 0; i < 20; i++) real.set(`k${i}`, i);
    let hits = cache.stats().hits;
    gets.length = 0; // (the writes' sizeCalculation read k3: in `hits` already)
    for (let i = 0; i < 6 * RING; i++) {
      const key = `k${Math.floor(r() * 20)}`;
      const x = r();
      clock.inner = x < 0.3 ? `k${Math.floor(r() * 20)}` : undefined;
      const before = gets.length;
      if (x < 0.85) read(key);
      else if (x < 0.95) cache.peek(key);
      else cache.set(key, i);
      // lru-cache sees the same gets in the same order (a write moves its key too).
      for (const k of gets.slice(before)) real.get(k);
      if (x >= 0.95) real.set(key, i);
    }
    hits += gets.length;
    assert.equal(cache.stats().hits, hits, `every hit counted once (sized: ${sized})`);
    if (!sized) assert.deepEqual([...cache.keys()], [...real.keys()], 'the order of the gets as they were made');
  }
});

test('ring count: a load while hits wait in the ring keeps their counts', () => {
  // The sizeCalculation reads the cache being loaded: its hits wait in the old store's
  // ring until the load swaps the stores.
  let reading = false;
  const sizeCalculation = () => {
    if (reading) cache.get('k0');
    return 1;
  };
  const cache = new Cache({ max: 100, maxSize: 1000, sizeCalculation, eviction: 'lru' });
  for (let i = 0; i < 50; i++) cache.set(`k${i}`, i);
  const snapshot = cache.snapshot(); // (a dump keeps the sizes: none worked out on load)
  const before = cache.stats().hits;
  for (let i = 0; i < 40; i++) cache.get(`k${i}`);
  reading = true;
  cache.loadSnapshot(snapshot, { allowUnsigned: true });
  reading = false;
  assert.equal(cache.stats().hits, before + 40 + 50, 'hits made before and during the load are counted');
  for (let i = 0; i < 600; i++) cache.get(`k${i % 50}`);
  assert.equal(cache.stats().hits, before + 690);
  assert.equal(cache.get('k0'), 0);
});
