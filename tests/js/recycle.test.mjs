// A new key's write into a full LRU `Cache` where nothing expires or is sized takes the
// least recently used slot (the core's `recycle_lru`). cache.js `#recycle` reads that
// victim from the core's links and queues it in the ring as a hit of its slot, counted in
// the clock for the replay to count as a set and an eviction (core: `count_recycles`);
// while the ring holds nothing but such recycles the next victim is the last one's
// previous in the links, and any other operation in between, or a replay, sends it back
// to the call. These check the order, the values and every counter against an exact
// LRU, through runs of evictions that fill the ring, wrap round the whole list, and mix
// with reads, updates, deletes and every kind of store call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Cache } from 'polycache';

/** An exact LRU with the core's counters: a Map in recency order, the oldest first. */
class Lru {
  constructor(max) {
    this.max = max;
    this.map = new Map();
    this.counts = { hits: 0, misses: 0, sets: 0, evictions: 0 };
  }

  set(k, v) {
    if (!this.map.delete(k) && this.map.size >= this.max) {
      this.map.delete(this.map.keys().next().value);
      this.counts.evictions++;
    }
    this.map.set(k, v);
    this.counts.sets++;
  }

  get(k) {
    if (!this.map.has(k)) {
      this.counts.misses++;
      return undefined;
    }
    const v = this.map.get(k);
    this.map.delete(k);
    this.map.set(k, v);
    this.counts.hits++;
    return v;
  }

  delete(k) {
    return this.map.delete(k);
  }
}

function agree(cache, lru, at) {
  assert.deepEqual([...cache.keys()], [...lru.map.keys()].reverse(), `${at}: keys, most recent first`);
  for (const [k, v] of lru.map) assert.equal(cache.peek(k), v, `${at}: value of ${k}`);
  const { hits, misses, sets, evictions, entries } = cache.stats();
  assert.deepEqual({ hits, misses, sets, evictions }, lru.counts, `${at}: counters`);
  assert.equal(entries, lru.map.size, `${at}: entries`);
}

test('recycle: long runs of evictions fill the ring and go round the whole list, as an exact LRU', () => {
  // (The ring holds up to 512 operations: bindings-js/src/views.rs `ring_for`.)
  for (const max of [1, 2, 7, 600, 1500]) {
    const cache = new Cache({ max, eviction: 'lru' });
    const lru = new Lru(max);
    let next = 0;
    const write = () => {
      const k = `k${next}`;
      cache.set(k, next);
      lru.set(k, next++);
    };
    for (let i = 0; i < max; i++) write();
    // Runs of new keys only, of many lengths (past the ring's, past the list's).
    for (const run of [1, 3, max, 511, 512, 513, 2 * max + 5]) {
      for (let i = 0; i < run; i++) write();
      agree(cache, lru, `max ${max}, after a run of ${run}`);
    }
    // Runs broken by reads of the newest and of the next victims.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5 + round; i++) write();
      const oldest = [...lru.map.keys()][0];
      assert.equal(cache.get(oldest), lru.get(oldest));
      assert.equal(cache.get(`k${next - 1}`), lru.get(`k${next - 1}`));
      assert.equal(cache.get('gone'), lru.get('gone'));
    }
    agree(cache, lru, `max ${max}, runs with reads`);
  }
});

test('recycle: past the bound the core lays out whole, its links may move: every recycle is a call', () => {
  const max = 70_000;
  const cache = new Cache({ max, eviction: 'lru' });
  const lru = new Lru(max);
  for (let i = 0; i < max + 2000; i++) {
    cache.set(`k${i}`, i);
    lru.set(`k${i}`, i);
  }
  agree(cache, lru, `max ${max}`);
});

test('recycle: a replay between two recycles sends the next to the store (the links moved)', () => {
  // A recycle queued, a hit, a call that replays both (the links now put the
  // hit first and the recycled slot second), another hit: the ring's count is again the
  // one the run left, but the run is over (the clock's count of queued recycles reads 0),
  // and the victim is the tail, not the recycled slot's previous.
  for (const call of [(c) => c.has('b'), (c) => c.peek('b'), (c) => c.stats()]) {
    const cache = new Cache({ max: 4, eviction: 'lru' });
    const lru = new Lru(4);
    const both = (f) => [f(cache), f(lru)];
    for (const k of ['a', 'b', 'c', 'd']) both((x) => x.set(k, k));
    // (The fill's writes replayed: the next recycle is queued, not called.)
    call(cache);
    both((x) => x.set('e', 'e'));
    both((x) => x.get('c'));
    call(cache);
    both((x) => x.get('d'));
    both((x) => x.set('f', 'f'));
    agree(cache, lru, 'after a replay between two recycles');
  }
});

test('recycle: the memory grows in the middle of a run (the views detach): the next asks the store', () => {
  const memory = Cache[Symbol.for('polycache.storeMemory')];
  const cache = new Cache({ max: 50, eviction: 'lru' });
  const lru = new Lru(50);
  let next = 0;
  const write = () => {
    cache.set(`k${next}`, next);
    lru.set(`k${next}`, next++);
  };
  for (let i = 0; i < 50; i++) write();
  cache.stats(); // (the fill replayed: the recycles below are queued)
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 7; i++) write();
    if (round % 2 === 0) memory.grow(1);
    // Another cache's write may grow it too.
    else for (let j = 0; j < 2000; j++) new Cache({ max: 10, eviction: 'lru' }).set('x', j);
    for (let i = 0; i < 7; i++) write();
    agree(cache, lru, `round ${round}`);
  }
});

const KEY = fc.integer({ min: 0, max: 11 }).map((i) => `k${i}`);
const OP = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('set'), KEY, fc.integer()) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('get'), KEY) },
  fc.tuple(fc.constant('peek'), KEY),
  fc.tuple(fc.constant('has'), KEY),
  fc.tuple(fc.constant('delete'), KEY),
  fc.tuple(fc.constant('stats')),
  fc.tuple(fc.constant('dump-load')),
);

test('recycle: random reads, writes, deletes and store calls between evictions, as an exact LRU', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(OP, { maxLength: 200 }), (max, ops) => {
      const cache = new Cache({ max, eviction: 'lru' });
      const lru = new Lru(max);
      for (const [i, [op, k, v]] of ops.entries()) {
        if (op === 'set') {
          cache.set(k, v);
          lru.set(k, v);
        } else if (op === 'get') assert.equal(cache.get(k), lru.get(k));
        else if (op === 'peek') assert.equal(cache.peek(k), lru.map.get(k));
        else if (op === 'has') assert.equal(cache.has(k), lru.map.has(k));
        else if (op === 'delete') assert.equal(cache.delete(k), lru.delete(k));
        else if (op === 'stats') agree(cache, lru, `op ${i}`);
        else {
          // A store replaced by a load of its own dump: the counters carried over, and
          // each entry loaded counted as a set.
          cache.load(cache.dump());
          lru.counts.sets += lru.map.size;
          agree(cache, lru, `op ${i}, after a load`);
        }
      }
      agree(cache, lru, 'at the end');
    }),
    { numRuns: 300, seed: 20261205 },
  );
});
