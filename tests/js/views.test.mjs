// The Cache answers gets (and updates of a plain cache) without a wasm call: it reads
// expiries from a view on wasm memory and writes what it did into a ring the store
// replays in order (bindings-js/src/views.rs). These runs are long enough to fill the
// ring many times over, grow the wasm memory under the views (which detaches them),
// and move the expiry array, and check every answer, the recency order and the counters
// against the model of model.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from 'polycache';
import { Model, START, rng } from './model.mjs';

const RING = 512; // bindings-js/src/views.rs
// The store module's memory (bindings-js/js/slot-store.js).
const memory = Cache[Symbol.for('polycache.storeMemory')];

function agree(cache, model, at) {
  assert.deepEqual([...cache.keys()], model.liveKeysMostRecentFirst(), `recency order at op ${at}`);
  const s = cache.stats();
  assert.deepEqual([s.hits, s.misses], [model.hits, model.misses], `hits and misses at op ${at}`);
}

test('views: gets, misses and updates through the ring keep exact LRU order and counters', () => {
  const r = rng(7);
  const clock = { t: START };
  const cache = new Cache({ max: 50, eviction: 'lru', now: () => clock.t });
  const model = new Model(() => clock.t, { max: 50, defaultTtl: Infinity });
  const OPS = 20 * RING;
  let sets = 0;
  for (let i = 0; i < OPS; i++) {
    const key = `k${Math.floor(r() * 80)}`;
    const x = r();
    if (x < 0.6) {
      assert.equal(cache.get(key), model.get(key), `get(${key}) at op ${i}`);
    } else {
      // Mostly updates of held keys (the ring), some new keys (a call, may evict).
      cache.set(key, i);
      model.set(key, i);
      sets += 1;
    }
    if (i % 997 === 0) agree(cache, model, i);
    // The memory grows under the views now and then: they detach and must be renewed.
    if (i % 3001 === 1500) memory.grow(1);
  }
  agree(cache, model, OPS);
  assert.equal(cache.stats().sets, sets, 'every update counted once');
});

test('views: expiries read in JS follow the store, also after the array moves and the memory grows', () => {
  const r = rng(11);
  const clock = { t: START };
  // A max past what is laid out up front (2^16): the expiry array starts empty and grows
  // (moves) as slots are handed out.
  const cache = new Cache({ max: 1_000_000, now: () => clock.t });
  const model = new Model(() => clock.t, { defaultTtl: Infinity });
  let i = 0;
  for (let round = 0; round < 6; round++) {
    for (let k = 0; k < 400; k++, i++) {
      const key = `t${Math.floor(r() * 600)}`;
      const ttl = 1 + Math.floor(r() * 50);
      cache.set(key, i, { ttl });
      model.set(key, i, { ttl });
      if (k % 7 === 0) clock.t += 1;
      const probe = `t${Math.floor(r() * 600)}`;
      assert.equal(cache.get(probe), model.get(probe), `get(${probe}) at op ${i}`);
    }
    if (round === 2) memory.grow(1);
    for (let k = 0; k < 3 * RING; k++, i++) {
      const probe = `t${Math.floor(r() * 600)}`;
      if (k % 50 === 0) clock.t += 3;
      assert.equal(cache.get(probe), model.get(probe), `get(${probe}) at op ${i}`);
    }
    agree(cache, model, i);
  }
});

test('views: an update that is not plain still calls the store (sized, timed, adaptive)', () => {
  const clock = { t: START };
  for (const options of [{ max: 3, maxSize: 10, sizeCalculation: () => 1 }, { max: 3, ttl: 1000 }, { max: 3, eviction: 'adaptive' }]) {
    const cache = new Cache({ ...options, now: () => clock.t });
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.set('a', 10); // an update: a is now the most recent
    cache.set('d', 4);
    assert.equal(cache.get('a'), 10, JSON.stringify(options));
    assert.equal(cache.stats().sets, 5, JSON.stringify(options));
  }
});

test('views: gets through the ring beside writes with the default lifetime, time moving, against the model', () => {
  const r = rng(23);
  const clock = { t: START };
  const cache = new Cache({ max: 1_000_000, ttl: 40, eviction: 'lru', now: () => clock.t });
  const model = new Model(() => clock.t, { defaultTtl: 40 });
  let sets = 0;
  const OPS = 12 * RING;
  for (let i = 0; i < OPS; i++) {
    const key = `d${Math.floor(r() * 120)}`;
    const x = r();
    if (x < 0.5) {
      assert.equal(cache.get(key), model.get(key), `get(${key}) at op ${i}`);
    } else if (x < 0.97) {
      cache.set(key, i); // the default lifetime, from the time of the write
      model.set(key, i);
      sets += 1;
    } else {
      clock.t += 1 + Math.floor(r() * 20);
    }
    if (i % 1009 === 0) {
      agree(cache, model, i);
      assert.ok(cache.size >= model.liveKeys().length, `size ${cache.size} below the live entries at op ${i}`);
    }
  }
  agree(cache, model, OPS);
  assert.equal(cache.stats().sets, sets, 'every set counted once');
  clock.t += 1000; // everything expires
  cache.purgeStale();
  assert.equal(cache.size, 0, 'every slot released once everything expired');
  cache.set('after', 1);
  assert.equal(cache.get('after'), 1);
});

