// polycache's LRUCache against the real lru-cache 11, side by side: random sequences of
// operations on both, with the same options, the same injected clock (`perf`) and the
// same Date.now, comparing every return value, every status object, every dispose,
// disposeAfter and onInsert call in order, and size/calculatedSize/dump() after each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ours, Real, normalize, rng } from './lru-side.mjs';

const EPOCH = 1_700_000_000_000;
let clock = 1000;
Date.now = () => EPOCH + Math.floor(clock);
const perf = { now: () => clock };

// Keys of every kind lru-cache takes; the same instances go to both caches.
const KEYS = ['a', 'b', 'c', 1, 2, 0, -0, NaN, Symbol('s'), { o: 1 }, [1], 'd', 'e', 3.5, true, null];
const VALUES = [1, 'x', { v: 1 }, [2], 'yy', 0, false, 'a long value'];

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}
const maybe = (r, p) => r() < p;

function randomOptions(r) {
  const o = { perf, ttlResolution: maybe(r, 0.7) ? 0 : 1 };
  const bound = Math.floor(r() * 4);
  if (bound === 0 || bound === 2) o.max = 1 + Math.floor(r() * 6);
  if (bound === 1 || bound === 2) {
    o.maxSize = 4 + Math.floor(r() * 20);
    if (maybe(r, 0.5)) o.sizeCalculation = (v) => String(v).length || 1;
    if (maybe(r, 0.3)) o.maxEntrySize = 1 + Math.floor(r() * o.maxSize);
  }
  if (bound === 3 || maybe(r, 0.5)) o.ttl = 1 + Math.floor(r() * 50);
  for (const flag of ['allowStale', 'updateAgeOnGet', 'updateAgeOnHas', 'noDeleteOnStaleGet', 'noUpdateTTL', 'noDisposeOnSet']) {
    if (maybe(r, 0.25)) o[flag] = true;
  }
  if (bound === 3 && !o.max) o.max = 8; // keep the unbounded warning out of the output
  return o;
}

// `quiet`: a cache with no dispose, disposeAfter or onInsert (polycache's LRUCache then
// writes an entry and its lifetime in one store call).
const memoMethod = (k, stale, { context }) => `memo:${String(k)}:${String(stale)}:${context}`;
function build(Cls, options, log, quiet) {
  if (quiet) return new Cls({ ...options, memoMethod });
  return new Cls({
    ...options,
    dispose: (v, k, reason) => log.push(['dispose', v, k, reason]),
    disposeAfter: (v, k, reason) => log.push(['disposeAfter', v, k, reason]),
    onInsert: (v, k, reason) => log.push(['onInsert', v, k, reason]),
    memoMethod,
  });
}

function sizeOpts(r, options) {
  const o = {};
  if (options.maxSize && !options.sizeCalculation) o.size = 1 + Math.floor(r() * 6);
  else if (options.maxSize && maybe(r, 0.2)) o.size = 1 + Math.floor(r() * 10);
  return o;
}

