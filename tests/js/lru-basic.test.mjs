// LRUCache vs lru-cache 11, behaviour by behaviour: construction, order, keys, sizes,
// dispose/onInsert, iteration, pop, find, info, dump/load. (TTL rules: lru-ttl.test.mjs;
// fetch and memo: lru-fetch.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ours, outcome, recorders, side } from './lru-side.mjs';

side(
  'constructor options are checked as lru-cache checks them (same error classes and messages)',
  (LRU, { perf }, log) => {
    const bad = [
      {},
      { max: -1 },
      { max: 1.5 },
      { max: 'x' },
      { ttl: 1.5 },
      { ttl: -5 },
      { maxSize: 1.5 },
      { maxSize: -1 },
      { max: 1, maxEntrySize: 2.5 },
      { max: 1, sizeCalculation: () => 1 },
      { maxSize: 5, sizeCalculation: 'no' },
      { max: 1, fetchMethod: 5 },
      { max: 1, memoMethod: 5 },
      { max: 1, perf: {} },
      { max: 1, ttlResolution: -1, perf },
      { max: 0, ttl: 10, ttlAutopurge: true },
    ];
    for (const o of bad) log.push([JSON.stringify(o), outcome(() => new LRU(o).max)]);
  },
  (log) => {
    assert.deepEqual(log[0][1], { threw: 'TypeError', message: 'At least one of max, maxSize, or ttl is required' });
    assert.equal(log.at(-1)[1].ok, 0); // a ttl-only cache is allowed
  },
);

side(
  'basic LRU order: a get promotes, a set of a new key evicts the least recently used',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 3, perf, ...recorders(log) });
    for (const k of ['a', 'b', 'c']) c.set(k, k.toUpperCase());
    log.push(c.get('a'));
    c.set('d', 'D');
    log.push([...c.keys()], [...c.rkeys()], c.size, c.has('b'), c.get('b'));
    c.set('a', 'A2');
    log.push([...c.entries()], c.max, c.maxSize, c.calculatedSize);
  },
  (log) => assert.deepEqual(log.find((e) => Array.isArray(e) && e[0] === 'dispose'), ['dispose', 'B', 'b', 'evict']),
);

side(
  'get and set with options undefined are the calls without them; null options throw as in lru-cache',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 2, perf });
    c.set('a', 1, undefined).set('b', 2, undefined).set('a', 3, undefined);
    log.push(c.get('b', undefined), c.get('a', undefined), c.get('zz', undefined));
    c.set('c', 4, undefined);
    log.push([...c.keys()]);
    // (The class alone: V8's message names a variable, which our minified build renames.)
    log.push(outcome(() => c.get('a', null)).threw, outcome(() => c.set('a', 5, null)).threw, c.get('a'));
  },
  (log) => assert.deepEqual(log, [2, 3, undefined, ['c', 'a'], 'TypeError', 'TypeError', 3]),
);

side(
  'any key: numbers, objects by identity, symbols, NaN, -0 and 0 as one key',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 10, perf });
    const obj = { id: 1 };
    const sym = Symbol('k');
    c.set(1, 'one').set('1', 'string one').set(obj, 'object').set(sym, 'symbol').set(NaN, 'nan').set(-0, 'zero');
    log.push(c.get(1), c.get('1'), c.get(obj), c.get({ id: 1 }), c.get(sym), c.get(NaN), c.get(0), c.size);
    log.push([...c.keys()].map((k) => typeof k));
  },
  (log) => assert.deepEqual(log.slice(0, 8), ['one', 'string one', 'object', undefined, 'symbol', 'nan', 'zero', 6]),
);

side(
  'peek reads without promoting; set undefined deletes; delete reports what it removed',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 2, perf, ...recorders(log) });
    c.set('a', 1).set('b', 2);
    log.push(c.peek('a'), c.peek('zz'));
    c.set('c', 3); // 'a' was only peeked: it goes
    log.push(c.has('a'), c.delete('b'), c.delete('b'));
    c.set('c', undefined);
    log.push(c.size, [...c.keys()]);
  },
  (log) => assert.equal(log.includes(false), true),
);

side(
  'dispose reasons and order: set replaces, evict, delete, clear; disposeAfter after the operation',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 2, perf, ...recorders(log, true) });
    c.set('a', 1).set('a', 2).set('a', 2).set('b', 3).set('c', 4);
    c.delete('b');
    c.set('d', 5);
    c.clear();
    log.push('after clear', c.size);
  },
  (log) => assert.ok(log.some((e) => e[0] === 'disposeAfter' && e[3] === 'evict')),
);

side(
  'noDisposeOnSet: a replaced value is not disposed, per cache or per call; disposeAfter waits',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 2, noDisposeOnSet: true, perf, ...recorders(log) });
    c.set('a', 1).set('a', 2).set('b', 1).set('c', 1);
    log.push('mark');
    c.delete('a');
    const d = new LRU({ max: 2, perf, ...recorders(log) });
    d.set('x', 1).set('x', 2, { noDisposeOnSet: true });
    log.push(d.get('x'));
  },
);

