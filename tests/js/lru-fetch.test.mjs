// LRUCache vs lru-cache 11: fetch (fetchMethod, in-flight sharing, stale-while-revalidate,
// rejections, aborts and their options, status objects), forceFetch, memo.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ours, recorders, settle, side, tick } from './lru-side.mjs';

/** A fetchMethod whose calls the scenario answers by hand. */
function manual(log) {
  const calls = [];
  const fetchMethod = (k, stale, { signal, options, context }) => {
    log.push(['fetchMethod', k, stale, context, typeof options]);
    return new Promise((resolve, reject) => calls.push({ k, resolve, reject, signal }));
  };
  return { calls, fetchMethod };
}

side(
  'fetch: a miss calls the method once for every waiting caller; the value is stored; counts in size while in flight',
  async (LRU, { perf }, log) => {
    const { calls, fetchMethod } = manual(log);
    const c = new LRU({ max: 5, maxSize: 50, sizeCalculation: () => 3, fetchMethod, perf, ...recorders(log) });
    const s1 = {};
    const p1 = c.fetch('a', { status: s1, context: 'ctx' });
    const p2 = c.fetch('a');
    log.push(c.size, c.calculatedSize, c.has('a'), c.get('a'), [...c.keys()], calls.length);
    calls[0].resolve('A');
    log.push(await settle(p1), await settle(p2), s1, c.get('a'), c.calculatedSize);
    log.push(await settle(c.fetch('a', { status: {} })));
  },
  (log) => assert.ok(log.some((e) => e && e.ok === 'A')),
);

side(
  'fetch without a fetchMethod is get; forceFetch rejects an undefined result',
  async (LRU, { perf }, log) => {
    const c = new LRU({ max: 5, perf });
    c.set('a', 1);
    const status = {};
    log.push(await settle(c.fetch('a', { status })), status, await settle(c.fetch('b')));
    const f = new LRU({ max: 5, perf, fetchMethod: (k) => (k === 'none' ? Promise.resolve(undefined) : `v:${k}`) });
    log.push(await settle(f.forceFetch('x')), await settle(f.forceFetch('none')), f.has('none'));
  },
  (log) => assert.deepEqual(log[0], { ok: 1 }),
);

side(
  'stale-while-revalidate: allowStale returns the stale value at once and refreshes it',
  async (LRU, { perf, advance }, log) => {
    const { calls, fetchMethod } = manual(log);
    const c = new LRU({ max: 5, ttl: 10, ttlResolution: 0, allowStale: true, fetchMethod, perf, ...recorders(log) });
    c.set('a', 'old');
    advance(11);
    const status = {};
    log.push(await settle(c.fetch('a', { status })), status, c.get('a'), c.size, c.peek('a'));
    calls[0].resolve('new');
    await tick();
    log.push(c.get('a'), c.getRemainingTTL('a'));
    const s2 = {};
    const p = c.fetch('a', { forceRefresh: true, status: s2, allowStale: false });
    calls[1].resolve('newer');
    log.push(await settle(p));
    log.push(s2, c.get('a'));
  },
);

side(
  'a rejected fetch: the promise rejects and the stale value goes, unless noDeleteOnFetchRejection or allowStaleOnFetchRejection',
  async (LRU, { perf, advance }, log) => {
    for (const extra of [{}, { noDeleteOnFetchRejection: true }, { allowStaleOnFetchRejection: true }]) {
      const c = new LRU({
        max: 5,
        ttl: 10,
        ttlResolution: 0,
        perf,
        ...extra,
        fetchMethod: (k) => (k === 'sync' ? (() => { throw new Error('sync boom'); })() : Promise.reject(new Error(`boom ${k}`))),
      });
      c.set('a', 'stale');
      advance(11);
      const status = {};
      log.push(JSON.stringify(extra), await settle(c.fetch('a', { status })), status, c.get('a', { allowStale: true }), c.size);
      log.push(await settle(c.fetch('sync')), c.size);
    }
  },
);

side(
  "the caller's signal aborting settles the fetch at once, even if the method never answers",
  async (LRU, { perf }, log) => {
    const c = new LRU({
      max: 5,
      perf,
      fetchMethod: (k, stale, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => log.push(['method saw abort', String(signal.reason?.message ?? signal.reason)]))),
    });
    const ac = new AbortController();
    const status = {};
    const p = c.fetch('a', { signal: ac.signal, status });
    ac.abort(new Error('caller gave up'));
    log.push(await settle(p), status, c.has('a'), c.size);
  },
  (log) => assert.equal(log.find((e) => e && e.rejected).message, 'caller gave up'),
);

