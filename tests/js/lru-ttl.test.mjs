// LRUCache vs lru-cache 11: lifetimes. Stale when age > ttl (not at equal), ttl per set,
// allowStale, updateAgeOnGet/Has, noUpdateTTL, noDeleteOnStaleGet, getRemainingTTL's
// signs, purgeStale, ttlResolution's cached clock, ttlAutopurge, start per set, status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ours, makeClock, recorders, side } from './lru-side.mjs';

side(
  'an entry is stale only once its age is greater than its ttl',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttl: 10, ttlResolution: 0, perf, ...recorders(log) });
    c.set('a', 1);
    advance(10);
    log.push(c.get('a'), c.getRemainingTTL('a'));
    advance(0.5);
    log.push(c.has('a'), c.getRemainingTTL('a'), c.size, c.get('a'), c.size, c.getRemainingTTL('a'));
  },
  (log) => assert.deepEqual(log.slice(0, 2), [1, 0]),
);

side(
  'getRemainingTTL: Infinity without a ttl, 0 when absent, negative when stale',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttlResolution: 0, perf });
    c.set('plain', 1);
    log.push(c.getRemainingTTL('plain'), c.getRemainingTTL('none'));
    c.set('timed', 2, { ttl: 5 });
    advance(8);
    log.push(c.getRemainingTTL('timed'), c.getRemainingTTL('plain'), c.peek('timed'), c.peek('timed', { allowStale: true }));
  },
  (log) => assert.deepEqual(log.slice(0, 3), [Infinity, 0, -3]),
);

side(
  'ttl per set on a cache without ttl; negative ttl is stale at once; ttl 0 never',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttlResolution: 0, perf });
    c.set('a', 1, { ttl: 3 }).set('neg', 2, { ttl: -1 }).set('zero', 3, { ttl: 0 });
    log.push(c.has('neg'), c.get('zero'));
    advance(4);
    log.push(c.get('a'), c.get('zero'), [...c.keys()], c.size);
  },
);

side(
  'allowStale: a stale get returns the value once and deletes it; keys() shows stale entries',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttl: 10, allowStale: true, ttlResolution: 0, perf, ...recorders(log) });
    c.set('a', 1).set('b', 2);
    advance(11);
    log.push([...c.keys()], [...c.entries()], c.get('a'), c.get('a'), c.peek('b'), c.has('b'), c.size);
    const status = {};
    log.push(c.get('b', { status }), status);
  },
);

side(
  'noDeleteOnStaleGet keeps a stale entry; updateAgeOnGet and updateAgeOnHas restart the ttl',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttl: 10, noDeleteOnStaleGet: true, ttlResolution: 0, perf });
    c.set('a', 1);
    advance(11);
    log.push(c.get('a'), c.get('a', { allowStale: true }), c.size);
    const g = new LRU({ max: 5, ttl: 10, updateAgeOnGet: true, ttlResolution: 0, perf });
    const h = new LRU({ max: 5, ttl: 10, updateAgeOnHas: true, ttlResolution: 0, perf });
    g.set('a', 1);
    h.set('a', 1);
    for (let i = 0; i < 4; i++) {
      advance(8);
      log.push(g.get('a'), h.has('a'), g.getRemainingTTL('a'), h.getRemainingTTL('a'));
    }
  },
);

side(
  'noUpdateTTL keeps the first lifetime on replace; a new key always gets its own',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttl: 10, noUpdateTTL: true, ttlResolution: 0, perf });
    c.set('a', 1);
    advance(6);
    c.set('a', 2, { ttl: 100 });
    log.push(c.getRemainingTTL('a'));
    advance(6);
    log.push(c.get('a'));
    c.set('a', 3);
    log.push(c.getRemainingTTL('a'), c.set('b', 1, { noUpdateTTL: false, ttl: 3 }).getRemainingTTL('b'));
  },
  (log) => assert.equal(log[0], 4),
);

side(
  'noUpdateTTL: a set without options of a held, fresh key keeps its lifetime',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttl: 10, noUpdateTTL: true, ttlResolution: 0, perf });
    c.set('a', 1);
    advance(6);
    c.set('a', 2);
    log.push(c.getRemainingTTL('a'), c.get('a'));
    advance(6);
    log.push(c.get('a'), c.has('a'));
  },
  (log) => assert.deepEqual(log, [4, 2, undefined, false]),
);

side(
  'set with start: an entry can be set already old, or already stale',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 5, ttl: 10, ttlResolution: 0, perf });
    c.set('old', 1, { start: perf.now() - 8 }).set('stale', 2, { start: perf.now() - 20 });
    log.push(c.getRemainingTTL('old'), c.has('stale'), c.getRemainingTTL('stale'), c.get('stale'), c.size);
  },
  (log) => assert.equal(log[0], 2),
);

side(
  'purgeStale removes stale entries oldest first, disposing them as expired; clear disposes stale too',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 10, ttl: 10, ttlResolution: 0, perf, ...recorders(log) });
    c.set('a', 1).set('b', 2, { ttl: 100 }).set('c', 3);
    advance(20);
    log.push(c.purgeStale(), c.purgeStale(), [...c.keys()]);
    c.set('d', 4);
    advance(20);
    c.clear();
  },
  (log) => assert.deepEqual(log[0], ['dispose', 1, 'a', 'expire']),
);