test('views: with a clock that goes back too, the ring decides as one call per operation does', () => {
  // The same operations on a cache that uses the ring and on one whose writes are all
  // calls (a sizeCalculation; sizes of 0 bound nothing).
  const r = rng(31);
  const clock = { t: START };
  const options = { max: 50, ttl: 40, now: () => clock.t };
  const fast = new Cache(options);
  const calls = new Cache({ ...options, sizeCalculation: () => 0 });
  const both = (f, what) => assert.deepEqual(f(fast), f(calls), what);
  for (let i = 0; i < 12 * RING; i++) {
    const key = `b${Math.floor(r() * 80)}`;
    const x = r();
    if (x < 0.5) both((c) => c.get(key), `get(${key}) at op ${i}`);
    else if (x < 0.95) both((c) => (c.set(key, i), c.size), `set(${key}) at op ${i}`);
    else clock.t += x < 0.99 ? 1 + Math.floor(r() * 20) : -Math.floor(r() * 30);
    if (i % 997 === 0) {
      both((c) => [...c.keys()], `keys at op ${i}`);
      both((c) => ({ ...c.stats(), bytes: null }), `stats at op ${i}`);
    }
  }
});

test('views: a get at an earlier time than the last write decides as with one call per operation', () => {
  const clock = { t: START };
  const options = { max: 50, ttl: 40, now: () => clock.t };
  const fast = new Cache(options);
  const calls = new Cache({ ...options, sizeCalculation: () => 0 });
  for (const c of [fast, calls]) c.set('x', 1).set('y', 1);
  clock.t = START + 100; // both expired
  // An update of y: the store reclaims expired x as it writes.
  for (const c of [fast, calls]) c.set('y', 2);
  clock.t = START + 10; // back to when x was live
  assert.equal(calls.get('x'), undefined, 'one call per write: x went with the write');
  assert.equal(fast.get('x'), undefined, 'the cache that answers gets through the ring: the same');
  assert.deepEqual(fast.stats(), { ...calls.stats(), bytes: null });
});

test('views: a key written again after a write reclaimed it stays held', () => {
  const clock = { t: START };
  const options = { max: 50, ttl: 40, now: () => clock.t };
  const fast = new Cache(options);
  const calls = new Cache({ ...options, sizeCalculation: () => 0 });
  for (const c of [fast, calls]) c.set('x', 1).set('y', 1);
  clock.t = START + 100;
  for (const c of [fast, calls]) {
    c.set('y', 2); // reclaims expired x
    c.set('x', 3, { ttl: 1000 }); // writes x again
  }
  assert.equal(calls.get('x'), 3);
  assert.equal(fast.get('x'), 3, 'x is held, not released as the reclaimed entry');
  assert.deepEqual([fast.size, [...fast.keys()]], [calls.size, [...calls.keys()]]);
});

test('views: a slot a get released is not released again by the next write', () => {
  const clock = { t: START };
  const options = { max: 50, ttl: 40, now: () => clock.t };
  const fast = new Cache(options);
  const calls = new Cache({ ...options, sizeCalculation: () => 0 });
  for (const c of [fast, calls]) c.set('x', 1).set('y', 1);
  clock.t = START + 100;
  for (const c of [fast, calls]) {
    c.set('y', 2); // reclaims expired x
    assert.equal(c.get('x'), undefined); // x's slot is released here
    c.set('y', 3, { ttl: 1000 }); // a write whose report must not name x's slot again
    c.set('a', 1).set('b', 2); // two new keys: two different slots
  }
  for (const c of [fast, calls]) assert.deepEqual([c.get('a'), c.get('b'), c.get('y')], [1, 2, 3]);
  assert.deepEqual([...fast.keys()], [...calls.keys()]);
});

