// A load is Python's (bindings-python/src/snapshot.rs `load_in`): the input into a scratch
// cache bounded like this one, each entry through the core's load of it (`load_one`),
// then this cache cleared (its adaptive policy's history stays) and what the scratch
// cache held written in its order. So an adaptive Cache that loads a dump or a snapshot
// decides from then on exactly as one that wrote those entries, its policy knowing each
// loaded key by the key's own fingerprint, as Python's does (tests/e2e/adaptive-load.mjs
// compares the two languages). Before session 24 the JS load handed the store its slots
// alone, and the policy counted loaded entries under the slots' numbers: on that build
// every test here fails but the fourth, which pins what both builds do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from 'polycache';
import { skewedReads as workload } from './model.mjs';

const KEY = 'a snapshot key of 16+ bytes';


for (const options of [{ max: 50 }, { max: 50, maxSize: 400, sizeCalculation: (v) => 1 + (v % 7) }, { max: 40, ttl: 60_000 }]) {
  test(`an adaptive cache that loads decides as one that wrote the same entries (${Object.keys(options).join(', ')})`, () => {
    const written = new Cache({ ...options, eviction: 'adaptive' });
    // Keys not in the workload's range too, and a fill past the bound: the load gets what
    // the writes left, in their order.
    for (let i = 0; i < 70; i++) written.set(i % 3 ? `k${i}` : `other${i}`, i);
    const fromDump = new Cache({ ...options, eviction: 'adaptive' });
    fromDump.load(written.dump());
    const fromSnapshot = new Cache({ ...options, eviction: 'adaptive' });
    fromSnapshot.loadSnapshot(written.snapshot({ key: KEY }), { key: KEY });
    // What the writes left: the entries and their order. The twin that wrote them again,
    // as the load writes them, least recently used first.
    const twin = new Cache({ ...options, eviction: 'adaptive' });
    for (const [k, { value }] of written.dump().entries) twin.set(k, value);
    for (const loaded of [fromDump, fromSnapshot]) {
      assert.deepEqual([...loaded.keys()], [...twin.keys()], "the policy's order after the load");
    }
    const expected = workload(twin, 11, 5000);
    assert.equal(workload(fromDump, 11, 5000), expected, 'after load(dump())');
    assert.equal(workload(fromSnapshot, 11, 5000), expected, 'after loadSnapshot()');
    assert.ok(expected.includes('0') && expected.includes('1'), 'the workload both hits and misses');
  });
}

test('a load skips an entry expired already and one larger than maxSize, and counts neither', () => {
  const cache = new Cache({ maxSize: 10, eviction: 'adaptive' });
  const now = Date.now();
  const held = cache.load({
    format: 'polycache',
    version: 1,
    entries: [
      ['gone', { value: 1, size: 1, expiresAt: now - 1000 }],
      ['big', { value: 2, size: 11 }],
      ['kept', { value: 3, size: 4, expiresAt: now + 60_000 }],
    ],
  });
  assert.equal(held, undefined);
  assert.deepEqual([...cache.keys()], ['kept']);
  assert.equal(cache.get('kept'), 3);
  assert.equal(cache.stats().sets, 1);
});

test("an expired entry the load skips leaves no trace in the adaptive policy's decisions", () => {
  // Every third entry expired already: the load learns its key, the store skips it (and
  // answers its slot, which JS takes back); the next entry's write learns its own key, so
  // the load decides as writes of the live ones alone.
  const now = Date.now();
  const entries = [];
  for (let i = 0; i < 60; i++) {
    const expiresAt = i % 3 === 0 ? now - 1000 : now + 600_000;
    entries.push([`k${i}`, { value: i, size: 0, expiresAt }]);
  }
  const loaded = new Cache({ max: 50, ttl: 600_000, eviction: 'adaptive' });
  loaded.load({ format: 'polycache', version: 1, entries });
  const twin = new Cache({ max: 50, ttl: 600_000, eviction: 'adaptive' });
  for (const [k, { value }] of entries) if (value % 3 !== 0) twin.set(k, value);
  assert.deepEqual([...loaded.keys()], [...twin.keys()]);
  assert.equal(workload(loaded, 5, 5000), workload(twin, 5, 5000));
});

