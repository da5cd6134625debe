// LRUCache cases for the shared suite (suite.mjs), run in every runtime: Node ESM/CJS,
// Chromium, workerd, Deno. Synchronous, with an injected clock. The side-by-side tests
// against the real lru-cache are Node-only (lru-*.test.mjs).
import { eq, ok, throws } from './assert.mjs';

function clock(t = 1000) {
  const c = { t, perf: { now: () => c.t } };
  return c;
}

export function lruCases(lib) {
  const { LRUCache } = lib;
  return [
    ['LRUCache: any key, least recently used evicted, dispose told why', () => {
      const log = [];
      const c = new LRUCache({ max: 3, dispose: (v, k, why) => log.push([v, why]) });
      const obj = {};
      const sym = Symbol('s');
      c.set(1, 'one').set(obj, 'obj').set(sym, 'sym');
      eq([c.get(1), c.get(obj), c.get({}), c.get(sym), c.get('1')], ['one', 'obj', undefined, 'sym', undefined], 'keys by identity');
      c.set('new', 'n');
      eq(log, [['one', 'evict']], 'the least recently used went');
      eq([...c.keys()].length, 3, 'three held');
      eq(Object.prototype.toString.call(c), '[object LRUCache]', 'toStringTag');
      // workerd's entry is minified (build.mjs): the class keeps its name there too.
      eq([LRUCache.name, c.constructor.name, lib.Cache.name], ['LRUCache', 'LRUCache', 'Cache'], 'class names');
    }],
    ['LRUCache: stale when age > ttl, getRemainingTTL negative once stale', () => {
      const k = clock();
      const c = new LRUCache({ max: 5, ttl: 10, ttlResolution: 0, perf: k.perf });
      c.set('a', 1);
      k.t += 10;
      eq([c.get('a'), c.getRemainingTTL('a')], [1, 0], 'alive at age == ttl');
      k.t += 1;
      eq([c.getRemainingTTL('a'), c.has('a'), c.size], [-1, false, 1], 'stale, still held');
      eq([c.get('a'), c.size, c.getRemainingTTL('a')], [undefined, 0, 0], 'a stale get deletes');
    }],
    ['LRUCache: maxSize by sizeCalculation; oversized entry refused and key deleted', () => {
      const c = new LRUCache({ maxSize: 10, sizeCalculation: (v) => v.length });
      c.set('a', 'aaaa').set('b', 'bbbb').set('c', 'cc');
      eq([c.calculatedSize, c.size], [10, 3], 'full');
      c.set('d', 'ddd');
      eq([...c.rkeys()], ['b', 'c', 'd'], 'a evicted');
      const status = {};
      c.set('b', 'x'.repeat(11), { status });
      eq([c.has('b'), status.set, status.maxEntrySizeExceeded], [false, 'miss', true], 'too large');
    }],
    ['LRUCache: dump in lru-cache form loads back; status objects; pop', () => {
      const k = clock();
      const c = new LRUCache({ max: 5, ttl: 100, ttlResolution: 0, perf: k.perf });
      c.set('a', 1).set('b', 2, { ttl: 0 });
      const d = c.dump();
      eq(d.map(([key, e]) => [key, e.value, e.ttl]), [['a', 1, 100], ['b', 2, 0]], 'oldest first');
      const e = new LRUCache({ max: 5, perf: k.perf, ttlResolution: 0 });
      e.load(d);
      eq([e.get('a'), e.get('b'), e.getRemainingTTL('b')], [1, 2, Infinity], 'loaded');
      ok(e.getRemainingTTL('a') > 0 && e.getRemainingTTL('a') <= 100, 'ttl kept');
      const s = {};
      e.get('a', { status: s });
      eq([s.op, s.get, s.ttl], ['get', 'hit', 100], 'status');
      eq([e.pop(), e.pop(), e.pop()], [2, 1, undefined], 'pop oldest first');
    }],
    ['LRUCache: bad options throw lru-cache error classes', () => {
      throws(() => new LRUCache({}), TypeError, /At least one of max, maxSize, or ttl is required/, 'no bound');
      throws(() => new LRUCache({ max: -1 }), TypeError, /max option/, 'negative max');
      throws(() => new LRUCache({ max: 1, maxAge: 5 }), TypeError, /unknown LRUCache option/, 'unknown option');
      eq(new LRUCache({ ttl: 5, ttlAutopurge: true }).max, 0, 'ttl-only cache');
    }],
  ];
}