side(
  'onInsert: add, replace and update (same value)',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 5, perf, onInsert: (v, k, r) => log.push([v, k, r]) });
    c.set('a', 1).set('a', 2).set('a', 2).set('b', undefined);
    const o = {};
    c.set('o', o).set('o', o);
  },
  (log) => assert.deepEqual(log.slice(0, 3), [[1, 'a', 'add'], [2, 'a', 'replace'], [2, 'a', 'update']]),
);

side(
  'maxSize with sizes per call and sizeCalculation; an entry over maxEntrySize is refused and deletes the key',
  (LRU, { perf }, log) => {
    const c = new LRU({ maxSize: 10, sizeCalculation: (v) => v.length, perf, ...recorders(log) });
    c.set('a', 'aaa').set('b', 'bbbb').set('c', 'ccc');
    log.push(c.calculatedSize, [...c.keys()]);
    const status = {};
    c.set('d', 'dddddddd', { status });
    log.push(status, c.calculatedSize, [...c.keys()]);
    const s2 = {};
    c.set('d', 'x'.repeat(11), { status: s2 });
    log.push(s2, c.has('d'), c.calculatedSize);
    c.set('e', 'e', { size: 2 });
    log.push(c.info('e'), outcome(() => c.set('f', 'f', { size: -1 })));
    const n = new LRU({ max: 3, maxEntrySize: 4, sizeCalculation: (v) => v.length, perf });
    n.set('a', 'aaaa').set('b', 'bbbbb');
    log.push([...n.keys()], n.calculatedSize, outcome(() => new LRU({ max: 3, perf }).set('a', 1, { size: 2 })));
    log.push(outcome(() => n.set('q', 'q', { sizeCalculation: () => 0 })));
  },
  (log) => assert.equal(log.find((e) => typeof e === 'number'), 10),
);

side(
  'pop removes the least recently used, disposing it as an eviction',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 3, perf, ...recorders(log) });
    c.set('a', 1).set('b', 2).set('c', 3);
    c.get('a');
    log.push(c.pop(), c.pop(), [...c.keys()], c.pop(), c.pop(), c.size);
  },
  (log) => assert.ok(log.includes(2)),
);

side(
  'iteration: entries/keys/values and their reverse, forEach/rforEach with thisp, toStringTag',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 5, perf });
    for (let i = 0; i < 7; i++) c.set(i, i * 10);
    c.get(3);
    log.push([...c], [...c.rentries()], [...c.values()], [...c.rvalues()], Object.prototype.toString.call(c));
    const thisp = { name: 'thisp' };
    c.forEach(function (v, k, self) {
      log.push(['fe', v, k, self === c, this === thisp]);
    }, thisp);
    c.rforEach((v, k) => log.push(['rfe', v, k]));
  },
);

side(
  'deleting while iterating (evens, all, one ahead; both directions) skips the deleted, visits the rest',
  (LRU, { perf }, log) => {
    // Not "odds": deleting the last entry of the walk sends lru-cache round again (below).
    const patterns = {
      evens: (k) => k % 2 === 0,
      all: () => true,
      'first two': (k) => k < 2,
    };
    for (const dir of ['keys', 'rkeys', 'entries', 'rentries']) {
      for (const [name, drop] of Object.entries(patterns)) {
        const c = new LRU({ max: 10, perf });
        for (let i = 0; i < 10; i++) c.set(i, i);
        for (const item of c[dir]()) {
          const k = Array.isArray(item) ? item[0] : item;
          log.push(k);
          if (drop(k)) c.delete(k);
          if (k === 5 && name === 'evens') c.delete(dir.startsWith('r') ? 7 : 3); // one not yet reached
        }
        log.push([dir, name, [...c.keys()], c.size]);
      }
    }
  },
);

side(
  'find returns the first match by get(), with its options and status',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 5, perf });
    c.set('a', 1).set('b', 2).set('c', 3);
    const status = {};
    log.push(c.find((v) => v > 1, { status }), status, c.find(() => false), [...c.keys()]);
  },
  (log) => assert.equal(log[0], 3),
);

side(
  'info, dump and load: lru-cache array form; load rebases start times by Date.now',
  (LRU, { perf, advance }, log) => {
    const realNow = Date.now;
    Date.now = () => 1_700_000_000_000 + perf.now();
    try {
      const c = new LRU({ max: 5, maxSize: 100, ttl: 50, perf, sizeCalculation: () => 2 });
      c.set('a', 1).set('b', 2, { ttl: 0 }).set('c', 3, { size: 7 });
      advance(10);
      log.push(c.info('a'), c.info('b'), c.info('zz'));
      const d = c.dump();
      log.push(JSON.parse(JSON.stringify(d)));
      const e = new LRU({ max: 5, maxSize: 100, ttl: 50, perf, sizeCalculation: () => 2 });
      advance(5);
      e.load(d);
      log.push(e.dump(), e.getRemainingTTL('a'), e.getRemainingTTL('b'));
    } finally {
      Date.now = realNow;
    }
  },
  (log) => assert.equal(log[0].ttl, 40),
);