// One random operation, as a function of a cache; the same draw runs on both caches.
function randomOp(r, options) {
  const k = pick(r, KEYS);
  const withStatus = maybe(r, 0.5);
  const st = () => (withStatus ? {} : undefined);
  const n = Math.floor(r() * 22);
  switch (n) {
    case 0:
    case 1:
    case 2: {
      const v = maybe(r, 0.05) ? undefined : pick(r, VALUES);
      const o = { ...sizeOpts(r, options) };
      if (maybe(r, 0.3)) o.ttl = pick(r, [0, 1, 5, 20, 100, -1]);
      if (maybe(r, 0.1)) o.noUpdateTTL = true;
      if (maybe(r, 0.1)) o.start = clock - Math.floor(r() * 10);
      if (maybe(r, 0.1)) o.noDisposeOnSet = true;
      return [`set ${String(k)}`, (c, s = st()) => [c.set(k, v, { ...o, status: s }) === c, s]];
    }
    case 3:
    case 4: {
      const o = {};
      if (maybe(r, 0.2)) o.allowStale = maybe(r, 0.5);
      if (maybe(r, 0.2)) o.updateAgeOnGet = true;
      if (maybe(r, 0.2)) o.noDeleteOnStaleGet = true;
      return [`get ${String(k)}`, (c, s = st()) => [c.get(k, { ...o, status: s }), s]];
    }
    case 5: {
      const allowStale = maybe(r, 0.3) || undefined;
      return [`peek ${String(k)}`, (c, s = st()) => [c.peek(k, { allowStale, status: s }), s]];
    }
    case 6: {
      const updateAgeOnHas = maybe(r, 0.3) || undefined;
      return [`has ${String(k)}`, (c, s = st()) => [c.has(k, { updateAgeOnHas, status: s }), s]];
    }
    case 7:
      return [`delete ${String(k)}`, (c) => c.delete(k)];
    case 8:
      return ['pop', (c) => c.pop()];
    case 9:
    case 10: {
      const ms = pick(r, [0.5, 1, 3, 10, 25, 60]);
      return [`advance ${ms}`, () => (clock += ms)];
    }
    case 11:
      return [`getRemainingTTL ${String(k)}`, (c) => c.getRemainingTTL(k)];
    case 12:
      return [`info ${String(k)}`, (c) => c.info(k)];
    case 13:
      return ['iterate', (c) => [[...c.keys()], [...c.values()], [...c.entries()], [...c.rkeys()], [...c.rvalues()], [...c.rentries()], [...c]]];
    case 14:
      return ['purgeStale', (c) => c.purgeStale()];
    case 15: {
      const want = pick(r, VALUES);
      return ['find', (c, s = st()) => [c.find((v) => v === want, { status: s }), s]];
    }
    case 16:
      return ['forEach', (c) => {
        const seen = [];
        c.forEach((v, key, self) => seen.push([v, key, self === c]));
        c.rforEach((v, key) => seen.push(['r', v, key]));
        return seen;
      }];
    case 17: {
      const forceRefresh = maybe(r, 0.2) || undefined;
      return [`memo ${String(k)}`, (c, s = st()) => [c.memo(k, { context: 'ctx', forceRefresh, status: s }), s]];
    }
    case 18:
      return maybe(r, 0.2) ? ['clear', (c) => c.clear()] : ['size', (c) => [c.size, c.calculatedSize]];
    case 19:
      return ['dump+load', (c) => {
        const d = c.dump();
        c.load(structuredCloneKeys(d));
        return d;
      }];
    default: {
      const o = sizeOpts(r, options);
      return [`set ${String(k)} same`, (c) => c.set(k, VALUES[0], { ...o }) === c];
    }
  }
}

// load() rewrites `start` in the entries it is given; each cache gets its own copy
// (keys and values keep their identity).
function structuredCloneKeys(d) {
  return d.map(([k, e]) => [k, { ...e }]);
}

function runSequence(seed, steps) {
  const r = rng(seed);
  clock = 1000;
  const options = randomOptions(r);
  const quiet = seed % 3 === 0;
  const realLog = [];
  const ourLog = [];
  const real = build(Real, options, realLog, quiet);
  const ours = build(Ours, options, ourLog, quiet);
  const trail = [];
  for (let i = 0; i < steps; i++) {
    const [name, op] = randomOp(r, options);
    trail.push(name);
    const at = clock;
    const outcome = (c) => {
      try {
        return { ok: normalize(op(c)) };
      } catch (e) {
        return { threw: e.constructor.name, message: e.message };
      }
    };
    const a = outcome(real);
    if (name.startsWith('advance')) clock = at; // advance once for both
    const b = outcome(ours);
    const where = `seed ${seed}${quiet ? ' (no callbacks)' : ''}, options ${JSON.stringify({ ...options, perf: undefined, sizeCalculation: !!options.sizeCalculation })}, steps:\n  ${trail.slice(-12).join('\n  ')}`;
    assert.deepEqual(b, a, `return of ${name} differs; ${where}`);
    assert.deepEqual(ourLog, realLog, `callbacks differ after ${name}; ${where}`);
    assert.deepEqual([ours.size, ours.calculatedSize], [real.size, real.calculatedSize], `size differs after ${name}; ${where}`);
    assert.deepEqual(normalize(ours.dump()), normalize(real.dump()), `dump differs after ${name}; ${where}`);
  }
  return trail.length;
}