test('views: a key learnt through the key buffer is the key passed as a string (adaptive decisions)', async () => {
  // The raw store module (its own instance), to drive both ways on the same operations.
  const { readFileSync } = await import('node:fs');
  const glue = await import(new URL('../../dist/polycache_wasm.js', import.meta.url).href);
  glue.initSync({ module: readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)) });
  const viaString = glue.SlotStore.make(8, undefined, undefined, 0, 0, true, 9);
  const viaBuffer = glue.SlotStore.make(8, undefined, undefined, 0, 0, true, 9);
  const encoder = new TextEncoder();
  // Non-ASCII text, an astral character, a lone surrogate (both ways give U+FFFD).
  const texts = ['é', 'ß\u00ff', '𝄞', 'a\ud800b', '日本', 'x'.repeat(1000), 'plain'];
  const r = rng(11);
  let learnt = 0;
  for (let i = 0; i < 400; i++) {
    const n = Math.floor(r() ** 2 * 24);
    const key = `${texts[n % texts.length]}${n}`;
    viaString.next_key(key);
    // The store's own key buffer (views_at's fifth and sixth places: where, how long).
    const [at, len] = new Uint32Array(glue.initSync().memory.buffer, viaBuffer.views_at(), 7).subarray(4, 6);
    const bytes = new Uint8Array(glue.initSync().memory.buffer, at, len);
    const { read, written } = encoder.encodeInto(key, bytes);
    if (read === key.length) {
      assert.equal(viaBuffer.next_key_at(written), true);
      learnt++;
    } else {
      viaBuffer.next_key(key); // longer than a small store's buffer: as a string
    }
    for (const s of [viaString, viaBuffer]) {
      if (!s.get(n, 0)) s.set(n, 0, 0, 0, 0);
      for (const dead of s.take_dead()) assert.ok(dead >= 0);
    }
    assert.deepEqual(viaBuffer.keys(0), viaString.keys(0), `held slots after request ${i}`);
  }
  assert.ok(learnt > 300, `${learnt} of 400 keys through the buffer`);
  assert.ok(viaString.stats()[4] > 0, 'the run evicted, so the policy decided');
  assert.equal(viaBuffer.next_key_at(257), false, 'past the buffer (256 bytes for a bound of 8): nothing learnt');
});

test('views: a key written into the key buffer is its UTF-8, short ASCII keys (copied in JS) or not', async () => {
  const { writeKey } = await import('../../bindings-js/js/slot-store.js');
  const encoder = new TextEncoder();
  const buffer = new Uint8Array(64);
  // Around the 16 characters copied in JS; a non-ASCII character first, in the middle,
  // last; a lone surrogate (U+FFFD, as encodeInto writes it); nothing.
  const keys = ['', 'a', 'foo1bar', 'x'.repeat(15), 'x'.repeat(16), 'x'.repeat(17), 'é', 'aé', 'abcdefghijklmnoé',
    'ébcdefghijklmnop', 'a\u007f\u0080', 'a\ud800', '𝄞', '日本', 'x'.repeat(16) + 'é'];
  for (const key of keys) {
    buffer.fill(0xaa);
    const len = writeKey(buffer, key);
    assert.deepEqual([...buffer.subarray(0, len)], [...encoder.encode(key)], JSON.stringify(key));
  }
  assert.equal(writeKey(new Uint8Array(0), 'a'), -1, 'a detached view: nothing written');
  // From a place in the buffer, and -1 where the rest does not hold the key.
  for (const key of ['ab', 'é', '𝄞x', 'x'.repeat(20)]) {
    buffer.fill(0xaa);
    const bytes = encoder.encode(key);
    assert.equal(writeKey(buffer, key, 64 - bytes.length), bytes.length, JSON.stringify(key));
    assert.deepEqual([...buffer.subarray(64 - bytes.length)], [...bytes]);
    assert.equal(writeKey(buffer, key, 65 - bytes.length), -1, `${JSON.stringify(key)} one byte short`);
  }
});

test('views: new keys written through the ring below the bound decide as one call per write', () => {
  // A plain cache below its bound takes a new key's write into the ring too; one that
  // sizes its entries (sizes of 0 bound nothing) makes a call per write. Deletes and
  // clears bring it below the bound again, evictions and culls take it back to it.
  for (const eviction of ['lru', 'cull']) {
    const r = rng(eviction === 'lru' ? 41 : 43);
    const options = { max: 300, eviction, cullFrequency: 3 };
    const fast = new Cache(options);
    const calls = new Cache({ ...options, sizeCalculation: () => 0 });
    const both = (f, what) => assert.deepEqual(f(fast), f(calls), `${eviction}: ${what}`);
    let i = 0;
    const check = () => {
      both((c) => [...c.keys()], `keys at op ${i}`);
      both((c) => ({ ...c.stats(), bytes: null }), `stats at op ${i}`);
    };
    for (; i < 30 * RING; i++) {
      const key = `n${Math.floor(r() * 420)}`;
      const x = r();
      if (x < 0.4) both((c) => c.get(key), `get(${key}) at op ${i}`);
      else if (x < 0.85) both((c) => (c.set(key, i), c.size), `set(${key}) at op ${i}`);
      else if (x < 0.999) both((c) => c.delete(key), `delete(${key}) at op ${i}`);
      else both((c) => (c.clear(), c.size), `clear at op ${i}`);
      if (i % 4999 === 2500) memory.grow(1);
      if (i % 997 === 0) check();
    }
    check();
    assert.ok(fast.stats().evictions > 0, `${eviction}: the run filled the cache`);
  }
});