side(
  'ignoreFetchAbort keeps fetching after an abort and stores the result; allowStaleOnFetchAbort returns the stale value',
  async (LRU, { perf, advance }, log) => {
    const { calls, fetchMethod } = manual(log);
    const c = new LRU({ max: 5, ttl: 10, ttlResolution: 0, perf, fetchMethod, ignoreFetchAbort: true, allowStaleOnFetchAbort: true });
    c.set('a', 'stale');
    advance(11);
    const ac = new AbortController();
    const status = {};
    const p = c.fetch('a', { signal: ac.signal, status });
    ac.abort(new Error('stop'));
    log.push(await settle(p), c.get('a', { allowStale: true }));
    calls[0].resolve('late');
    await tick();
    log.push(status, c.get('a'));
    const d = new LRU({ max: 5, perf, fetchMethod, ignoreFetchAbort: true });
    const ac2 = new AbortController();
    const p2 = d.fetch('b', { signal: ac2.signal });
    ac2.abort(new Error('stop'));
    calls[1].resolve('B');
    log.push(await settle(p2), d.get('b'));
  },
);

side(
  'a set, delete or eviction of a key while its fetch runs aborts that fetch; dispose sees the stale value',
  async (LRU, { perf, advance }, log) => {
    const { calls, fetchMethod } = manual(log);
    const c = new LRU({ max: 2, ttl: 10, ttlResolution: 0, perf, fetchMethod, ...recorders(log) });
    c.set('a', 'A0');
    advance(11);
    const pa = c.fetch('a');
    c.set('a', 'A1');
    log.push(calls[0].signal.aborted, String(calls[0].signal.reason?.message));
    calls[0].resolve('too late');
    log.push(await settle(pa), c.get('a'));
    const pb = c.fetch('b');
    c.delete('b');
    log.push(calls[1].signal.aborted, await settle(pb));
    const pc = c.fetch('c');
    c.set('d', 1).set('e', 1);
    log.push(calls[2].signal.aborted, await settle(pc), [...c.keys()]);
  },
);

side(
  'has is false for a fetch in flight with no stale value; pop and iteration skip it',
  async (LRU, { perf }, log) => {
    const { calls, fetchMethod } = manual(log);
    const c = new LRU({ max: 5, perf, fetchMethod, ...recorders(log) });
    c.set('x', 1);
    const p = c.fetch('a');
    log.push(c.has('a'), c.peek('a'), [...c.keys()], c.dump(), c.info('a'), c.pop(), c.pop(), c.size);
    calls[0].resolve('A');
    log.push(await settle(p), c.size);
  },
);

side(
  'fetch passes context and options to the method; undefined from the method stores nothing',
  async (LRU, { perf }, log) => {
    const c = new LRU({
      max: 5,
      perf,
      fetchMethod: (k, stale, { options, context }) => {
        log.push(['opts', Object.keys(options).sort(), context]);
        return Promise.resolve(k === 'u' ? undefined : `${k}:${context}`);
      },
    });
    log.push(await settle(c.fetch('a', { context: { user: 1 } })), await settle(c.fetch('u')), c.has('u'), c.size);
  },
);

side(
  'memo computes once, forceRefresh recomputes; status records hit and miss',
  (LRU, { perf }, log) => {
    let n = 0;
    const c = new LRU({ max: 5, perf, memoMethod: (k, stale, { context }) => `${k}:${++n}:${stale}:${context}` });
    for (const opts of [{ context: 'c' }, {}, { forceRefresh: true, context: 'z' }]) {
      const status = {};
      log.push(c.memo('a', { ...opts, status }), status);
    }
    const plain = new LRU({ max: 5, perf });
    try {
      plain.memo('a');
    } catch (e) {
      log.push(e.message);
    }
  },
  (log) => assert.equal(log[0], 'a:1:undefined:c'),
);

test('fetch aborted by the signal does not wait for the method (polycache alone: never settles otherwise)', async () => {
  const c = new Ours({ max: 2, fetchMethod: () => new Promise(() => {}) });
  const ac = new AbortController();
  const p = c.fetch('k', { signal: ac.signal });
  ac.abort(new Error('bye'));
  await assert.rejects(p, /bye/);
  assert.equal(c.size, 0);
});

side(
  'ignoreFetchAbort with allowStaleOnFetchAbort: a late answer for an evicted fetch is stored only if its slot was not reused',
  async (LRU, { perf }, log) => {
    const { calls, fetchMethod } = manual(log);
    const c = new LRU({ max: 2, perf, fetchMethod, ignoreFetchAbort: true, allowStaleOnFetchAbort: true, ...recorders(log) });
    const pb = c.fetch('b');
    c.fetch('a');
    c.fetch('c'); // evicts b's fetch; c takes its slot
    calls[0].resolve('B late');
    log.push(await settle(pb), [...c.keys()], c.has('b'), c.size);
    const d = new LRU({ max: 3, perf, fetchMethod, ignoreFetchAbort: true, allowStaleOnFetchAbort: true });
    const px = d.fetch('x');
    d.delete('x'); // x's slot is freed, not reused
    calls[3].resolve('X late');
    log.push(await settle(px));
    await tick();
    log.push([...d.keys()], d.get('x'));
  },
  (log) => assert.deepEqual(log.at(-1), 'X late'),
);