side(
  'status objects of get, set, has, peek carry the ttl, start, now and remainingTTL',
  (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 2, ttl: 10, ttlResolution: 0, perf });
    for (const [op, args] of [['set', ['a', 1]], ['get', ['a']], ['has', ['a']], ['peek', ['a']], ['set', ['a', 2]], ['get', ['zz']], ['set', ['b', 1]], ['set', ['c', 1]]]) {
      const status = {};
      advance(1);
      const r = c[op](...args, { status });
      log.push([op, r === c ? '<this>' : r, status]);
    }
    advance(30);
    const s = {};
    log.push(c.get('c', { status: s }), s);
  },
  (log) => assert.equal(log[0][2].remainingTTL, 10),
);

side(
  'ttlResolution: a clock reading is reused until the event loop turns',
  async (LRU, { perf, advance }, log) => {
    const c = new LRU({ max: 5, ttl: 10, ttlResolution: 50, perf });
    c.set('a', 1);
    log.push(c.get('a'));
    advance(20);
    log.push(c.get('a'), c.getRemainingTTL('a'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    log.push(c.get('a'), c.getRemainingTTL('a'));
  },
  (log) => assert.deepEqual(log, [1, 1, 10, undefined, 0]),
);

side(
  'ttlAutopurge removes an entry when its ttl has passed, disposing it as expired',
  async (LRU, { perf, advance }, log) => {
    const c = new LRU({ ttl: 5, ttlAutopurge: true, ttlResolution: 0, perf, ...recorders(log) });
    c.set('a', 1).set('b', 2, { ttl: 1000 });
    advance(10);
    // The purge timer is due 6 ms after the set; this one is later, so it runs after.
    await new Promise((resolve) => setTimeout(resolve, 20));
    log.push(c.size, [...c.keys()]);
    c.clear();
  },
  (log) => assert.deepEqual(log[0], ['dispose', 1, 'a', 'expire']),
);

side(
  'ttlResolution is kept only when a whole number of at least 0; Date works as perf',
  (LRU, { perf }, log) => {
    for (const ttlResolution of [0, 5, -1, 1.5, 'x', undefined]) log.push(new LRU({ max: 1, ttlResolution, perf }).ttlResolution);
    const c = new LRU({ max: 2, ttl: 1000, perf: Date });
    c.set('a', 1);
    log.push(c.perf === Date, c.get('a'), c.getRemainingTTL('a') > 0 && c.getRemainingTTL('a') <= 1000);
  },
  (log) => assert.deepEqual(log.slice(0, 6), [0, 5, 1, 1, 1, 1]),
);

test('the default clock is performance.now (lru-cache default perf)', () => {
  const c = new Ours({ max: 1 });
  assert.equal(c.perf, globalThis.performance);
  const clock = makeClock();
  assert.equal(new Ours({ max: 1, perf: clock.perf }).perf, clock.perf);
});

test('a cache with only a ttl warns once, as lru-cache does', () => {
  const warnings = [];
  const listener = (w) => warnings.push(w.code);
  process.on('warning', listener);
  return new Promise((resolve) => {
    new Ours({ ttl: 10 });
    new Ours({ ttl: 10 });
    setImmediate(() => {
      process.off('warning', listener);
      assert.deepEqual(warnings, ['LRU_CACHE_UNBOUNDED']);
      resolve();
    });
  });
});

test('where timers are refused (a Worker global scope), ttlAutopurge and ttlResolution do without them', async () => {
  const { Real } = await import('./lru-side.mjs');
  const clock = makeClock();
  const real = globalThis.setTimeout;
  globalThis.setTimeout = () => {
    throw new Error('timers are not allowed here');
  };
  try {
    const c = new Ours({ max: 5, ttl: 10, ttlAutopurge: true, perf: clock.perf });
    c.set('a', 1);
    assert.equal(c.get('a'), 1);
    clock.advance(11);
    assert.deepEqual([c.get('a'), c.size], [undefined, 0]);
    // lru-cache 11 throws from set() there.
    assert.throws(() => new Real({ max: 5, ttl: 10, ttlAutopurge: true, perf: clock.perf }).set('a', 1), /timers are not allowed/);
  } finally {
    globalThis.setTimeout = real;
  }
});

side(
  'with nothing to call back, a write with no options gives the default ttl: the same value again restarts it',
  (LRU, { perf, advance }, log) => {
    // No callbacks: LRUCache's quickSet takes these writes, lifetimes tracked from the start.
    const c = new LRU({ max: 3, ttl: 10, ttlResolution: 0, perf });
    const v = { same: true };
    c.set('a', v);
    c.set('b', 2);
    advance(8);
    c.set('a', v);
    c.set('b', 3);
    advance(8);
    log.push(c.get('a') === v, c.getRemainingTTL('a'), c.get('b'), c.getRemainingTTL('b'));
    advance(3);
    log.push(c.get('a'), c.get('b'), c.size);
    for (const k of ['c', 'd', 'e', 'f']) c.set(k, k);
    advance(5);
    log.push([...c.keys()], c.getRemainingTTL('f'), c.getRemainingTTL('d'));
  },
  (log) => assert.deepEqual(log.slice(0, 4), [true, 2, 3, 2]),
);
