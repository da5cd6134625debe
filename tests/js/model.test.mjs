// A model-based property test of the JS Cache: fast-check runs random sequences of calls
// (get, peek, has, set, add, touch, delete, getRemainingTTL, clear, purgeStale,
// namespaces and invalidate, dump/load, snapshot/loadSnapshot, a clock moved by hand) on
// the Cache and on a small model of the core's rules (docs/format.md sections 1-3) and
// checks after every call that both hold the same live keys in the same recency order,
// with the same values and remaining TTLs, and that the bounds hold. With `max` the model
// predicts every eviction (LRU, Django's cull); with `maxSize` it checks the bound and
// that a key is lost only to a counted eviction.
//
// POLYCACHE_MODEL_RUNS=5000 searches longer, at random (the default run is seeded).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Cache, ValueTooLargeError } from 'polycache';
import { DEFAULT_TTL, Model, START } from './model.mjs';

const search = process.env.POLYCACHE_MODEL_RUNS;
const runs = (n) => (search ? { numRuns: Number(search) } : { numRuns: n, seed: 20261202 });

const KEYS = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const NAMESPACES = fc.constantFrom('books', 'users');
const VALUES = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
  fc.record({ x: fc.integer({ min: 0, max: 9 }), y: fc.string({ maxLength: 2 }) }, { noNullPrototype: true }),
);
// Whole milliseconds, and seconds that are whole milliseconds.
const LIFETIMES = fc.constantFrom(
  undefined,
  { ttl: 0 },
  { ttl: -1 },
  { ttl: 250 },
  { ttl: 1000 },
  { timeout: null },
  { timeout: 0 },
  { timeout: -1 },
  { timeout: 2.5 },
);
const STEPS = fc.constantFrom(1, 249, 250, 999, 1000, 2500, DEFAULT_TTL, 60_000);

// ---- the commands: each runs on the model and the cache, then compares ---------------------

class Call {
  constructor(name, args, step) {
    this.name = name;
    this.args = args;
    this.step = step;
  }

  check() {
    return true;
  }

  run(model, real) {
    this.step(model, real, ...this.args);
    agree(model, real);
  }

  toString() {
    return `${this.name}(${this.args.map((a) => JSON.stringify(a)).join(', ')})`;
  }
}

const call = (name, step, ...arbs) => fc.tuple(...arbs).map((args) => new Call(name, args, step));

function same(real, modelled, what) {
  assert.deepStrictEqual(real, modelled, `${what}: cache ${JSON.stringify(real)}, model ${JSON.stringify(modelled)}`);
}

function nsKey(model, ns, key) {
  return `${ns}|${model.generation(ns)}|${key}`;
}

const plainCalls = [
  call('set', (m, r, k, v, o) => {
    m.set(k, v, o);
    r.cache.set(k, v, o);
  }, KEYS, VALUES, LIFETIMES),
  call('add', (m, r, k, v, o) => same(r.cache.add(k, v, o), m.add(k, v, o), `add(${k})`), KEYS, VALUES, LIFETIMES),
  call('get', (m, r, k) => same(r.cache.get(k), m.get(k), `get(${k})`), KEYS),
  call('peek', (m, r, k) => same(r.cache.peek(k), m.peek(k), `peek(${k})`), KEYS),
  call('has', (m, r, k) => same(r.cache.has(k), m.live(k), `has(${k})`), KEYS),
  call('touch', (m, r, k, o) => same(r.cache.touch(k, o), m.touch(k, o), `touch(${k})`), KEYS, LIFETIMES),
  call('delete', (m, r, k) => same(r.cache.delete(k), m.delete(k), `delete(${k})`), KEYS),
  call('setUndefined', (m, r, k) => {
    m.delete(k);
    r.cache.set(k, undefined);
  }, KEYS),
  call('getRemainingTTL', (m, r, k) => same(r.cache.getRemainingTTL(k), m.remaining(k), `getRemainingTTL(${k})`), KEYS),
  call('clear', (m, r) => {
    m.clear();
    r.cache.clear();
  }),
  call('purgeStale', (m, r) => {
    r.cache.purgeStale();
  }),
  call('advance', (m, r, ms) => {
    r.clock.t += ms;
  }, STEPS),
];

