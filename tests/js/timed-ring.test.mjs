// A timed LRU Cache queues a write of the default lifetime (a held key written again, or a
// new key below `max`) in the ring instead of calling the store, when the store kept that
// lifetime's expiry for the clock's reading and no entry expires at it (cache.js
// #queueTimed, bindings-js/src/slots_write.rs). These runs check that it answers as the
// store's calls did: against a twin whose clock reads half a millisecond later (the same
// store time, so the same answers, but never equal to the kept `now`: it always calls),
// and against the real lru-cache 11.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LRUCache as Real } from 'lru-cache';
import { Cache } from 'polycache';
import { START, rng } from './model.mjs';
import { countStoreSets } from './store-calls.mjs';

const RING = 512; // bindings-js/src/views.rs
const memory = Cache[Symbol.for('polycache.storeMemory')];

function agree(queued, calling, at) {
  assert.deepEqual([...queued.entries()], [...calling.entries()], `entries in recency order at op ${at}`);
  assert.deepEqual(queued.stats(), calling.stats(), `counters at op ${at}`);
  assert.equal(queued.size, calling.size, `size at op ${at}`);
  assert.equal(queued.calculatedSize, calling.calculatedSize, `calculatedSize at op ${at}`);
}

/**
 * Random gets, writes (mostly without options: the queued path), writes with options,
 * deletes and lifetimes read, the clock mostly still (a burst in one millisecond), now
 * and then past every lifetime; the memory grows under the views now and then.
 */
function twins(options, seed, { sized = false, grow = false } = {}) {
  const r = rng(seed);
  const clock = { t: START };
  const queued = new Cache({ eviction: 'lru', ...options, now: () => clock.t });
  const calling = new Cache({ eviction: 'lru', ...options, now: () => clock.t + 0.5 });
  const OPS = 24 * RING;
  for (let i = 0; i < OPS; i++) {
    const key = `k${Math.floor(r() * 90)}`;
    const x = r();
    if (x < 0.35) {
      assert.equal(queued.get(key), calling.get(key), `get(${key}) at op ${i}`);
    } else if (x < 0.85) {
      queued.set(key, i);
      calling.set(key, i);
    } else if (x < 0.9) {
      const y = r();
      const o = y < 0.4 ? { ttl: 1 + Math.floor(r() * 300) } : y < 0.6 ? { ttl: 0 } : y < 0.8 ? { timeout: null } : {};
      if (sized) o.size = 1 + Math.floor(r() * 4);
      queued.set(key, i, o);
      calling.set(key, i, o);
    } else if (x < 0.94) {
      assert.equal(queued.delete(key), calling.delete(key), `delete(${key}) at op ${i}`);
    } else if (x < 0.96) {
      assert.equal(queued.getRemainingTTL(key), calling.getRemainingTTL(key), `getRemainingTTL(${key}) at op ${i}`);
      assert.equal(queued.has(key), calling.has(key), `has(${key}) at op ${i}`);
    } else if (x < 0.975) {
      // Calls that index an expiry without `set` (the kept clock must not outlive them).
      const o = { ttl: 1 + Math.floor(r() * 300) };
      if (r() < 0.5) assert.equal(queued.touch(key, o), calling.touch(key, o), `touch(${key}) at op ${i}`);
      else assert.equal(queued.add(key, i, o), calling.add(key, i, o), `add(${key}) at op ${i}`);
    } else {
      // Mostly forward; now and then back (a clock the caller passes may).
      const y = r();
      clock.t += y < 0.5 ? 1 : y < 0.75 ? Math.floor(r() * 200) : y < 0.9 ? 1000 : -Math.floor(r() * 400);
    }
    if (i % 499 === 0) agree(queued, calling, i);
    if (grow && i % 2003 === 1000) memory.grow(1);
  }
  agree(queued, calling, OPS);
  return queued;
}

test('timed ring: queued default-lifetime writes answer as the store calls do', () => {
  const c = twins({ max: 40, ttl: 700 }, 3);
  assert.ok(c.stats().sets > 5000);
});

test('timed ring: the same through memory growth (detached views) and a cache laid out as it grows', () => {
  twins({ max: 40, ttl: 700 }, 5, { grow: true });
  // A max past what is laid out up front (2^16): the expiries grow and move.
  twins({ max: 100_000, ttl: 700 }, 6, { grow: true });
});