side(
  'a get/set of a key reused before the cache filled, and list integrity under churn',
  (LRU, { perf }, log) => {
    const c = new LRU({ max: 4, perf });
    c.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    for (let i = 0; i < 40; i++) {
      const k = ['a', 'b', 'c', 'd', 'e', 'f'][(i * 7) % 6];
      if (i % 3 === 0) c.get(k);
      else if (i % 5 === 0) c.delete(k);
      else c.set(k, i);
      log.push([...c.rkeys()].join(''));
    }
  },
);

test('unknown or unsupported options are TypeErrors, never ignored', () => {
  assert.throws(() => new Ours({ max: 1, maxAge: 5 }), { name: 'TypeError', message: /unknown LRUCache option "maxAge"/ });
  assert.throws(() => new Ours({ max: 1, dispose: 'no' }), TypeError);
  assert.throws(() => new Ours({ maxSize: 5, maxEntrySize: 6 }), TypeError);
  assert.throws(() => new Ours({ maxSize: 2 ** 33 }), RangeError);
  assert.equal(new Ours({ max: 1, dispose: undefined }).dispose, undefined);
});

test('a dispose that throws leaves the cache whole: bounds kept, keys and store in agreement', () => {
  let fail = true;
  const c = new Ours({
    max: 3,
    maxSize: 10,
    sizeCalculation: (v) => v,
    dispose: (v, k) => {
      if (fail) throw new Error(`dispose of ${k} failed`);
    },
  });
  c.set('a', 3).set('b', 3).set('c', 3);
  assert.throws(() => c.set('d', 6), /dispose of a failed/);
  assert.deepEqual([[...c.keys()], c.size, c.calculatedSize], [['d', 'c'], 2, 9]);
  assert.throws(() => c.delete('c'), /dispose of c failed/);
  assert.deepEqual([[...c.keys()], c.size, c.has('c'), c.get('c')], [['d'], 1, false, undefined]);
  assert.throws(() => c.set('d', 2), /dispose of d failed/);
  assert.deepEqual([c.get('d'), c.calculatedSize], [6, 6]); // the replaced value's dispose runs first: nothing changed
  fail = false;
  c.set('e', 1).set('f', 1).set('g', 1);
  assert.deepEqual([[...c.keys()], c.size, c.calculatedSize], [['g', 'f', 'e'], 3, 3]);
});

test('documented difference: deleting the last entry of a walk while iterating visits no entry twice', async () => {
  const { Real } = await import('./lru-side.mjs');
  const walk = (Cls) => {
    const c = new Cls({ max: 10 });
    for (let i = 0; i < 10; i++) c.set(i, i);
    const seen = [];
    for (const k of c.rkeys()) {
      seen.push(k);
      if (k % 2 === 1) c.delete(k);
    }
    return seen;
  };
  assert.deepEqual(walk(Ours), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // lru-cache 11 follows the deleted tail's stale link back to the start.
  assert.deepEqual(walk(Real), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 2, 4, 6, 8]);
});

side(
  'a cache built from another cache takes its options',
  (LRU, { perf, advance }, log) => {
    const first = new LRU({ max: 2, maxSize: 10, ttl: 5, ttlResolution: 0, allowStale: true, sizeCalculation: () => 3, perf, ...recorders(log) });
    const second = new LRU(first);
    second.set('a', 1).set('b', 2).set('c', 3);
    advance(6);
    log.push(second.max, second.maxSize, second.ttl, second.allowStale, second.calculatedSize, second.get('b'), [...second.keys()]);
  },
  (log) => assert.ok(log.includes(2) && log.includes(10)),
);

side(
  'callbacks that throw: sizeCalculation and memoMethod store nothing; the error reaches the caller',
  (LRU, { perf }, log) => {
    const c = new LRU({
      maxSize: 10,
      perf,
      sizeCalculation: (v) => {
        if (v === 'bad') throw new Error('cannot size');
        return 1;
      },
      memoMethod: (k) => {
        throw new Error(`cannot compute ${k}`);
      },
    });
    c.set('a', 'ok');
    log.push(outcome(() => c.set('a', 'bad')), outcome(() => c.set('b', 'bad')), outcome(() => c.memo('m')));
    log.push([...c.entries()], c.size, c.calculatedSize);
  },
  (log) => assert.deepEqual(log.at(-3), [['a', 'ok']]),
);
