// The stores index LRU entries by slot in arrays (core/src/policy/dense.rs): JS hands
// slots out densely and reuses freed ones, so what can go wrong is a reused slot keeping
// something of its last key (its place in the order, its expiry), a slot past what the
// arrays were laid out for, a load that hands slots out in another order, and a clear
// while JS holds views onto wasm memory. Each run checks every answer against the model
// (model.mjs) or the real lru-cache 11, and the order and counters along the way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LRUCache as Real } from 'lru-cache';
import { Cache, LRUCache } from 'polycache';
import { Model, START, rng } from './model.mjs';

// The store module's memory: grown now and then so that JS's views detach.
const memory = Cache[Symbol.for('polycache.storeMemory')];

function agree(cache, model, what) {
  assert.deepEqual([...cache.keys()], model.liveKeysMostRecentFirst(), `order ${what}`);
  for (const k of model.liveKeys()) assert.equal(cache.peek(k), model.peek(k), `value of ${k} ${what}`);
  const s = cache.stats();
  assert.deepEqual([s.hits, s.misses, s.entries], [model.hits, model.misses, model.liveKeys().length], `counters ${what}`);
}

test('dense slots: slots reused after deletes, evictions and clears hold only their new key', () => {
  for (const [eviction, cull] of [['lru', undefined], ['cull', 3]]) {
    const r = rng(eviction === 'lru' ? 5 : 6);
    const clock = { t: START };
    const cache = new Cache({ max: 40, eviction, cullFrequency: cull, now: () => clock.t });
    const model = new Model(() => clock.t, { max: 40, cull, defaultTtl: Infinity });
    let evictions = 0;
    for (let i = 0; i < 12_000; i++) {
      const key = `d${Math.floor(r() * 90)}`;
      const x = r();
      if (x < 0.45) assert.equal(cache.get(key), model.get(key), `get(${key}) at ${i}`);
      else if (x < 0.8) {
        const before = cache.stats().evictions;
        cache.set(key, i);
        model.set(key, i);
        evictions += cache.stats().evictions - before;
      } else if (x < 0.97) assert.equal(cache.delete(key), model.delete(key), `delete(${key}) at ${i}`);
      else if (x < 0.998) assert.equal(cache.has(key), model.peek(key) !== undefined, `has(${key}) at ${i}`);
      else {
        cache.clear();
        model.clear();
      }
      if (i % 3_001 === 1_000) memory.grow(1);
      if (i % 499 === 0) agree(cache, model, `at ${i} (${eviction})`);
    }
    agree(cache, model, `at the end (${eviction})`);
    assert.ok(evictions > 100, `${eviction}: ${evictions} evictions, so slots were reused by eviction`);
  }
});

test('dense slots: the LRUCache reuses slots as lru-cache 11 does, also with a ttl', () => {
  for (const ttl of [0, 50]) {
    const r = rng(ttl + 3);
    let t = 1000;
    const perf = { now: () => t };
    const options = ttl ? { max: 25, ttl, perf, ttlResolution: 0 } : { max: 25 };
    const ours = new LRUCache(options);
    const real = new Real(options);
    const same = (f, what) => assert.deepEqual(f(ours), f(real), what);
    for (let i = 0; i < 10_000; i++) {
      const k = `l${Math.floor(r() * 60)}`;
      const x = r();
      if (x < 0.4) same((c) => c.get(k), `get ${k} at ${i}, ttl ${ttl}`);
      else if (x < 0.8) same((c) => c.set(k, i) === c && c.size, `set ${k} at ${i}, ttl ${ttl}`);
      else if (x < 0.99) same((c) => c.delete(k), `delete ${k} at ${i}, ttl ${ttl}`);
      else same((c) => (c.clear(), c.size), `clear at ${i}, ttl ${ttl}`);
      t += 0.7;
      if (i % 2_003 === 700) memory.grow(1);
      if (i % 401 === 0) same((c) => [...c.entries()], `entries at ${i}, ttl ${ttl}`);
    }
    same((c) => [...c.rkeys()], `order at the end, ttl ${ttl}`);
  }
});

test('dense slots: a max past the arrays laid out up front (2^16) grows them as slots are handed out', () => {
  const max = 70_000;
  const cache = new Cache({ max, eviction: 'lru' });
  const ours = new LRUCache({ max });
  const real = new Real({ max });
  for (let i = 0; i < max + 500; i++) {
    const k = `g${i}`;
    for (const c of [cache, ours, real]) c.set(k, i);
    // Gets of old keys move them to the head: they survive the evictions past max.
    if (i % 1000 === 999) for (const c of [cache, ours, real]) c.get('g7');
  }
  assert.equal(cache.size, max);
  assert.equal(cache.get('g7'), 7, 'kept by its gets');
  assert.equal(cache.get('g0'), undefined, 'the least recently used left first');
  assert.equal(cache.get(`g${max + 499}`), max + 499);
  assert.equal(cache.stats().evictions, 500);
  assert.deepEqual([...ours.keys()].slice(0, 5), [...real.keys()].slice(0, 5));
  assert.deepEqual([...ours.rkeys()].slice(0, 500), [...real.rkeys()].slice(0, 500), 'the next victims');
  assert.equal(ours.size, real.size);
});