test('timed ring: no default lifetime (it never expires) but some writes with one; and sizes given', () => {
  twins({ max: 40 }, 8);
  twins({ max: 40, ttl: 700 }, 9, { sized: true });
  twins({ max: 40, ttl: 700, timeouts: 'django' }, 10);
});

test('timed ring: an adaptive or culling cache queues writes of held keys alone, answering as calls', () => {
  // New keys are calls there (the adaptive policy learns each one's text; a cull may
  // free many), held keys' writes of the default lifetime go into the ring.
  for (const [eviction, seed] of [['adaptive', 14], ['cull', 15]]) {
    const c = twins({ max: 40, ttl: 700, eviction }, seed);
    assert.ok(c.stats().evictions > 100, `${eviction}: the run evicted`);
    twins({ max: 40, ttl: 700, eviction }, seed + 10, { grow: true });
  }
});

test('timed ring: side by side with lru-cache 11, bursts of writes in one millisecond', () => {
  const r = rng(12);
  const clock = { t: START };
  // An odd ttl and clock steps of 0 or 2 ms: no read falls on the last millisecond of a
  // lifetime, where lru-cache (stale after ttl) and the core (expired at ttl) differ.
  const ttl = 1001;
  const ours = new Cache({ max: 64, ttl, eviction: 'lru', now: () => clock.t });
  const real = new Real({ max: 64, ttl, perf: { now: () => clock.t }, ttlResolution: 0 });
  for (let i = 0; i < 30 * RING; i++) {
    // At most 64 keys: nothing is evicted (lru-cache evicts by recency alone, stale or not).
    const key = `k${Math.floor(r() * 64)}`;
    const x = r();
    if (x < 0.45) assert.equal(ours.get(key), real.get(key), `get(${key}) at op ${i}`);
    else if (x < 0.97) {
      ours.set(key, i);
      real.set(key, i);
    } else clock.t += r() < 0.8 ? 2 : 2 * Math.floor(r() * 400);
    if (i % 997 === 0) assert.deepEqual([...ours.keys()], [...real.keys()], `live keys, most recent first, at op ${i}`);
  }
});

test('timed ring: a held key written again in one millisecond makes no store call', () => {
  const clock = { t: START };
  const c = new Cache({ max: 100, ttl: 1000, eviction: 'lru', now: () => clock.t });
  for (let i = 0; i < 100; i++) c.set(`k${i}`, i);
  const sets = c.stats().sets;
  // Counted once each, as calls would be, and live with the new values.
  const [calls, stop] = countStoreSets(c);
  try {
    for (let i = 0; i < 100; i++) c.set(`k${i}`, -i);
    // The first calls: stats() (a call) cleared the kept clock, which it keeps again.
    assert.equal(calls(), 1, 'one store call for 100 writes: 99 went into the ring');
    c.set('k0', 0, { ttl: 5 });
    assert.equal(calls(), 2, 'a write with options calls (the count sees calls)');
  } finally {
    stop();
  }
  c.set('k0', 0);
  assert.equal(c.stats().sets, sets + 102);
  assert.equal(c.get('k7'), -7);
  assert.equal(c.getRemainingTTL('k7'), 1000);
  clock.t += 999;
  assert.equal(c.get('k8'), -8);
  clock.t += 1;
  assert.equal(c.get('k8'), undefined, 'expired at the lifetime of the queued write');
  assert.equal(c.stats().expirations, 1);
});

test('timed ring: a call that indexes an expiry (touch, add) clears the kept clock', () => {
  for (const call of [(c) => c.touch('b', { ttl: 100 }), (c) => c.add('c', 3, { ttl: 100 })]) {
    const clock = { t: START };
    const make = (offset) => new Cache({ max: 10, ttl: 1000, eviction: 'lru', now: () => clock.t + offset });
    const [queued, calling] = [make(0), make(0.5)];
    for (const c of [queued, calling]) {
      c.set('a', 1);
      c.set('b', 2);
    }
    // Back in time (a caller's clock), a lifetime that ends before the kept `now`...
    clock.t -= 300;
    call(queued);
    call(calling);
    // ...which a write at that `now` reclaims: it must free it as a call does.
    clock.t += 300;
    queued.set('d', 4);
    calling.set('d', 4);
    agree(queued, calling, 'after the write');
    assert.equal(queued.get('d'), 4);
  }
});
