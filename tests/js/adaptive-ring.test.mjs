// An adaptive Cache (the default policy) where nothing is sized or expires queues a held
// key's write without options in the store's ring, as the LRU caches do (cache.js `set`,
// replayed by bindings-js/src/slots_write.rs as the core's `rewrite`); and, below its
// bound, a new key's, its text queued in the store's key buffer for the replay to teach
// the policy first (slot-store.js `queueKey`); at the bound a new key's write is a call.
// These runs check that the queued writes decide as the store's calls do: against a twin
// whose every write passes an (empty) options object, which always calls the store. The policy's decisions are those
// of tests/vectors/adaptive.json (vectors.mjs); here what is compared is the order the
// policy keeps (keys(): window, protected, probation), its counters and every answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from 'polycache';
import { countStoreSets } from './store-calls.mjs';
import { rng } from './model.mjs';

const RING = 512; // bindings-js/src/views.rs
const memory = Cache[Symbol.for('polycache.storeMemory')];

function agree(queued, calling, at) {
  assert.deepEqual([...queued.keys()], [...calling.keys()], `keys in the policy's order at op ${at}`);
  assert.deepEqual(queued.stats(), calling.stats(), `counters at op ${at}`);
  assert.equal(queued.size, calling.size, `size at op ${at}`);
}

/**
 * Skewed gets and writes (held keys mostly: the queued path), deletes and peeks, over
 * more keys than the cache holds, so the policy admits, rejects and evicts; now and then
 * the memory grows under the views.
 */
function twins(options, seed, ops) {
  const r = rng(seed);
  const queued = new Cache({ ...options, eviction: 'adaptive' });
  const calling = new Cache({ ...options, eviction: 'adaptive' });
  for (let i = 0; i < ops; i++) {
    // Squared: low keys are hot, high ones mostly one-offs.
    const key = `k${Math.floor(r() * r() * 200)}`;
    const x = r();
    if (x < 0.45) {
      assert.equal(queued.get(key), calling.get(key), `get(${key}) at op ${i}`);
    } else if (x < 0.9) {
      queued.set(key, i);
      calling.set(key, i, {});
    } else if (x < 0.94) {
      assert.equal(queued.delete(key), calling.delete(key), `delete(${key}) at op ${i}`);
    } else if (x < 0.97) {
      assert.equal(queued.peek(key), calling.peek(key), `peek(${key}) at op ${i}`);
    } else if (x < 0.975) {
      memory.grow(1);
    }
    if (i % 499 === 0) agree(queued, calling, i);
  }
  agree(queued, calling, ops);
  return queued;
}

test('adaptive ring: queued writes of held keys decide as the store calls do', () => {
  const c = twins({ max: 40 }, 21, 24 * RING);
  // The run reached what it is about: writes, evictions and hits in every queue.
  const s = c.stats();
  assert.ok(s.sets > 5000 && s.evictions > 500 && s.hits > 2000, JSON.stringify(s));
});

test('adaptive ring: a cache laid out as it grows (max past 2^16), and a tiny one', () => {
  twins({ max: 100_000 }, 22, 8 * RING);
  twins({ max: 1 }, 23, 8 * RING);
  twins({ max: 3 }, 24, 8 * RING);
});

test('adaptive ring: new keys queued with their text, two caches sharing the memory, decide as calls do', () => {
  // Below the bound most writes are of new keys (a key space far past what is held,
  // deletes bringing the caches under it again); the two pairs interleave, so one cache's
  // texts wait in its key buffer while the other's calls, or a larger cache made now and
  // then, grow the memory under its views. Keys of every length, some too long for a
  // small cache's key buffer (256 bytes), some not ASCII.
  const r = rng(31);
  const pairs = [600, 25].map((max) => [new Cache({ max }), new Cache({ max })]);
  const keep = [];
  const recent = [[], []];
  const texts = ['', 'é', 'x'.repeat(40), '日本', 'y'.repeat(120), '𝄞'];
  for (let i = 0; i < 12 * RING; i++) {
    const [queued, calling] = pairs[i % 2];
    const key = `${texts[Math.floor(r() * texts.length)]}${Math.floor(r() * r() * 5000)}`;
    const x = r();
    if (x < 0.3) assert.equal(queued.get(key), calling.get(key), `get at op ${i}`);
    else if (x < 0.8) {
      queued.set(key, i);
      calling.set(key, i, {});
      recent[i % 2].push(key);
    } else if (x < 0.97) {
      // One of the keys written lately, so that most deletes find theirs.
      const mine = recent[i % 2];
      const old = mine.splice(Math.floor(r() * mine.length), 1)[0] ?? key;
      assert.equal(queued.delete(old), calling.delete(old), `delete at op ${i}`);
    }
    else if (x < 0.98) keep.push(new Cache({ max: 20_000 }).set('m', 1));
    else if (x < 0.99) memory.grow(1);
    if (i % 997 === 0) pairs.forEach(([q, c]) => agree(q, c, i));
  }
  pairs.forEach(([q, c]) => agree(q, c, 'the end'));
  const s = pairs[0][0].stats();
  assert.ok(s.sets > 1000 && s.evictions > 100 && s.deletes > 300, JSON.stringify(s));
});

test('adaptive ring: new keys below the bound go into the ring, no store call', () => {
  const c = new Cache({ max: 100 });
  const [calls, stop] = countStoreSets(c);
  try {
    for (let i = 0; i < 100; i++) c.set(`k${i}`, i);
    assert.equal(calls(), 0, 'below the bound: queued with their text');
    c.set('past', 1);
    assert.equal(calls(), 1, 'at the bound: a call');
  } finally {
    stop();
  }
  assert.equal(c.size, 100);
  assert.equal(c.stats().sets, 101);
});

test('adaptive ring: a held key written again is counted once, with its new value', () => {
  const c = new Cache({ max: 100 });
  for (let i = 0; i < 100; i++) c.set(`k${i}`, i);
  const sets = c.stats().sets;
  const [calls, stop] = countStoreSets(c);
  try {
    for (let i = 0; i < 100; i++) c.set(`k${i}`, -i);
    assert.equal(calls(), 0, 'no store call: the writes went into the ring');
    c.set('new', 1);
    assert.equal(calls(), 1, "a new key's write calls (the policy learns its text)");
  } finally {
    stop();
  }
  assert.equal(c.stats().sets, sets + 101);
  assert.equal(c.get('k7'), -7);
  assert.equal(c.size, 100);
});
