// Cache.fetch() with a fetchMethod: lru-cache's semantics (shared promise per key,
// allowStale / stale-while-revalidate, forceRefresh, rejections not cached, aborts), on
// a clock the tests move by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache, CacheConfigError, CacheKeyError } from 'polycache';

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('fetch: concurrent fetches of one key share one promise and one call', async () => {
  const calls = [];
  const gate = deferred();
  const cache = new Cache({
    max: 10,
    fetchMethod: async (key, stale, { signal, context }) => {
      calls.push([key, stale, signal.aborted, context]);
      await gate.promise;
      return `value of ${key}`;
    },
  });
  const fetches = Array.from({ length: 20 }, () => cache.fetch('k', { context: 'ctx' }));
  assert.ok(fetches.every((p) => p === fetches[0]), 'the same promise');
  const other = cache.fetch('other');
  gate.resolve();
  assert.deepEqual(await Promise.all(fetches), Array(20).fill('value of k'));
  assert.equal(await other, 'value of other');
  assert.deepEqual(calls, [['k', undefined, false, 'ctx'], ['other', undefined, false, undefined]]);
  assert.equal(cache.get('k'), 'value of k', 'stored');
  assert.equal(await cache.fetch('k'), 'value of k', 'a hit does not call the method');
  assert.equal(calls.length, 2);
});

test('fetch: a rejected fetch is not cached, reaches every caller, and the next fetch retries', async () => {
  let n = 0;
  const gate = deferred();
  const cache = new Cache({
    max: 10,
    fetchMethod: async () => {
      n += 1;
      if (n === 1) {
        await gate.promise;
        throw new Error('backend down');
      }
      return 'recovered';
    },
  });
  const a = cache.fetch('k');
  const b = cache.fetch('k');
  gate.resolve();
  await assert.rejects(a, /backend down/);
  await assert.rejects(b, /backend down/);
  assert.equal(cache.has('k'), false, 'nothing stored');
  assert.equal(await cache.fetch('k'), 'recovered');
  assert.equal(n, 2);
});

test('fetch: a method that throws synchronously rejects the promise', async () => {
  const cache = new Cache({ max: 10, fetchMethod: () => { throw new Error('sync'); } });
  await assert.rejects(cache.fetch('k'), /sync/);
  assert.equal(cache.has('k'), false);
});

test('fetch: stale-while-revalidate with allowStale', async () => {
  const c = clock();
  let version = 0;
  let gate = deferred();
  const seen = [];
  const cache = new Cache({
    max: 10,
    ttl: 1000,
    now: c.now,
    allowStale: true,
    fetchMethod: async (key, stale) => {
      seen.push(stale);
      await gate.promise;
      version += 1;
      return `v${version}`;
    },
  });
  const first = cache.fetch('k');
  gate.resolve();
  assert.equal(await first, 'v1');
  c.t += 500;
  assert.equal(await cache.fetch('k'), 'v1', 'fresh');
  c.t += 1000; // expired: held, stale
  gate = deferred();
  assert.equal(await cache.fetch('k'), 'v1', 'the stale value, at once');
  assert.equal(await cache.fetch('k'), 'v1', 'still stale while the refresh runs; no second call');
  assert.deepEqual(seen, [undefined, 'v1'], 'the method got the stale value');
  gate.resolve();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(cache.get('k'), 'v2', 'refreshed in the background');
  assert.equal(seen.length, 2);
});

test('fetch: without allowStale a stale entry waits for the new value', async () => {
  const c = clock();
  const cache = new Cache({ max: 10, ttl: 1000, now: c.now, fetchMethod: async (k, stale) => `${stale}+1` });
  assert.equal(await cache.fetch('k'), 'undefined+1');
  c.t += 2000;
  assert.equal(await cache.fetch('k'), 'undefined+1+1');
  c.t += 2000;
  assert.equal(await cache.fetch('k', { allowStale: true }), 'undefined+1+1', 'per-call allowStale');
});

test('fetch: forceRefresh calls the method for a live key, and shares a running fetch', async () => {
  let n = 0;
  const cache = new Cache({ max: 10, fetchMethod: async () => `v${++n}` });
  assert.equal(await cache.fetch('k'), 'v1');
  assert.equal(await cache.fetch('k'), 'v1');
  const p = cache.fetch('k', { forceRefresh: true });
  assert.equal(cache.fetch('k', { forceRefresh: true }), p, 'a running fetch is shared');
  assert.equal(await p, 'v2');
  assert.equal(cache.get('k'), 'v2');
  assert.equal(n, 2);
});