test('a load into a cache with a history keeps it, as clear() does, and keeps only what fits', () => {
  // Python's load: the input into a scratch cache first (the entries that do not fit go
  // as they come), then the cache cleared (the policy's history stays) and what the
  // scratch cache held written in its order. The twin does that by hand.
  const big = new Cache({ max: 120, eviction: 'adaptive' });
  for (let i = 0; i < 140; i++) big.set(i % 3 ? `k${i}` : `other${i}`, i);
  const dump = big.dump();
  const loaded = new Cache({ max: 50, eviction: 'adaptive' });
  const twin = new Cache({ max: 50, eviction: 'adaptive' });
  const history = [workload(loaded, 3, 2000), workload(twin, 3, 2000)];
  assert.equal(history[0], history[1]);
  const before = loaded.stats();
  loaded.load(dump);
  const scratch = new Cache({ max: 50, eviction: 'adaptive' });
  for (const [k, { value }] of dump.entries) scratch.set(k, value);
  twin.clear();
  for (const [k, { value }] of scratch.dump().entries) twin.set(k, value);
  assert.deepEqual([...loaded.keys()], [...twin.keys()]);
  // The counters go on: a set for each entry the cache holds after the load, nothing else.
  assert.deepEqual(loaded.stats(), { ...before, sets: before.sets + 50, entries: 50 });
  assert.equal(workload(loaded, 11, 5000), workload(twin, 11, 5000));
});

for (const options of [{ max: 50 }, { max: 50, maxSize: 400, sizeCalculation: (v) => 1 + (v % 7) }, { max: 50, eviction: 'lru' }]) {
  test(`a load that fits into a cache with a history is its clear() and the entries' writes (${JSON.stringify(options)})`, () => {
    // The input fits the cache emptied and repeats no key: the store takes it in one call
    // (persist.js `loadAll`), which must decide as the scratch pass would have: as the
    // cache cleared, then each entry written, least recently used first.
    const source = new Cache({ max: 50, eviction: 'adaptive' });
    for (let i = 0; i < 45; i++) source.set(i % 3 ? `k${i * 4}` : `other${i}`, i);
    const dump = source.dump();
    const make = () => new Cache({ eviction: 'adaptive', ...options });
    const loaded = make();
    const twin = make();
    assert.equal(workload(loaded, 3, 3000), workload(twin, 3, 3000));
    const before = loaded.stats();
    assert.equal(loaded.load(dump), undefined);
    twin.clear();
    for (const [k, { value }] of dump.entries) twin.set(k, value);
    assert.deepEqual([...loaded.keys()], [...twin.keys()]);
    assert.deepEqual(loaded.stats(), { ...before, sets: before.sets + 45, entries: 45, bytes: twin.stats().bytes });
    assert.equal(workload(loaded, 11, 5000), workload(twin, 11, 5000));
    assert.deepEqual(loaded.stats(), twin.stats());
  });
}

test('a load that fits in one call checks every entry before it clears the cache', () => {
  const input = { format: 'polycache', version: 1, entries: [['a', { value: 1 }], ['b', { value: 2 }]] };
  const sizes = [
    // Refused by the store's check of every size (load_all), before it clears anything.
    [(v) => (v === 2 ? -5 : 1), /size must be/],
    // Refused in JS, as the sizes are computed.
    [(v) => (v === 2 ? 'x' : 1), /size must be a number/],
    [
      (v) => {
        if (v === 2) throw new Error('no size for you');
        return 1;
      },
      /no size for you/,
    ],
  ];
  for (const [sizeCalculation, message] of sizes) {
    const cache = new Cache({ max: 10, sizeCalculation });
    cache.set('kept', 1);
    assert.throws(() => cache.load(input), { name: 'CacheLoadError', message });
    assert.deepEqual([...cache.keys()], ['kept']);
    assert.equal(cache.get('kept'), 1);
    assert.equal(cache.stats().sets, 1);
  }
});
