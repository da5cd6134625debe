// Bounds that user input cannot get around: sizes a maxSize cache cannot count, user
// callbacks that call a cache in the middle of a set, namespace tables that grow with
// every name, byte totals past 32 bits. Runs in every runtime (suite.mjs).
import { eq, ok, throws } from './assert.mjs';

export function boundsCases(lib) {
  const { Cache } = lib;
  const clock = (t = 1_000_000) => ({ t, now() { return this.t; } });
  return [
    ['sizeCalculation must return a positive integer, as lru-cache demands', () => {
      for (const bad of [0, -1, 1.5, NaN, Infinity, '3', undefined]) {
        const cache = new Cache({ maxSize: 100, sizeCalculation: (v) => (v === 'bad' ? bad : 1) });
        cache.set('a', 'ok');
        throws(() => cache.set('b', 'bad'), lib.CacheArgumentError, /positive integer/, `sizeCalculation -> ${String(bad)}`);
        throws(() => cache.set('a', 'bad'), lib.CacheArgumentError, /positive integer/, `replacing, ${String(bad)}`);
        eq([[...cache.entries()], cache.calculatedSize], [[['a', 'ok']], 1], `unchanged after ${String(bad)}`);
      }
    }],
    ['a size that is not a positive integer falls back to sizeCalculation, else is refused', () => {
      const cache = new Cache({ maxSize: 100, sizeCalculation: () => 7 });
      cache.set('a', 1, { size: 0 });
      eq(cache.calculatedSize, 7, 'size 0 -> sizeCalculation');
      const plain = new Cache({ maxSize: 100 });
      for (const bad of [0, -2, 0.5, NaN]) {
        throws(() => plain.set('a', 1, { size: bad }), lib.CacheArgumentError, /positive integer/, `size ${String(bad)}`);
      }
      eq(plain.size, 0, 'nothing stored');
    }],
    ['zero sizes cannot fill a maxSize-only cache past its bound', () => {
      const cache = new Cache({ maxSize: 50, sizeCalculation: (v) => v % 2 });
      for (let i = 0; i < 1000; i++) {
        try {
          cache.set(`k${i}`, i);
        } catch (e) {
          ok(e instanceof lib.CacheArgumentError, `size 0 refused: ${e}`);
        }
      }
      eq([cache.size, cache.calculatedSize], [50, 50], 'bounded');
    }],
    ['an adaptive maxSize-only cache (a bound of 2^32 - 1 entries) sizes its history for what it holds', () => {
      const cache = new Cache({ maxSize: 1000, eviction: 'adaptive' });
      for (let i = 0; i < 5000; i++) {
        cache.set(`k${i}`, i, { size: 1 });
        cache.get(`k${i >> 1}`);
      }
      eq([cache.size, cache.calculatedSize], [1000, 1000], 'bounded by maxSize');
    }],
    ['a sizeCalculation or clock that calls a cache cannot change the TTL of the set in progress', () => {
      const c = clock();
      const other = new Cache({ max: 10, now: () => c.now() });
      const cache = new Cache({
        max: 10,
        maxSize: 100,
        now: () => {
          other.set('from-now', 1, { ttl: 7 });
          return c.now();
        },
        sizeCalculation: () => {
          other.set('from-size', 1, { ttl: 5 });
          return 1;
        },
      });
      cache.set('a', 1, { ttl: 1000 });
      eq(cache.getRemainingTTL('a'), 1000, 'set keeps its own ttl');
      ok(cache.add('b', 1, { ttl: 2000 }), 'add stored');
      eq(cache.getRemainingTTL('b'), 2000, 'add keeps its own ttl');
      ok(cache.touch('a', { ttl: 3000 }), 'touched');
      eq(cache.getRemainingTTL('a'), 3000, 'touch keeps its own ttl');
      eq(other.getRemainingTTL('from-size'), 5, 'the inner set got its own ttl too');
    }],
    ['a size getter that calls a cache cannot change the TTL either', () => {
      const other = new Cache({ max: 10 });
      const cache = new Cache({ max: 10, maxSize: 100, now: () => 1_000_000 });
      const options = {
        ttl: 1000,
        get size() {
          other.set('x', 1, { ttl: 5 });
          return 1;
        },
      };
      cache.set('a', 1, options);
      eq(cache.getRemainingTTL('a'), 1000, 'ttl read before the getter ran');
    }],
    ['namespace generations stay bounded and never bring an invalidated key back', () => {
      const cache = new Cache({ max: 10 });
      const victim = cache.namespace('victim');
      victim.set('k', 'old');
      eq(victim.invalidate(), 2, 'invalidated');
      const seen = [];
      for (let i = 0; i < 3000; i++) {
        cache.invalidate(`user:${i}`);
        cache.namespace(`reader:${i}`).get('k');
        if (i % 500 === 0) seen.push(cache.generation('victim'));
      }
      ok(cache.stats().namespaces <= 64, `${cache.stats().namespaces} namespace rows for max 10`);
      ok(seen.every((g, i) => g >= 2 && (i === 0 || g >= seen[i - 1])), `generations ${seen} never go back`);
      eq(victim.get('k'), undefined, 'the invalidated key stays gone');
      const g = cache.generation('victim');
      eq(victim.key('x'), `victim|${g}|x`, 'the cached prefix follows the core');
      victim.set('k', 'new');
      eq(victim.get('k'), 'new', 'the namespace still works');
    }],
    ['snapshots and dumps carry the generation floor', () => {
      const cache = new Cache({ max: 1000 });
      cache.namespace('victim').set('k', 'old');
      cache.invalidate('victim');
      for (let i = 0; i < 2000; i++) cache.invalidate(`user:${i}`);
      ok(!cache.dump().namespaces.some(([n]) => n === 'victim'), 'victim was forgotten');
      ok(cache.dump().floor > 1, 'the dump has a floor');
      for (const [how, move] of [
        ['snapshot', (into) => into.loadSnapshot(cache.snapshot(), { allowUnsigned: true })],
        ['dump', (into) => into.load(JSON.parse(JSON.stringify(cache.dump())))],
      ]) {
        const fresh = new Cache({ max: 1000 });
        move(fresh);
        ok(fresh.generation('victim') >= 2, `${how}: victim at ${fresh.generation('victim')}`);
        eq(fresh.namespace('victim').get('k'), undefined, `${how}: the old key stays dead`);
      }
    }],
    ['a loader namespace below the input floor rises to it (each ends at the larger of the two)', () => {
      const source = new Cache({ max: 10 });
      for (let i = 0; i < 200; i++) source.invalidate(`user:${i}`);
      const floor = source.dump().floor;
      ok(floor > 2, `the source has a floor (${floor})`);
      for (const [how, move] of [
        ['snapshot', (into) => into.loadSnapshot(source.snapshot(), { allowUnsigned: true })],
        ['dump', (into) => into.load(source.dump())],
      ]) {
        const into = new Cache({ max: 1000 });
        into.invalidate('mine');
        move(into);
        eq(into.generation('mine'), floor, `${how}: mine rose from 2 to the input's floor`);
      }
    }],
    ['byte totals past 2^32 are counted exactly (wasm32 usize is 32 bits)', () => {
      const cache = new Cache({ max: 10 });
      cache.set('a', 1, { size: 3e9 }).set('b', 2, { size: 3e9 });
      eq(cache.calculatedSize, 6e9, 'no wrap-around');
      const bounded = new Cache({ maxSize: 4e9 });
      bounded.set('a', 1, { size: 3e9 }).set('b', 2, { size: 3e9 });
      eq([bounded.has('a'), bounded.has('b'), bounded.calculatedSize], [false, true, 3e9], 'maxSize holds');
    }],
    // A dropped cache's wasm memory comes back when its finalizer runs, after the task,
    // and never where FinalizationRegistry is missing (workerd without enable_weak_ref):
    // 3,000 caches here would take 60-250 MB without free().
    ['free() gives a cache\'s wasm memory back at once: caches made and freed do not grow it', () => {
      for (const Class of [Cache, lib.LRUCache]) {
        const memory = Class[Symbol.for('polycache.storeMemory')];
        const use = () => {
          const c = new Class({ max: 1000 });
          for (let i = 0; i < 100; i++) c.set(`k${i}`, i);
          eq(c.get('k7'), 7);
          return c;
        };
        use().free();
        const before = memory.buffer.byteLength;
        for (let i = 0; i < 3000; i++) use().free();
        const grown = memory.buffer.byteLength - before;
        ok(grown < 8 << 20, `${Class.name}: the memory grew ${grown} bytes`);
      }
    }],
    ['a freed cache throws CacheTrappedError; free() again does nothing; other caches go on', () => {
      const other = new Cache({ max: 10 });
      other.set('o', 1);
      const c = new Cache({ max: 10 });
      c.set('a', 1);
      c.free();
      c.free();
      const calls = { get: () => c.get('a'), 'get, a miss': () => c.get('zz'), set: () => c.set('b', 2), has: () => c.has('a'),
        delete: () => c.delete('a'), stats: () => c.stats(), keys: () => [...c.keys()] };
      for (const [what, call] of Object.entries(calls)) throws(call, lib.CacheTrappedError, /this Cache was freed/, what);
      eq(other.get('o'), 1, 'another cache goes on');
      const l = new lib.LRUCache({ max: 10 });
      l.set('a', 1);
      l.free();
      l.free();
      const lru = { get: () => l.get('a'), set: () => l.set('b', 2), 'set, held': () => l.set('a', 3), has: () => l.has('a'),
        peek: () => l.peek('a'), delete: () => l.delete('a') };
      for (const [what, call] of Object.entries(lru)) throws(call, lib.CacheTrappedError, /this LRUCache was freed/, `LRUCache ${what}`);
    }],
  ];
}