test('random operation sequences: LRUCache answers as lru-cache 11 does, step by step', () => {
  let steps = 0;
  for (let seed = 1; seed <= 400; seed++) steps += runSequence(seed, 120);
  assert.equal(steps, 400 * 120);
});

test('long runs of gets (the store replays them from a ring of 512) keep lru-cache 11 order, with and without a ttl', () => {
  for (const ttl of [undefined, 30]) {
    const r = rng(99);
    clock = 1000;
    const options = ttl === undefined ? { max: 40 } : { max: 40, ttl, perf, ttlResolution: 0 };
    const real = new Real(options);
    const ours = new Ours(options);
    for (let i = 0; i < 6000; i++) {
      const k = `k${Math.floor(r() * 60)}`;
      if (r() < 0.85) {
        assert.equal(ours.get(k), real.get(k), `get ${k} at ${i}, ttl ${ttl}`);
      } else {
        ours.set(k, i);
        real.set(k, i);
      }
      clock += 0.37;
      if (i % 250 === 0) assert.deepEqual([...ours.keys()], [...real.keys()], `order at ${i}, ttl ${ttl}`);
    }
    assert.deepEqual([...ours.entries()], [...real.entries()]);
  }
});

test('long runs of option-less sets (new keys below the bound and rewrites go through the ring) keep lru-cache 11 order', () => {
  // A cache with no callbacks, ttl or sizes takes such writes into its store's ring;
  // deletes and clears bring it below the bound again, new keys past it evict.
  for (const max of [30, 500]) {
    const r = rng(max);
    const real = new Real({ max });
    const ours = new Ours({ max });
    const same = (f, what) => assert.deepEqual(f(ours), f(real), what);
    for (let i = 0; i < 8000; i++) {
      const k = `s${Math.floor(r() * 90)}`;
      const x = r();
      // Values from a small pool, so some writes keep the value they replace.
      const v = Math.floor(r() * 3);
      if (x < 0.45) same((c) => c.set(k, v) === c && c.size, `set ${k} at ${i}, max ${max}`);
      else if (x < 0.85) same((c) => c.get(k), `get ${k} at ${i}, max ${max}`);
      else if (x < 0.9) same((c) => [c.has(k), c.peek(k)], `has/peek ${k} at ${i}, max ${max}`);
      else if (x < 0.999) same((c) => c.delete(k), `delete ${k} at ${i}, max ${max}`);
      else same((c) => (c.clear(), c.size), `clear at ${i}, max ${max}`);
      if (i % 333 === 0) same((c) => [[...c.keys()], c.dump()], `order at ${i}, max ${max}`);
    }
    same((c) => [[...c.entries()], [...c.rkeys()]], `entries at the end, max ${max}`);
  }
});

test('option-less gets of stale entries follow the cache flags as lru-cache 11 reads them', () => {
  const flagSets = [{}, { allowStale: true }, { noDeleteOnStaleGet: true }, { updateAgeOnGet: true }, { allowStale: true, noDeleteOnStaleGet: true, updateAgeOnGet: true }];
  for (const flags of flagSets) {
    const r = rng(7);
    clock = 1000;
    const options = { max: 50, ttl: 20, perf, ttlResolution: 0, ...flags };
    const real = new Real(options);
    const ours = new Ours(options);
    const same = (f, what) => assert.deepEqual(f(ours), f(real), `${what}, ${JSON.stringify(flags)}`);
    for (let i = 0; i < 3000; i++) {
      const k = `g${Math.floor(r() * 70)}`;
      if (r() < 0.7) same((c) => c.get(k), `get ${k} at ${i}`);
      else same((c) => c.set(k, i) === c, `set ${k} at ${i}`);
      // Flags changed on the cache, as lru-cache's public fields may be.
      if (i === 1500) for (const c of [ours, real]) c.allowStale = !c.allowStale;
      clock += r() * 0.9;
      if (i % 250 === 0) same((c) => [[...c.keys()], c.size], `order at ${i}`);
    }
  }
});