test('dense slots: a loaded dump hands slots out afresh; later writes reuse them correctly', () => {
  const r = rng(21);
  const clock = { t: START };
  const options = { max: 30, eviction: 'lru', now: () => clock.t };
  const from = new Cache(options);
  // Deletes leave holes in the source's slots, so the loaded order differs from them.
  for (let i = 0; i < 200; i++) {
    from.set(`p${Math.floor(r() * 50)}`, i);
    if (r() < 0.3) from.delete(`p${Math.floor(r() * 50)}`);
  }
  const into = new Cache(options);
  for (let i = 0; i < 10; i++) into.set(`old${i}`, i);
  into.get('old3'); // waiting in the ring when the load comes
  into.load(from.dump());
  assert.deepEqual([...into.keys()], [...from.keys()], 'the loaded order');
  const model = new Model(() => clock.t, { max: 30, defaultTtl: Infinity });
  model.load({ entries: [...from.entries()].reverse().map(([k, v]) => [k, { value: v, expires: Infinity }]), generations: new Map() });
  model.hits = into.stats().hits;
  model.misses = into.stats().misses;
  for (let i = 0; i < 3_000; i++) {
    const key = `p${Math.floor(r() * 60)}`;
    const x = r();
    if (x < 0.5) assert.equal(into.get(key), model.get(key), `get(${key}) at ${i}`);
    else if (x < 0.9) {
      into.set(key, i);
      model.set(key, i);
    } else assert.equal(into.delete(key), model.delete(key), `delete(${key}) at ${i}`);
    if (i % 301 === 0) agree(into, model, `after the load, at ${i}`);
  }
});

test('dense slots: a clear with hits waiting in the ring and views on grown memory starts clean', () => {
  const clock = { t: START };
  const cache = new Cache({ max: 100, eviction: 'lru', now: () => clock.t });
  const model = new Model(() => clock.t, { max: 100, defaultTtl: Infinity });
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 150; i++) {
      cache.set(`c${i}`, round);
      model.set(`c${i}`, round);
    }
    for (let i = 149; i >= 60; i -= 3) assert.equal(cache.get(`c${i}`), model.get(`c${i}`));
    memory.grow(1); // the views JS holds detach under the waiting hits
    cache.clear();
    model.clear();
    assert.equal(cache.size, 0);
    assert.deepEqual([...cache.keys()], []);
    // Slot 0 and up again, under new keys, some of the old ones among them.
    for (let i = 0; i < 30; i++) {
      cache.set(`c${i * 5}`, -i);
      model.set(`c${i * 5}`, -i);
    }
    for (let i = 0; i < 150; i += 7) assert.equal(cache.get(`c${i}`), model.get(`c${i}`), `get(c${i}) in round ${round}`);
    agree(cache, model, `after the clear in round ${round}`);
  }
});

test('dense slots: a full timed LRU cache gives a new key the victim\'s slot, and falls back once entries expired', () => {
  // Cache.set's one-call eviction in a timed cache (core: recycle_lru_until) against the
  // model: the victim's slot must take the new key's value and expiry, and leave the
  // work to the usual write once some entry has expired.
  const r = rng(17);
  const clock = { t: START };
  const cache = new Cache({ max: 30, ttl: 40, eviction: 'lru', now: () => clock.t });
  const model = new Model(() => clock.t, { max: 30, defaultTtl: 40 });
  let evictions = 0;
  for (let i = 0; i < 12_000; i++) {
    const key = `t${Math.floor(r() * 70)}`;
    const x = r();
    if (x < 0.4) assert.equal(cache.get(key), model.get(key), `get(${key}) at ${i}`);
    else if (x < 0.95) {
      const before = cache.stats().evictions;
      cache.set(key, i);
      model.set(key, i);
      evictions += cache.stats().evictions - before;
    } else assert.equal(cache.delete(key), model.delete(key), `delete(${key}) at ${i}`);
    if (r() < 0.3) clock.t += Math.floor(r() * 3);
    if (i % 3_001 === 1_000) memory.grow(1);
    if (i % 97 === 0) {
      assert.deepEqual([...cache.keys()], model.liveKeysMostRecentFirst(), `order at ${i}`);
      for (const k of model.liveKeys()) assert.equal(cache.peek(k), model.peek(k), `value of ${k} at ${i}`);
      assert.deepEqual([cache.stats().hits, cache.stats().misses], [model.hits, model.misses], `counters at ${i}`);
    }
  }
  assert.ok(evictions > 1_000, `${evictions} evictions`);
});
