// Bad input: each throws a real Error subclass with a clear message, and the cache
// keeps what it had.
import { eq, ok, throws } from './assert.mjs';

export function errorCases(lib) {
  const { Cache } = lib;
  const filled = () => {
    const cache = new Cache({ max: 5, maxSize: 100 });
    cache.set('a', 1, { size: 1 }).set('b', 2, { size: 2 });
    return cache;
  };
  const contents = (cache) => [[...cache.entries()], cache.calculatedSize];
  return [
    ['error classes are Error subclasses with names', () => {
      for (const [Class, Base] of [
        [lib.CacheKeyError, TypeError],
        [lib.CacheConfigError, RangeError],
        [lib.CacheTimeoutError, RangeError],
        [lib.ValueTooLargeError, RangeError],
        [lib.CacheLoadError, Error],
        [lib.CacheArgumentError, TypeError],
      ]) {
        const e = new Class('m');
        ok(e instanceof Base && e instanceof Error, `${Class.name} extends ${Base.name}`);
        eq([e.name, e.message], [Class.name, 'm'], `${Class.name} name`);
      }
    }],
    ['non-string keys are refused', () => {
      const cache = filled();
      const before = contents(cache);
      for (const key of [1, null, undefined, {}, ['a'], Symbol('s'), 1n]) {
        throws(() => cache.set(key, 1, { size: 1 }), lib.CacheKeyError, /cache keys must be strings/, `set ${String(key)}`);
        throws(() => cache.get(key), lib.CacheKeyError, /must be strings/, 'get');
        throws(() => cache.has(key), lib.CacheKeyError, /must be strings/, 'has');
        throws(() => cache.peek(key), lib.CacheKeyError, /must be strings/, 'peek');
        throws(() => cache.delete(key), lib.CacheKeyError, /must be strings/, 'delete');
      }
      throws(() => cache.namespace(7), lib.CacheKeyError, /namespace must be a string/, 'namespace');
      throws(() => lib.makeKey('p', 1, 5), lib.CacheKeyError, /key must be a string/, 'makeKey');
      eq(contents(cache), before, 'cache unchanged');
    }],
    ['bounds must be positive integers', () => {
      for (const max of [0, -1, 1.5, NaN, Infinity]) {
        throws(() => new Cache({ max }), lib.CacheConfigError, /max/, `max ${max}`);
      }
      throws(() => new Cache({ max: '10' }), lib.CacheConfigError, /max must be a positive integer/, 'string max');
      throws(() => new Cache({ maxSize: 0 }), lib.CacheConfigError, /max_bytes|maxSize/, 'maxSize 0');
      throws(() => new Cache({ maxSize: -5 }), lib.CacheConfigError, /maxSize/, 'negative maxSize');
      throws(() => new Cache({}), lib.CacheConfigError, /needs a bound/, 'no bound');
      throws(() => new Cache(), lib.CacheConfigError, /needs a bound/, 'no options');
      throws(() => new Cache({ max: 1, eviction: 'fifo' }), lib.CacheConfigError, /eviction/, 'eviction');
      throws(() => new Cache({ max: 1, ttl: -1 }), lib.CacheConfigError, /ttl must not be negative/, 'negative default ttl');
      throws(() => new Cache({ max: 1, ttl: NaN }), lib.CacheTimeoutError, /NaN/, 'NaN default ttl');
      throws(() => new Cache({ max: 1, ttl: 1, timeout: 1 }), lib.CacheTimeoutError, /not both/, 'ttl and timeout');
    }],
    ['NaN or non-number ttl and timeout are refused; the old value stays', () => {
      const cache = filled();
      const before = contents(cache);
      throws(() => cache.set('a', 99, { ttl: NaN, size: 1 }), lib.CacheTimeoutError, /NaN/, 'NaN ttl');
      throws(() => cache.set('new', 99, { timeout: NaN, size: 1 }), lib.CacheTimeoutError, /NaN/, 'NaN timeout');
      throws(() => cache.set('a', 99, { ttl: '5', size: 1 }), lib.CacheTimeoutError, /ttl must be a number/, 'string ttl');
      throws(() => cache.touch('a', { timeout: NaN }), lib.CacheTimeoutError, /NaN/, 'NaN touch');
      eq(contents(cache), before, 'cache unchanged');
      eq(cache.has('new'), false, 'no half-made entry');
    }],
    ['sizes: missing, negative, fractional or too large', () => {
      const cache = filled();
      const before = contents(cache);
      throws(() => cache.set('a', 9), lib.CacheArgumentError, /needs a size/, 'no size with maxSize');
      throws(() => cache.set('a', 9, { size: -1 }), lib.CacheArgumentError, /size/, 'negative');
      throws(() => cache.set('a', 9, { size: 1.5 }), lib.CacheArgumentError, /size/, 'fraction');
      throws(() => cache.set('a', 9, { size: 101 }), lib.ValueTooLargeError, /101.*maxSize of 100/, 'too large');
      throws(() => cache.set('z', 9, { size: 101 }), lib.ValueTooLargeError, /maxSize/, 'too large, new key');
      eq(contents(cache), before, 'cache unchanged');
    }],
    ['lone surrogates are refused where text crosses into the core', () => {
      const cache = filled();
      const before = contents(cache);
      for (const bad of ['\uD800', 'a\uDC00b', 'x\uD83D']) {
        throws(() => lib.makeKey('p', 1, bad), lib.CacheKeyError, /lone UTF-16 surrogate/, 'makeKey');
        throws(() => lib.buildKey({ resource: 'r', ids: [bad] }), lib.CacheKeyError, /surrogate/, 'buildKey id');
        throws(() => lib.buildKey({ resource: 'r', params: { p: bad } }), lib.CacheKeyError, /surrogate/, 'buildKey param');
        throws(() => lib.shortenKey(bad, 200), lib.CacheKeyError, /surrogate/, 'shortenKey');
        throws(() => lib.keyWarnings(bad), lib.CacheKeyError, /surrogate/, 'keyWarnings');
        throws(() => cache.namespace(bad), lib.CacheKeyError, /surrogate/, 'namespace');
        throws(() => cache.invalidate(bad), lib.CacheKeyError, /surrogate/, 'invalidate');
      }
      eq(contents(cache), before, 'cache unchanged');
      eq(lib.makeKey('p', 1, '\uFFFD'), 'p:1:\uFFFD', 'U+FFFD itself is fine');
    }],
    ['a throwing sizeCalculation or clock leaves nothing behind', () => {
      let broken = false;
      const cache = new Cache({
        max: 5,
        ttl: 1000,
        sizeCalculation: (v) => (v === 'bad' ? (() => { throw new RangeError('size!'); })() : 1),
        maxSize: 100,
        now: () => {
          if (broken) throw new EvalError('clock!');
          return 0;
        },
      });
      cache.set('a', 1);
      throws(() => cache.set('b', 'bad'), RangeError, /size!/, 'sizeCalculation');
      broken = true;
      throws(() => cache.set('c', 1), EvalError, /clock!/, 'now');
      throws(() => cache.add('d', 1), EvalError, /clock!/, 'now in add');
      broken = false;
      eq([cache.size, [...cache.keys()]], [1, ['a']], 'only what was stored');
    }],
    ['key functions check their numbers', () => {
      throws(() => lib.makeKey('p', 1.5, 'k'), lib.CacheArgumentError, /version must be an integer/, 'version');
      throws(() => lib.makeKey('p', '1', 'k'), lib.CacheArgumentError, /version must be a number/, 'version type');
      throws(() => lib.shortenKey('k', -1), lib.CacheArgumentError, /maxLength/, 'maxLength');
      throws(() => lib.buildKey({ resource: 'r', params: [['a']] }), lib.CacheArgumentError, /pairs/, 'params');
    }],
    ['corrupt load input leaves the cache as it was', () => {
      const cache = filled();
      cache.invalidate('ns');
      const before = [contents(cache), cache.generation('ns')];
      const good = cache.dump();
      const bad = [
        null,
        42,
        'a string',
        {},
        { format: 'polycache', version: 2, entries: [] },
        { format: 'polycache', version: 1 },
        { format: 'polycache', version: 1, entries: [['k']] },
        { format: 'polycache', version: 1, entries: [[5, { value: 1, size: 1 }]] },
        { format: 'polycache', version: 1, entries: [['k', { value: 1, size: -1 }]] },
        { format: 'polycache', version: 1, entries: [['k', { value: 1, size: 1, expiresAt: 'soon' }]] },
        { format: 'polycache', version: 1, entries: [], namespaces: [['\uD800', 2]] },
        { format: 'polycache', version: 1, entries: [], namespaces: [['ns', 0]] },
        { format: 'polycache', version: 1, entries: [], namespaces: {} },
        [['k', { value: 1, ttl: 10 }]],
        [['k', 1]],
      ];
      for (const input of bad) {
        throws(() => cache.load(input), lib.CacheLoadError, /load\(\)|entry/, JSON.stringify(input));
        eq([contents(cache), cache.generation('ns')], before, `unchanged after ${JSON.stringify(input)}`);
      }
      cache.load(good);
      eq([contents(cache), cache.generation('ns')], before, 'the good dump still loads');
      cache.load({ ...good, entries: [...good.entries, ['huge', { value: 1, size: 1000 }]] });
      eq(contents(cache), before[0], 'an entry larger than maxSize is skipped, as the core loads');
    }],
  ];
}