const namespaceCalls = [
  call('ns.set', (m, r, ns, k, v, o) => {
    m.set(nsKey(m, ns, k), v, o);
    r.cache.namespace(ns).set(k, v, o);
  }, NAMESPACES, KEYS, VALUES, LIFETIMES),
  call('ns.add', (m, r, ns, k, v, o) => same(r.cache.namespace(ns).add(k, v, o), m.add(nsKey(m, ns, k), v, o), `${ns}.add(${k})`), NAMESPACES, KEYS, VALUES, LIFETIMES),
  call('ns.get', (m, r, ns, k) => same(r.cache.namespace(ns).get(k), m.get(nsKey(m, ns, k)), `${ns}.get(${k})`), NAMESPACES, KEYS),
  call('ns.has', (m, r, ns, k) => same(r.cache.namespace(ns).has(k), m.live(nsKey(m, ns, k)), `${ns}.has(${k})`), NAMESPACES, KEYS),
  call('ns.touch', (m, r, ns, k, o) => same(r.cache.namespace(ns).touch(k, o), m.touch(nsKey(m, ns, k), o), `${ns}.touch(${k})`), NAMESPACES, KEYS, LIFETIMES),
  call('ns.delete', (m, r, ns, k) => same(r.cache.namespace(ns).delete(k), m.delete(nsKey(m, ns, k)), `${ns}.delete(${k})`), NAMESPACES, KEYS),
  call('invalidate', (m, r, ns) => same(r.cache.invalidate(ns), m.invalidate(ns), `invalidate(${ns})`), NAMESPACES),
  call('ns.generation', (m, r, ns) => same(r.cache.namespace(ns).generation, m.generation(ns), `${ns}.generation`), NAMESPACES),
];

const snapshotCalls = [
  call('dump', (m, r) => {
    r.saved = { real: JSON.parse(JSON.stringify(r.cache.dump())), model: m.dump() };
  }),
  call('load', (m, r) => {
    if (r.saved === undefined) return;
    r.cache.load(r.saved.real);
    m.load(r.saved.model);
  }),
  call('snapshot', (m, r) => {
    r.snap = { bytes: r.cache.snapshot({ key: 'model snapshot key, 32 bytes' }), model: m.dump() };
  }),
  call('loadSnapshot', (m, r) => {
    if (r.snap === undefined) return;
    const report = r.cache.loadSnapshot(r.snap.bytes, { key: 'model snapshot key, 32 bytes' });
    same(report, { verified: true, entries: m.load(r.snap.model) }, 'loadSnapshot()');
  }),
];

// ---- what must hold after every call ---------------------------------------------------------

function agree(model, r) {
  const live = model.liveKeysMostRecentFirst();
  const held = [...r.cache.keys()];
  if (!r.exact) {
    const lost = live.filter((k) => !held.includes(k));
    for (const k of lost) model.entries.delete(k); // evicted for bytes: the model forgets them
    r.lost += lost.length;
    assert.ok(r.lost <= r.cache.stats().evictions, `${r.lost} keys lost, ${r.cache.stats().evictions} evictions counted`);
  }
  same(held, model.liveKeysMostRecentFirst(), 'live keys, most recent first');
  for (const k of held) {
    same(r.cache.peek(k), model.peek(k), `value of ${k}`);
    same(r.cache.getRemainingTTL(k), model.remaining(k), `remaining TTL of ${k}`);
  }
  const stats = r.cache.stats();
  // A load keeps the counters, as the Python binding does.
  same([stats.hits, stats.misses], [model.hits, model.misses], 'hits and misses');
  assert.ok(stats.entries <= r.options.max, `${stats.entries} entries over max ${r.options.max}`);
  assert.ok(r.cache.size <= r.options.max, `size ${r.cache.size} over max`);
  if (r.options.maxSize !== undefined) {
    assert.ok(r.cache.calculatedSize <= r.options.maxSize, `calculatedSize ${r.cache.calculatedSize} over maxSize`);
  }
}

