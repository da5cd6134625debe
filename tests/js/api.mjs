// The lru-cache API and what polycache adds, with a clock the tests move by hand.
import { eq, ok, throws } from './assert.mjs';

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

export function apiCases(lib) {
  const { Cache } = lib;
  return [
    ["the default policy is 'adaptive': a scan of new keys keeps the keys read often, where 'lru' loses them", () => {
      const survivors = (options) => {
        const cache = new Cache({ max: 100, ...options });
        const hot = Array.from({ length: 50 }, (_, i) => `hot${i}`);
        for (let round = 0; round < 4; round++) for (const k of hot) cache.get(k) ?? cache.set(k, k);
        for (let i = 0; i < 300; i++) cache.set(`scan${i}`, i);
        return hot.filter((k) => cache.has(k)).length;
      };
      eq(survivors({ eviction: 'lru' }), 0, 'lru: the scan flushed every hot key');
      ok(survivors({}) >= 45, `default: the hot keys stayed (${survivors({})} of 50)`);
      eq(survivors({}), survivors({ eviction: 'adaptive' }), 'the default decides as adaptive');
    }],
    ['get, set, has, peek, delete as in lru-cache', () => {
      const cache = new Cache({ max: 10 });
      eq(cache.set('a', { n: 1 }), cache, 'set returns the cache');
      eq(cache.get('a'), { n: 1 }, 'get');
      eq([cache.has('a'), cache.has('b')], [true, false], 'has');
      eq(cache.peek('a'), { n: 1 }, 'peek');
      eq(cache.get('b'), undefined, 'missing key');
      eq([cache.delete('a'), cache.delete('a')], [true, false], 'delete');
      eq([cache.size, cache.get('a')], [0, undefined], 'after delete');
      const obj = {};
      cache.set('same', obj);
      ok(cache.get('same') === obj, 'values are kept as they are, not copied');
      cache.set('null', null);
      eq([cache.has('null'), cache.get('null')], [true, null], 'null is a value');
      cache.set('same', undefined);
      eq([cache.has('same'), cache.size], [false, 1], 'setting undefined deletes, as in lru-cache');
    }],
    ['least recently used goes first; peek and has do not refresh', () => {
      const cache = new Cache({ max: 3, eviction: 'lru' });
      cache.set('a', 1).set('b', 2).set('c', 3);
      cache.get('a');
      cache.peek('b');
      cache.has('b');
      cache.set('d', 4);
      eq([...cache.keys()], ['d', 'a', 'c'], 'b was least recently used');
      eq([cache.size, cache.max, cache.stats().evictions], [3, 3, 1], 'size, max, evictions');
      cache.set('c', 30);
      eq([...cache.entries()], [['c', 30], ['d', 4], ['a', 1]], 'overwrite refreshes, evicts nothing');
    }],
    ['ttl in milliseconds with an injected clock', () => {
      const c = clock();
      const cache = new Cache({ max: 10, ttl: 1000, now: c.now });
      cache.set('a', 1).set('b', 2, { ttl: 5000 }).set('forever', 3, { ttl: 0 });
      eq(cache.getRemainingTTL('a'), 1000, 'default ttl');
      c.t += 999;
      eq([cache.get('a'), cache.getRemainingTTL('a')], [1, 1], 'live 1 ms before expiry');
      c.t += 1;
      eq([cache.get('a'), cache.has('a'), cache.getRemainingTTL('a')], [undefined, false, 0], 'expired exactly at ttl');
      eq(cache.getRemainingTTL('b'), 4000, 'per-call ttl');
      eq(cache.getRemainingTTL('forever'), Infinity, 'ttl 0 means no ttl, as in lru-cache');
      eq(cache.getRemainingTTL('never-set'), 0, 'missing key');
      c.t += 10_000_000;
      eq([...cache.keys()], ['forever'], 'iteration skips expired entries');
      ok(cache.purgeStale(), 'purgeStale reclaims');
      eq(cache.size, 1, 'size after purge');
    }],
    ['the clock is read only once an entry can expire', () => {
      const c = clock();
      let reads = 0;
      const cache = new Cache({ max: 10, eviction: 'lru', now: () => (reads++, c.t) });
      cache.set('a', 1).set('b', 2);
      cache.get('a');
      cache.has('b');
      eq([...cache.keys()], ['a', 'b'], 'keys');
      eq(reads, 0, 'no TTL anywhere: no clock reads');
      cache.set('t', 3, { ttl: 100 });
      ok(reads > 0, 'a TTL makes the clock matter');
      c.t += 100;
      eq([cache.get('a'), cache.get('t'), cache.getRemainingTTL('b')], [1, undefined, Infinity], 'entries from before keep no expiry');
      const loaded = new Cache({ max: 10, now: c.now });
      loaded.load({ format: 'polycache', version: 1, entries: [['x', { value: 1, size: 0, expiresAt: c.t + 5 }]] });
      eq(loaded.getRemainingTTL('x'), 5, 'a loaded expiry is honoured');
      c.t += 5;
      eq(loaded.has('x'), false, 'and expires');
    }],
    ['odd milliseconds stay exact (no round trip through seconds)', () => {
      const c = clock(0);
      const cache = new Cache({ max: 10, now: c.now });
      for (const ms of [1, 2007, 2011, 59_999]) {
        cache.set('k', 1, { ttl: ms });
        eq(cache.getRemainingTTL('k'), ms, `ttl ${ms}`);
      }
    }],
    ['Django timeouts as an option', () => {
      const c = clock();
      const cache = new Cache({ max: 10, timeouts: 'django', now: c.now });
      cache.set('default', 1);
      eq(cache.getRemainingTTL('default'), 300_000, 'Django default is 300 s');
      cache.set('never', 1, { timeout: null }).set('half', 1, { timeout: 0.5 });
      eq([cache.getRemainingTTL('never'), cache.getRemainingTTL('half')], [Infinity, 500], 'null and fractions');
      cache.set('default', 2, { timeout: 0 });
      eq([cache.has('default'), cache.size], [false, 2], 'timeout 0 removes the key');
      eq(cache.add('never', 9), false, 'add keeps a live key');
      eq([cache.add('new', 9, { timeout: 10 }), cache.get('new')], [true, 9], 'add stores a missing key');
      eq(cache.touch('half', { timeout: 60 }), true, 'touch');
      eq(cache.getRemainingTTL('half'), 60_000, 'touch sets a new expiry');
      eq([cache.touch('half', { timeout: -1 }), cache.has('half')], [true, false], 'touch to the past removes');
      eq(cache.touch('missing', { timeout: 1 }), false, 'touch of a missing key');
    }],
    ['maxSize with sizeCalculation never passes its bound', () => {
      const cache = new Cache({ maxSize: 100, sizeCalculation: (v, k) => v.length + k.length });
      for (let i = 0; i < 50; i++) {
        cache.set(`k${i}`, 'x'.repeat(i % 17));
        ok(cache.calculatedSize <= 100, `calculatedSize ${cache.calculatedSize} after ${i}`);
      }
      eq([cache.maxSize, cache.max], [100, Infinity], 'bounds');
      const keys = [...cache.keys()];
      eq(keys[0], 'k49', 'most recent kept');
      ok(!cache.has('k0'), 'oldest evicted');
      const total = keys.reduce((n, k) => n + cache.peek(k).length + k.length, 0);
      eq(cache.calculatedSize, total, 'calculatedSize is the sum of the sizes held');
      eq(cache.stats().bytes, total, 'stats().bytes too');
    }],
    ['explicit size per set and the entry bound together', () => {
      const cache = new Cache({ max: 3, maxSize: 10, eviction: 'lru' });
      cache.set('a', 1, { size: 4 }).set('b', 2, { size: 4 }).set('c', 3, { size: 4 });
      eq([...cache.keys()], ['c', 'b'], 'byte bound evicted a');
      cache.set('d', 4, { size: 1 }).set('e', 5, { size: 1 });
      eq([...cache.keys()], ['e', 'd', 'c'], 'entry bound evicted b');
      eq(cache.stats().bytes, 6, 'bytes');
      const unsized = new Cache({ max: 3 });
      unsized.set('a', 'x'.repeat(100));
      eq(unsized.stats().bytes, null, 'a cache that sizes nothing does not claim 0 bytes');
    }],
    ['iteration: keys, values, entries, forEach, Symbol.iterator', () => {
      const cache = new Cache({ max: 10 });
      cache.set('a', 1).set('b', 2).set('c', 3);
      eq([...cache.keys()], ['c', 'b', 'a'], 'keys');
      eq([...cache.values()], [3, 2, 1], 'values');
      eq([...cache], [['c', 3], ['b', 2], ['a', 1]], 'iterator');
      const seen = [];
      cache.forEach((v, k, self) => seen.push([k, v, self === cache]));
      eq(seen, [['c', 3, true], ['b', 2, true], ['a', 1, true]], 'forEach');
      const seen2 = [];
      for (const [k, v] of cache) {
        seen2.push([k, v]);
        if (k === 'c') {
          cache.delete('a');
          cache.set('x', 0); // takes the slot 'a' just freed
        }
      }
      eq(seen2, [['c', 3], ['b', 2], ['a', 1]], 'iteration shows the cache as it was when it began');
      eq([...cache.keys()], ['x', 'c', 'b'], 'and the changes after');
    }],
    ['stats count what happened', () => {
      const c = clock();
      const cache = new Cache({ max: 2, eviction: 'lru', now: c.now });
      cache.set('a', 1).set('b', 2, { ttl: 10 });
      cache.get('a');
      cache.get('zzz');
      c.t += 10;
      cache.get('b');
      cache.set('c', 3).set('d', 4);
      cache.delete('c');
      eq(cache.stats(), { hits: 1, misses: 2, sets: 4, deletes: 1, evictions: 1, expirations: 1, entries: 1, bytes: null, namespaces: 0 }, 'stats: no sizes, so no bytes rather than 0');
      eq([...cache.keys()], ['d'], 'keys');
    }],
    ['namespaces: invalidate is O(1) and leaves other namespaces alone', () => {
      const cache = new Cache({ max: 100 });
      const books = cache.namespace('books');
      const users = cache.namespace('users');
      books.set('list:1', 'page one');
      users.set('list:1', 'alice');
      eq([books.get('list:1'), users.get('list:1')], ['page one', 'alice'], 'separate');
      eq([books.key('list:1'), books.generation], ['books|1|list:1', 1], 'key and generation');
      eq(lib.namespacedKey('books', 1, 'list:1'), books.key('list:1'), 'the core builds the key');
      eq(books.invalidate(), 2, 'new generation');
      eq([books.get('list:1'), books.has('list:1'), users.get('list:1')], [undefined, false, 'alice'], 'after invalidate');
      books.set('list:1', 'fresh');
      eq(books.get('list:1'), 'fresh', 'new generation writes');
      cache.clear();
      eq([cache.generation('books'), books.key('x')], [2, 'books|2|x'], 'generations survive clear');
      const odd = cache.namespace('a|b');
      odd.set('k', 1);
      eq([...cache.keys()], ['a%7Cb|1|k'], 'separators in names are escaped');
    }],
    ['dump and load round-trip through JSON', () => {
      const c = clock();
      const cache = new Cache({ max: 10, maxSize: 1000, now: c.now });
      cache.set('a', { x: [1, 2] }, { size: 10, ttl: 5000 }).set('b', 'two', { size: 20 }).set('c', 3, { size: 30 });
      cache.get('a');
      cache.invalidate('ns');
      cache.namespace('ns').set('k', 'v', { size: 1 });
      const json = JSON.stringify(cache.dump());
      const other = new Cache({ max: 10, maxSize: 1000, now: c.now });
      other.set('stale', 1, { size: 1 });
      other.load(JSON.parse(json));
      eq([...other.entries()], [...cache.entries()], 'same entries, same recency');
      eq([other.getRemainingTTL('a'), other.getRemainingTTL('b')], [5000, Infinity], 'expiries kept');
      eq([other.has('stale'), other.generation('ns'), other.calculatedSize], [false, 2, 61], 'replaced, generations and sizes');
      c.t += 5000;
      const later = new Cache({ max: 10, maxSize: 1000, now: c.now });
      later.load(JSON.parse(json));
      eq([...later.keys()], ['ns|2|k', 'c', 'b'], 'entries that expired since the dump are dropped');
    }],
    ['load takes an lru-cache dump', () => {
      const c = clock(1_000_000);
      const cache = new Cache({ max: 10, now: c.now });
      cache.load([
        ['old', { value: 1, ttl: 1000, start: 999_500, size: 1 }],
        ['forever', { value: 2 }],
        ['gone', { value: 3, ttl: 10, start: 1 }],
      ]);
      eq([...cache.entries()], [['forever', 2], ['old', 1]], 'entries, last loaded most recent');
      eq(cache.getRemainingTTL('old'), 500, 'start + ttl is the expiry');
    }],
    ['lone surrogates stay distinct keys; the core never sees them', () => {
      const cache = new Cache({ max: 10 });
      cache.set('\uD800', 'lone high').set('\uFFFD', 'replacement').set('\uDC00', 'lone low');
      eq([cache.get('\uD800'), cache.get('\uFFFD'), cache.get('\uDC00')], ['lone high', 'replacement', 'lone low'], 'three entries');
      const ns = cache.namespace('n');
      ns.set('\uD800', 1).set('\uFFFD', 2);
      eq([ns.get('\uD800'), ns.get('\uFFFD')], [1, 2], 'namespaced keys too');
      eq(lib.makeKey('p', 1, '\uD83D\uDE00'), 'p:1:\uD83D\uDE00', 'well-formed pairs pass');
      const copy = new Cache({ max: 10 });
      copy.load(cache.dump());
      eq([copy.get('\uD800'), copy.get('\uFFFD'), copy.size], ['lone high', 'replacement', 5], 'dump and load keep them apart');
      throws(() => cache.snapshot(), lib.CacheKeyError, /lone UTF-16 surrogate/, 'a snapshot carries UTF-8 text: refused');
      eq(lib.shortenKey('\uD83D\uDE00'.repeat(300), 200).length > 0, true, 'astral text shortens');
    }],
    ['slot bookkeeping matches a reference LRU under random operations', () => {
      let seed = 12345;
      const rand = (n) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const c = clock(0);
      const max = 8;
      const cache = new Cache({ max, eviction: 'lru', now: c.now });
      const model = new Map(); // key -> {value, expires}; insertion order = recency (last = newest)
      const live = (k) => model.has(k) && model.get(k).expires > c.t;
      for (let step = 0; step < 5000; step++) {
        const key = `k${rand(20)}`;
        const op = rand(10);
        c.t += rand(3);
        if (op < 4) {
          const ttl = rand(4) === 0 ? 0 : 1 + rand(30);
          cache.set(key, step, { ttl });
          model.delete(key);
          for (const [k, e] of model) if (e.expires <= c.t) model.delete(k);
          while (model.size >= max) model.delete(model.keys().next().value);
          model.set(key, { value: step, expires: ttl === 0 ? Infinity : c.t + ttl });
        } else if (op < 8) {
          const want = live(key) ? model.get(key).value : undefined;
          if (want !== undefined) {
            const e = model.get(key);
            model.delete(key);
            model.set(key, e);
          } else model.delete(key);
          eq(cache.get(key), want, `step ${step} get ${key}`);
        } else if (op < 9) {
          eq(cache.delete(key), live(key), `step ${step} delete ${key}`);
          model.delete(key);
        } else {
          eq(cache.peek(key), live(key) ? model.get(key).value : undefined, `step ${step} peek ${key}`);
        }
        const want = [...model].filter(([, e]) => e.expires > c.t).map(([k]) => k).reverse();
        eq([...cache.keys()], want, `step ${step} keys`);
        ok(cache.size <= max, `step ${step} size`);
      }
    }],
  ];
}