test('fetch: a rejection drops the stale value unless told to keep or serve it', async () => {
  const c = clock();
  for (const [extra, keeps, serves] of [
    [{}, false, false],
    [{ noDeleteOnFetchRejection: true }, true, false],
    [{ allowStaleOnFetchRejection: true }, true, true],
  ]) {
    const seen = [];
    let n = 0;
    let fail = false;
    const cache = new Cache({
      max: 10, ttl: 1000, now: c.now, ...extra,
      fetchMethod: async (k, stale) => {
        seen.push(stale);
        n += 1;
        if (fail) throw new Error('no');
        return `v${n}`;
      },
    });
    assert.equal(await cache.fetch('k'), 'v1');
    c.t += 2000; // v1 is stale now
    fail = true;
    if (serves) assert.equal(await cache.fetch('k'), 'v1', 'allowStaleOnFetchRejection: the stale value');
    else await assert.rejects(cache.fetch('k'), /no/);
    assert.equal(cache.has('k'), false, 'a stale value is never live');
    fail = false;
    assert.equal(await cache.fetch('k'), 'v3');
    assert.deepEqual(seen, [undefined, 'v1', keeps ? 'v1' : undefined], JSON.stringify(extra));
  }
});

test('fetch: undefined from the method stores nothing', async () => {
  const cache = new Cache({ max: 10, fetchMethod: async () => undefined });
  assert.equal(await cache.fetch('k'), undefined);
  assert.equal(cache.has('k'), false);
});

test('fetch: a set, delete or clear while the fetch runs wins; the fetch is aborted', async () => {
  for (const write of [(c) => c.set('k', 'written'), (c) => c.delete('k'), (c) => c.clear()]) {
    const gate = deferred();
    let signal;
    const cache = new Cache({
      max: 10,
      fetchMethod: async (key, stale, opts) => {
        signal = opts.signal;
        await gate.promise;
        return 'fetched';
      },
    });
    const p = cache.fetch('k');
    write(cache);
    assert.equal(signal.aborted, true, 'the method is told to stop');
    gate.resolve();
    await assert.rejects(p);
    assert.equal(cache.get('k'), write.toString().includes('set') ? 'written' : undefined, 'the write wins');
  }
});

test("fetch: the caller's signal aborts the fetch", async () => {
  const gate = deferred();
  const cache = new Cache({ max: 10, fetchMethod: async () => { await gate.promise; return 'late'; } });
  const ac = new AbortController();
  const p = cache.fetch('k', { signal: ac.signal });
  ac.abort(new Error('user gave up'));
  gate.resolve();
  await assert.rejects(p, /user gave up/);
  assert.equal(cache.has('k'), false);
});

test('fetch: ttl, timeout and size of the fetch apply to what it stores', async () => {
  const c = clock();
  const cache = new Cache({ maxSize: 100, sizeCalculation: () => 1, now: c.now, fetchMethod: async (k) => k });
  await cache.fetch('a', { ttl: 1000, size: 40 });
  await cache.fetch('b', { timeout: 5 });
  assert.equal(cache.calculatedSize, 41);
  assert.equal(cache.getRemainingTTL('a'), 1000);
  assert.equal(cache.getRemainingTTL('b'), 5000);
});

test('fetch: a namespace key is pinned when the fetch starts, so an invalidate wins', async () => {
  const gate = deferred();
  let n = 0;
  const cache = new Cache({ max: 10, fetchMethod: async () => { n += 1; const v = n; await gate.promise; return `gen-read-${v}`; } });
  const books = cache.namespace('books');
  const p = cache.fetch(books.key('list'));
  books.invalidate(); // a write happened while the fetch read the old data
  gate.resolve();
  assert.equal(await p, 'gen-read-1');
  assert.equal(books.get('list'), undefined, 'the stale result landed in the old generation');
});

test('fetch: namespace.fetch() is pinned the same way, and shares one call per key', async () => {
  let gate = deferred();
  const keys = [];
  let version = 0;
  const cache = new Cache({ max: 10, fetchMethod: async (key) => { keys.push(key); version += 1; const v = version; await gate.promise; return `v${v}`; } });
  const books = cache.namespace('books');
  const racing = books.fetch('list');
  assert.equal(books.fetch('list'), racing, 'one promise for one key');
  books.invalidate();
  gate.resolve();
  assert.equal(await racing, 'v1');
  assert.equal(books.get('list'), undefined, 'the result of the race is not served');
  gate = deferred();
  const fresh = books.fetch('list');
  gate.resolve();
  assert.equal(await fresh, 'v2');
  assert.equal(books.get('list'), 'v2');
  assert.deepEqual(keys, [books.key('list').replace('|2|', '|1|'), books.key('list')]);
});

test('fetch: without a fetchMethod it is a get; bad input fails', async () => {
  const cache = new Cache({ max: 10 });
  cache.set('a', 1);
  assert.equal(await cache.fetch('a'), 1);
  assert.equal(await cache.fetch('b'), undefined);
  assert.throws(() => new Cache({ max: 1, fetchMethod: 'nope' }), CacheConfigError);
  assert.throws(() => new Cache({ max: 1, allowStale: 'yes' }), CacheConfigError);
  const f = new Cache({ max: 1, fetchMethod: async () => 1 });
  assert.throws(() => f.fetch(42), CacheKeyError);
});