function machine(options, modelOptions, calls, numRuns, exact = true) {
  fc.assert(
    fc.property(fc.commands(calls, { maxCommands: 60, size: 'large' }), (cmds) => {
      const clock = { t: START };
      // The model is LRU's: the default policy is not (adaptive), so ask for LRU.
      const full = { ttl: DEFAULT_TTL, now: () => clock.t, eviction: 'lru', ...options };
      const real = { cache: new Cache(full), clock, options: { max: Infinity, ...options }, exact, lost: 0 };
      fc.modelRun(() => ({ model: new Model(() => clock.t, modelOptions), real }), cmds);
    }),
    { ...runs(numRuns), includeErrorInReport: true },
  );
}

const everything = [...plainCalls, ...namespaceCalls, ...snapshotCalls];

test('model: an unbounded cache follows the model', () => {
  machine({ max: 1_000_000 }, {}, everything, 300);
});

test('model: without a default ttl (nothing expires until a write asks)', () => {
  machine({ max: 1_000_000, ttl: undefined }, { defaultTtl: Infinity }, everything, 200);
});

test("model: timeouts: 'django' (the default lifetime is 300 s)", () => {
  machine({ max: 1_000_000, ttl: undefined, timeouts: 'django' }, { defaultTtl: 300_000 }, everything, 200);
});

for (const [name, options, cull] of [
  ['lru', { max: 4 }, undefined],
  ['cull 2', { max: 4, eviction: 'cull', cullFrequency: 2 }, 2],
  ['cull 3', { max: 4, eviction: 'cull', cullFrequency: 3 }, 3],
  ['cull all', { max: 4, eviction: 'cull', cullFrequency: 0 }, 0],
]) {
  test(`model: max 4 (${name}) evicts as the model`, () => {
    machine(options, { max: 4, cull }, everything, 150);
  });
}

const MAX_SIZE = 100;
const SIZES = fc.integer({ min: 1, max: 40 });

const sizedCalls = [
  call('set sized', (m, r, k, v, size) => {
    m.set(k, v, undefined);
    r.cache.set(k, v, { size });
  }, KEYS, VALUES, SIZES),
  call('ns.set sized', (m, r, ns, k, v, size) => {
    m.set(nsKey(m, ns, k), v, undefined);
    r.cache.namespace(ns).set(k, v, { size });
  }, NAMESPACES, KEYS, VALUES, SIZES),
  call('set too large', (m, r, k, v) => {
    const before = m.peek(k);
    assert.throws(() => r.cache.set(k, v, { size: MAX_SIZE + 1 }), ValueTooLargeError);
    same(r.cache.peek(k), before, `${k} after a refused value`);
  }, KEYS, VALUES),
  call('get', (m, r, k) => same(r.cache.get(k), m.get(k), `get(${k})`), KEYS),
  call('delete', (m, r, k) => same(r.cache.delete(k), m.delete(k), `delete(${k})`), KEYS),
  call('invalidate', (m, r, ns) => same(r.cache.invalidate(ns), m.invalidate(ns), `invalidate(${ns})`), NAMESPACES),
  call('touch', (m, r, k, o) => same(r.cache.touch(k, o), m.touch(k, o), `touch(${k})`), KEYS, LIFETIMES),
  call('advance', (m, r, ms) => {
    r.clock.t += ms;
  }, STEPS),
];

test('model: maxSize holds, and only counted evictions lose keys', () => {
  machine({ maxSize: MAX_SIZE }, {}, sizedCalls, 300, false);
});

test(
  'model: load() and loadSnapshot() keep the counters, as the Python binding does',
  () => {
    const cache = new Cache({ max: 10 });
    cache.set('a', 1);
    cache.get('a');
    cache.get('missing');
    cache.load(cache.dump());
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [1, 1]);
    cache.loadSnapshot(cache.snapshot({ key: 'model snapshot key, 32 bytes' }), { key: 'model snapshot key, 32 bytes' });
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [1, 1]);
  },
);
